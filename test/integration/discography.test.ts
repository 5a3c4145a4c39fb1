/**
 * A clean discography from a Spotify that lists one release several times (issue 11 item 6):
 * the sandbox with quirks on, the ingest through GET /api/artists/:id.
 */
import request from 'supertest';
import { copyPlayableIn, quirkIndex } from '../../src/sandbox/quirks';
import type { SpotifyClient } from '../../src/spotify/SpotifyClient';
import { expectedIngest } from '../helpers/catalog';
import { startTestApp, type TestApp } from '../helpers/harness';

jest.setTimeout(180_000);

type Album = { id: string; unavailable?: boolean };
type ArtistJson = {
  artist: { album_count: number; track_count: number; albums_collapsed: { id: string; kept_id: string; reason: string }[] };
  albums: Album[];
  tracks: { id: string; album_id: string }[];
  complete: boolean;
};

const MARKET = 'US';

/** Makes every album request of the app go out without a market, as an app without SPOTIFY_MARKET would send them. */
function withoutMarket(spotify: SpotifyClient, listing: (items: SpotifyApi.AlbumObjectSimplified[]) => SpotifyApi.AlbumObjectSimplified[] = (i) => i): () => void {
  const { artistAlbums, album, albums, albumTracks } = spotify;
  spotify.artistAlbums = async (id, params, auth) => {
    const page = await artistAlbums.call(spotify, id, { ...params, market: undefined }, auth);
    return { ...page, items: listing(page.items) };
  };
  spotify.album = (id, auth) => album.call(spotify, id, auth);
  spotify.albums = (ids, auth) => albums.call(spotify, ids, auth);
  spotify.albumTracks = (id, params, auth) => albumTracks.call(spotify, id, { ...params, market: undefined }, auth);
  return () => Object.assign(spotify, { artistAlbums, album, albums, albumTracks });
}

async function startQuirky(profile: 'development' | 'extended') {
  const t = await startTestApp({ sandboxOptions: { quirks: true, profile }, env: { SPOTIFY_MARKET: MARKET, SPOTIFY_API_PROFILE: profile } });
  const artistId = t.sandbox.catalog.notable.largestArtistId;
  const index = quirkIndex(t.sandbox.catalog);
  const releases = t.sandbox.catalog.artists.get(artistId)!.albumIds;
  return {
    t,
    artistId,
    /** The releases of the artist that Spotify lists more than once without a market. */
    withCopies: releases.filter((id) => (index.copyOf(id)?.count ?? 1) > 1),
    /** For each release of the artist, the id of its copy sold in the market. */
    soldInMarket: () => releases.map((id) => copyPlayableIn(index, id, MARKET)!).sort(),
  };
}

describe.each(['development', 'extended'] as const)('artist discography with per-market copies (sandbox quirks), %s profile', (profile) => {
  let t: TestApp;
  let artistId: string;
  let withCopies: string[];
  let soldInMarket: () => string[];
  beforeAll(async () => {
    ({ t, artistId, withCopies, soldInMarket } = await startQuirky(profile));
  });
  afterAll(() => t.close());

  it('requests albums with the configured market: each release once, the copy sold there, tracks not doubled', async () => {
    expect(withCopies.length).toBeGreaterThan(10);
    const sent: { url: string; market: unknown }[] = [];
    const interceptor = t.services.spotify.http.axios.interceptors.request.use((cfg) => {
      sent.push({ url: String(cfg.url), market: (cfg.params as Record<string, unknown> | undefined)?.market });
      return cfg;
    });
    try {
      const body = (await request(t.url).get(`/api/artists/${artistId}`).expect(200)).body as ArtistJson;
      const expected = expectedIngest(t.sandbox.catalog, artistId);
      expect(body.complete).toBe(true);
      expect(body.albums).toHaveLength(expected.albums);
      expect(body.tracks).toHaveLength(expected.tracks);
      expect(body.artist.track_count).toBe(expected.tracks);
      // The sandbox lists only the copy sold in the market when (and only when) it is asked with one.
      expect(body.albums.map((a) => a.id).sort()).toEqual(soldInMarket());
      expect(new Set(body.tracks.map((tr) => tr.id)).size).toBe(expected.tracks);
      expect(body.artist.albums_collapsed).toEqual([]);
      const albumRequests = sent.filter((r) => /^\/(artists\/[^/]+\/albums|albums)(\/|$|\?)/.test(r.url));
      expect(albumRequests.some((r) => r.url.startsWith(`/artists/${artistId}/albums`))).toBe(true);
      expect(albumRequests.some((r) => r.url.startsWith('/albums'))).toBe(true);
      expect(albumRequests.filter((r) => r.market !== MARKET)).toEqual([]);
    } finally {
      t.services.spotify.http.axios.interceptors.request.eject(interceptor);
    }
  });

});

// Without a market, only available_markets tells the copies apart, and Development Mode does not send it.
describe('collapsing the copies Spotify lists anyway (sandbox quirks, extended profile)', () => {
  let t: TestApp;
  let artistId: string;
  let withCopies: string[];
  let soldInMarket: () => string[];
  beforeAll(async () => {
    ({ t, artistId, withCopies, soldInMarket } = await startQuirky('extended'));
  });
  afterAll(() => t.close());

  it('collapses copies Spotify lists anyway (asked without a market): keeps the one sold in the market, reports each dropped copy', async () => {
    const restore = withoutMarket(t.services.spotify);
    try {
      const body = (await request(t.url).get(`/api/artists/${artistId}?refresh=1`).expect(200)).body as ArtistJson;
      const expected = expectedIngest(t.sandbox.catalog, artistId);
      expect(body.albums.map((a) => a.id).sort()).toEqual(soldInMarket());
      expect(body.tracks).toHaveLength(expected.tracks);
      expect(body.artist.album_count).toBe(expected.albums);
      const index = quirkIndex(t.sandbox.catalog);
      const dropped = withCopies.flatMap((id) => {
        const kept = copyPlayableIn(index, id, MARKET)!;
        const count = index.copyOf(id)!.count;
        // Copy 0 is sold outside North America; copy 2, when there is one, nowhere.
        return [{ id, kept_id: kept, reason: 'not_playable_in_market' }, ...(count === 3 ? [{ id: index.idOfCopy(id, 2), kept_id: kept, reason: 'no_markets' }] : [])];
      });
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      expect([...body.artist.albums_collapsed].sort(byId)).toEqual(dropped.sort(byId));
      expect(body.albums.filter((a) => a.unavailable)).toEqual([]);
    } finally {
      restore();
    }
  });

  it('keeps and marks a release sold in no market when no copy of it is sold anywhere', async () => {
    const index = quirkIndex(t.sandbox.catalog);
    const release = withCopies.find((id) => index.copyOf(id)!.count === 3)!;
    const lonely = index.idOfCopy(release, 2);
    // Spotify lists only the copy with available_markets: [] of this release.
    const restore = withoutMarket(t.services.spotify, (items) => items.filter((a) => a.id !== release && a.id !== index.idOfCopy(release, 1)));
    try {
      const body = (await request(t.url).get(`/api/artists/${artistId}?refresh=1`).expect(200)).body as ArtistJson;
      const marked = body.albums.filter((a) => a.unavailable).map((a) => a.id);
      expect(marked).toEqual([lonely]);
      expect(body.albums).toHaveLength(expectedIngest(t.sandbox.catalog, artistId).albums);
      expect(body.tracks.filter((tr) => tr.album_id === lonely)).toHaveLength(t.sandbox.catalog.albums.get(release)!.trackIds.length);
      expect(body.artist.albums_collapsed.map((d) => d.id)).not.toContain(lonely);
    } finally {
      restore();
    }
  });
});
