import { UpstreamUncertain } from '../../src/errors';
import { PlaylistService } from '../../src/services/PlaylistService';
import { PlaylistSources, type PlaylistTrack } from '../../src/services/PlaylistSources';
import type { SpotifyClient } from '../../src/spotify/SpotifyClient';
import type { UserTokens } from '../../src/spotify/UserTokenSource';
import type { PlaylistRepository, PlaylistResult } from '../../src/store/PlaylistRepository';

const id = (n: number) => `t${String(n).padStart(21, '0')}`;
const tracks = (n: number): PlaylistTrack[] => Array.from({ length: n }, (_, i) => ({ id: id(i), name: `Song ${i}`, artist: 'Band' }));

/**
 * A playlist on a scripted Spotify: `answers` says, per add request, whether it lands and what the
 * client hears ('ok', 'lost': lands but the answer is a 500, 'refused': a 500 that did not land).
 */
function scripted(answers: Array<'ok' | 'lost' | 'refused'>, opts: { lengthLies?: number } = {}) {
  const items: string[] = [];
  const adds: Array<{ position: number; n: number }> = [];
  let lengthChecks = 0;
  const spotify = {
    createPlaylist: async (p: { name: string }) => ({ id: 'p1', name: p.name, uri: 'spotify:playlist:p1', external_urls: { spotify: 'javascript:alert(1)' } }),
    addPlaylistItems: async (_id: string, uris: string[], position: number) => {
      adds.push({ position, n: uris.length });
      const answer = answers.shift() ?? 'ok';
      if (answer !== 'refused') items.splice(position, 0, ...uris);
      if (answer !== 'ok') throw new UpstreamUncertain('Spotify gave no clear answer (500)', 500);
      return { snapshot_id: 's' };
    },
    playlistLength: async () => {
      lengthChecks++;
      return items.length + (opts.lengthLies ?? 0);
    },
    searchTracks: async () => ({ tracks: { items: [] } }),
  };
  const saved: PlaylistResult[] = [];
  const service = new PlaylistService({
    sources: new PlaylistSources().register('fixed', async (_u, p) => ({ title: 'Fixed', description: 'd', tracks: tracks(p.n) })),
    spotify: spotify as unknown as SpotifyClient,
    userTokens: { forUser: () => ({ get: async () => 'token', invalidate: () => undefined }) } as unknown as UserTokens,
    grantedScope: async () => 'user-top-read playlist-modify-private',
    repo: { put: async (_u: string, r: PlaylistResult) => void saved.push(r), get: async () => null } as unknown as PlaylistRepository,
    consentUrl: (s) => `/consent?scope=${s}`,
  });
  return { service, items, adds, saved, checks: () => lengthChecks };
}

describe('PlaylistService: adding tracks without ever adding one twice', () => {
  it('a chunk whose 500 hid a success is not sent again (the playlist length says it landed)', async () => {
    const s = scripted(['ok', 'lost', 'ok']);
    const result = await s.service.create('u', 'fixed', { n: 250, by: 'plays' });
    expect(s.adds).toEqual([{ position: 0, n: 100 }, { position: 100, n: 100 }, { position: 200, n: 50 }]);
    expect(s.checks()).toBe(1);
    expect(s.items).toEqual(tracks(250).map((t) => `spotify:track:${t.id}`));
    expect(result).toMatchObject({ added: 250, complete: true, error: null });
  });

  it('a chunk that did not land is sent again at the same position', async () => {
    const s = scripted(['refused', 'ok']);
    const result = await s.service.create('u', 'fixed', { n: 120, by: 'plays' });
    expect(s.adds).toEqual([{ position: 0, n: 100 }, { position: 0, n: 100 }, { position: 100, n: 20 }]);
    expect(s.items).toHaveLength(120);
    expect(result.complete).toBe(true);
  });

  it('a length that fits neither stops adding; the result says how far it got and is saved', async () => {
    const s = scripted(['ok', 'lost'], { lengthLies: 3 });
    const result = await s.service.create('u', 'fixed', { n: 150, by: 'plays' });
    expect(s.adds).toHaveLength(2);
    expect(result.complete).toBe(false);
    expect(result.added).toBe(100);
    expect(result.error).toMatch(/holds 153 tracks where 100 or 150 were expected.*created with 100 of 150 tracks/);
    expect(s.saved).toEqual([result]);
  });

  it('gives up after three unclear answers to one chunk', async () => {
    const s = scripted(['refused', 'refused', 'refused', 'ok']);
    const result = await s.service.create('u', 'fixed', { n: 10, by: 'plays' });
    expect(s.adds).toHaveLength(3);
    expect(result).toMatchObject({ added: 0, complete: false });
  });

  it('only an http(s) playlist link is kept for the page to link to', async () => {
    const s = scripted([]);
    expect((await s.service.create('u', 'fixed', { n: 1, by: 'plays' })).playlist.url).toBeNull();
  });
});

describe('PlaylistSources registry', () => {
  it('registers by short lower-case name, once', () => {
    const sources = new PlaylistSources();
    const source = async () => ({ title: 't', description: 'd', tracks: [] });
    sources.register('blend', source);
    expect(sources.get('blend')).toBe(source);
    expect(sources.names()).toEqual(['blend']);
    expect(() => sources.register('blend', source)).toThrow(/twice/);
    expect(() => sources.register('Bad Name', source)).toThrow(/lower-case/);
    expect(sources.get('nope')).toBeUndefined();
  });
});
