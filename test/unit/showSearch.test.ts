import type { Columns } from '../../src/history/columns';
import { PLAY_KINDS } from '../../src/history/play';
import { ShowSearchService } from '../../src/history/ShowSearchService';
import { loadConfig } from '../../src/config';

const MUSIC = PLAY_KINDS.indexOf('music');

/** A decoded history of music entries without track ids (old account data), one play each. */
function history(artists: string[]): Columns {
  const n = artists.length;
  return {
    version: 1, n,
    ts: new Float64Array(n), ms: Uint32Array.from(artists.map(() => 60_000)), entry: Int32Array.from(artists.map((_, i) => i)),
    flags: new Uint16Array(n), platform: new Int16Array(n), country: new Int16Array(n),
    entries: artists.map((artist, i) => ({ name: `Episode ${i}`, artist, album: null, trackId: null, kind: MUSIC, artistIdx: i, albumIdx: -1 })),
    artists, albums: [], platforms: [], countries: [],
  };
}

function service(market: string) {
  const calls: { q: string; market: string }[] = [];
  let stored = { as_podcast: [] as string[], as_music: [] as string[], shows_found: [] as string[] };
  const svc = new ShowSearchService({
    spotify: {
      searchShows: async (q: string, _limit: number, _auth: unknown, m: string) => {
        calls.push({ q, market: m });
        // Spotify search is fuzzy: a near name is not the show.
        return { shows: { items: q === 'The Night Shift' ? [{ name: 'the night shift' }] : [{ name: `${q} Live` }] } } as never;
      },
    },
    auth: { token: async () => 'app-token' } as never,
    choices: { get: async () => stored, put: async (_u: string, c: typeof stored) => { stored = c; } } as never,
    history: { bumpVersion: async () => undefined } as never,
    market,
  });
  return { svc, calls, stored: () => stored };
}

describe('ShowSearchService', () => {
  it('searches shows in the configured market and keeps only exact (case-insensitive) name matches', async () => {
    const { svc, calls, stored } = service('SE');
    svc.schedule('u1', history(['The Night Shift', 'Velvet Foxes']), { as_podcast: [], as_music: [], shows_found: [] });
    await svc.settled('u1');
    expect(calls.map((c) => c.market)).toEqual(['SE', 'SE']);
    expect(stored().shows_found).toEqual(['The Night Shift']);
  });

  it('the app passes SPOTIFY_MARKET through the config (shows are market-bound; an app token has no country)', () => {
    expect(loadConfig({ SESSION_SECRET: 'x'.repeat(40), SPOTIFY_MARKET: 'SE' }).spotify.market).toBe('SE');
    expect(() => loadConfig({ SESSION_SECRET: 'x'.repeat(40), SPOTIFY_MARKET: 'se' })).toThrow(/ISO 3166-1/);
  });
});
