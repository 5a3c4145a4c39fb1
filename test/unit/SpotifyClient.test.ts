import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FROM_TOKEN, SpotifyClient, catalogMarket } from '../../src/spotify/SpotifyClient';
import type { TokenSource } from '../../src/upstream/UpstreamHttp';

/** A stand-in that records each request's path and query and answers an empty page. */
async function recordingServer() {
  const seen: URL[] = [];
  const server = http.createServer((req, res) => {
    seen.push(new URL(req.url ?? '/', 'http://x'));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ items: [], next: null, cursors: null, limit: 50, href: '' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    seen,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

const auth: TokenSource = { get: async () => 'token', invalidate: () => undefined };

describe('SpotifyClient.recentlyPlayed', () => {
  it('sends the limit and only the cursors given (after or before), as Unix ms', async () => {
    const s = await recordingServer();
    try {
      const client = new SpotifyClient(s.url);
      await client.recentlyPlayed({ limit: 50 }, auth);
      await client.recentlyPlayed({ limit: 50, after: 1_700_000_000_123 }, auth);
      await client.recentlyPlayed({ limit: 20, before: 1_700_000_000_999 }, auth);
      expect(s.seen.map((u) => u.pathname)).toEqual(Array(3).fill('/v1/me/player/recently-played'));
      expect(s.seen.map((u) => Object.fromEntries(u.searchParams))).toEqual([
        { limit: '50' },
        { limit: '50', after: '1700000000123' },
        { limit: '20', before: '1700000000999' },
      ]);
    } finally {
      await s.close();
    }
  });
});

describe('SpotifyClient catalog markets', () => {
  it('sends market on artist albums, album details and album tracks only when given; from_token for user tokens', async () => {
    const s = await recordingServer();
    try {
      const client = new SpotifyClient(s.url);
      const id = '0123456789abcdefABCDEF';
      await client.artistAlbums(id, { limit: 10, offset: 0, include_groups: 'album', market: 'SE' }, auth);
      await client.albums([id], auth, 'SE');
      await client.album(id, auth, catalogMarket('user', 'SE'));
      await client.albumTracks(id, { limit: 50, offset: 50, market: catalogMarket('app', 'SE') }, auth);
      await client.album(id, auth);
      expect(s.seen.map((u) => u.searchParams.get('market'))).toEqual(['SE', 'SE', FROM_TOKEN, 'SE', null]);
      expect(Object.fromEntries(s.seen[0].searchParams)).toEqual({ limit: '10', offset: '0', include_groups: 'album', market: 'SE' });
    } finally {
      await s.close();
    }
  });
});
