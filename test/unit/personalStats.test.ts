import { DEFAULT_RULES } from '../../src/history/countingRules';
import { groupOfKey, personalIndex } from '../../src/history/personalIndex';
import { albumKey, artistKey, parseArtistKey, trackKey, trackNameKey } from '../../src/history/personalKeys';
import { personalPage, rankedTop } from '../../src/history/personalStats';
import { resolvePeriod } from '../../src/history/period';
import { playLog } from '../../src/history/playLog';
import { columnsOf, play } from '../helpers/historyColumns';

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const ID_A1 = 'A1A1A1A1A1A1A1A1A1A1A1';
const ALL = { from: null, to: null };

// Alpha: A1 (with and without a Spotify id, two case variants of the name), A2; Beta: B1. January and March 2024.
const plays = [
  play({ ts: at('2024-01-01T10:00:00Z'), artist: 'Alpha', name: 'A1', album: 'Alpha LP', trackId: ID_A1, ms: 10 * MIN, skipped: false }),
  play({ ts: at('2024-01-01T11:00:00Z'), artist: 'Beta', name: 'B1', ms: 20 * MIN, skipped: true }),
  play({ ts: at('2024-01-02T09:00:00Z'), artist: 'alpha', name: 'a1', album: 'Alpha LP', ms: 3 * MIN }), // account data: no id, other case
  play({ ts: at('2024-01-03T09:00:00Z'), artist: 'Alpha', name: 'A2', album: 'Alpha LP', ms: 4 * MIN, skipped: true, platform: 'ios' }),
  play({ ts: at('2024-01-03T09:30:00Z'), artist: 'Alpha', name: 'A1', album: 'Alpha LP', trackId: ID_A1, ms: 10_000 }), // under 30 s: time only
  play({ ts: at('2024-01-05T20:00:00Z'), artist: 'Alpha', name: 'A1', album: 'Alpha LP', trackId: ID_A1, ms: 5 * MIN, shuffle: true }),
  play({ ts: at('2024-03-10T08:00:00Z'), artist: 'Beta', name: 'B1', ms: 1 * MIN }),
  play({ ts: at('2024-03-11T08:00:00Z'), artist: 'Alpha', name: 'A2', album: 'Alpha LP', ms: 2 * MIN }),
  play({ ts: at('2024-03-12T08:00:00Z'), kind: 'episode', artist: 'Talk Show', name: 'Ep 1', ms: 30 * MIN }),
];
const cols = columnsOf(plays, 7);
const idx = personalIndex(cols);

describe('personal keys', () => {
  it('are computed from names alone, normalised, and keep a Spotify id apart', () => {
    expect(artistKey('Alpha')).toMatch(/^[0-9a-f]{16}$/);
    expect(artistKey('  ALPHA ')).toBe(artistKey('alpha'));
    expect(artistKey('Alpha', '0123456789abcdefABCDEF')).toBe(`${artistKey('Alpha')}-0123456789abcdefABCDEF`);
    expect(parseArtistKey(`${artistKey('Alpha')}-0123456789abcdefABCDEF`)).toEqual({ hash: artistKey('Alpha'), spotifyId: '0123456789abcdefABCDEF' });
    expect(trackKey('Alpha', 'A1', ID_A1)).toBe(ID_A1);
    expect(trackKey('Alpha', 'A1')).toBe(trackNameKey('alpha', 'a1'));
    expect(trackKey('Alpha', 'A1')).not.toBe(trackKey('Alpha', 'A2'));
    expect(albumKey('Alpha', 'Alpha LP')).toMatch(/^a[0-9a-f]{16}$/);
    expect(parseArtistKey('nope')).toBeNull();
  });

  it('a track played with and without a Spotify id is one track, found by either key', () => {
    const byId = groupOfKey(idx, 'track', ID_A1);
    expect(byId).toBeGreaterThanOrEqual(0);
    expect(groupOfKey(idx, 'track', trackNameKey('Alpha', 'A1'))).toBe(byId);
    expect(idx.tracks[byId].key).toBe(ID_A1);
    expect(idx.tracks[byId].entries).toHaveLength(2); // with the id, and the account-data entry without
    expect(groupOfKey(idx, 'artist', `${artistKey('ALPHA')}-0123456789abcdefABCDEF`)).toBe(groupOfKey(idx, 'artist', artistKey('Alpha')));
    expect(groupOfKey(idx, 'artist', artistKey('Nobody'))).toBe(-1);
  });
});

describe('a personal artist page', () => {
  const alpha = groupOfKey(idx, 'artist', artistKey('Alpha'));
  const page = personalPage(cols, idx, 'artist', alpha, 'UTC', ALL, DEFAULT_RULES);

  it('totals, first and last listen, and the rank among all artists', () => {
    expect(page).toMatchObject({ kind: 'artist', name: 'Alpha', plays: 5, ms_played: 24 * MIN + 10_000, rank: 1 });
    expect(page.first_listen).toBe('2024-01-01T10:00:00.000Z');
    expect(page.last_listen).toBe('2024-03-11T08:00:00.000Z');
  });

  it('per month: plays, minutes, rank among artists and share of all music, with the empty month between', () => {
    expect(page.per_month).toEqual([
      { month: '2024-01', plays: 4, ms: 22 * MIN + 10_000, rank: 1, share: (22 * MIN + 10_000) / (42 * MIN + 10_000) },
      { month: '2024-02', plays: 0, ms: 0, rank: null, share: 0 },
      { month: '2024-03', plays: 1, ms: 2 * MIN, rank: 1, share: 2 / 3 },
    ]);
    const beta = personalPage(cols, idx, 'artist', groupOfKey(idx, 'artist', artistKey('Beta')), 'UTC', ALL, DEFAULT_RULES);
    expect(beta.per_month.map((m) => m.rank)).toEqual([2, null, 2]);
  });

  it('top tracks and albums, hour by weekday, skip rate with its coverage, and the longest streak', () => {
    expect(page.top_tracks.map((t) => [t.key, t.plays])).toEqual([[ID_A1, 3], [trackNameKey('Alpha', 'A2'), 2]]);
    expect(page.top_albums).toEqual([{ key: albumKey('Alpha', 'Alpha LP'), name: 'Alpha LP', plays: 5, ms_played: 24 * MIN + 10_000 }]);
    expect(page.hour_weekday[0][10]).toBe(1); // Monday 1 January, 10:00
    expect(page.hour_weekday.flat().reduce((a, b) => a + b, 0)).toBe(5); // plays only, not the 10-second entry
    // Known for 2 of 6 entries (A1 not skipped, A2 skipped).
    expect(page.skips).toEqual({ rate: 0.5, skipped: 1, known: 2, entries: 6, coverage: 2 / 6 });
    expect(page.longest_streak).toEqual({ days: 3, from: '2024-01-01', to: '2024-01-03' });
  });

  it('a period narrows everything but first and last listen; days, hours and months are in the time zone', () => {
    const march = personalPage(cols, idx, 'artist', alpha, 'UTC', { from: '2024-03-01', to: '2024-03-31' }, DEFAULT_RULES);
    expect(march).toMatchObject({ plays: 1, ms_played: 2 * MIN, first_listen: '2024-01-01T10:00:00.000Z' });
    expect(march.per_month.map((m) => m.month)).toEqual(['2024-03']);
    const tokyo = personalPage(cols, idx, 'artist', alpha, 'Asia/Tokyo', ALL, DEFAULT_RULES);
    expect(tokyo.hour_weekday[0][19]).toBe(1); // 10:00 UTC is 19:00 in Tokyo
  });

  it('a track page and an album page', () => {
    const track = personalPage(cols, idx, 'track', groupOfKey(idx, 'track', ID_A1), 'UTC', ALL, DEFAULT_RULES);
    expect(track).toMatchObject({ name: 'A1', artist: 'Alpha', plays: 3, track_ids: [ID_A1], album: { name: 'Alpha LP', key: albumKey('Alpha', 'Alpha LP') }, top_tracks: [] });
    const album = personalPage(cols, idx, 'album', groupOfKey(idx, 'album', albumKey('Alpha', 'Alpha LP')), 'UTC', ALL, DEFAULT_RULES);
    expect(album).toMatchObject({ name: 'Alpha LP', plays: 5, top_albums: [] });
    expect(album.top_tracks).toHaveLength(2);
  });
});

describe('ranked top lists', () => {
  it('rank by time with the change against the previous period', () => {
    const march = rankedTop(cols, idx, 'artist', 'UTC', { from: '2024-03-01', to: '2024-03-31' }, { from: '2024-01-01', to: '2024-01-31' }, DEFAULT_RULES);
    // January: Alpha 22 min, Beta 20 min. March: Alpha 2 min, Beta 1 min.
    expect(march.map((a) => [a.name, a.rank, a.previous_rank, a.change])).toEqual([['Alpha', 1, 1, 0], ['Beta', 2, 2, 0]]);
    const janVsDec = rankedTop(cols, idx, 'artist', 'UTC', { from: '2024-01-01', to: '2024-01-31' }, { from: '2023-12-01', to: '2023-12-31' }, DEFAULT_RULES);
    expect(janVsDec.map((a) => a.change)).toEqual(['new', 'new']);
    const noPrevious = rankedTop(cols, idx, 'track', 'UTC', ALL, null, DEFAULT_RULES);
    expect(noPrevious[0]).toMatchObject({ key: ID_A1, plays: 3, change: null });
    const tracksMarchVsJan = rankedTop(cols, idx, 'track', 'UTC', { from: '2024-03-01', to: '2024-03-31' }, { from: '2024-01-01', to: '2024-01-31' }, DEFAULT_RULES);
    // March by plays: A2 (2 min) then B1 (1 min), each 1 play; January by plays: A1 (3), B1 (1, 20 min), A2 (1, 4 min).
    expect(tracksMarchVsJan.map((t) => [t.name, t.rank, t.change])).toEqual([['A2', 1, 2], ['B1', 2, 0]]);
  });
});

describe('the period picker', () => {
  const today = '2024-05-15';
  it.each([
    [{ period: '7d' }, '2024-05-09', '2024-05-15', { from: '2024-05-02', to: '2024-05-08' }],
    [{ period: '30d' }, '2024-04-16', '2024-05-15', { from: '2024-03-17', to: '2024-04-15' }],
    [{ period: 'this_year' }, '2024-01-01', '2024-05-15', { from: '2023-01-01', to: '2023-05-15' }],
    [{ period: 'last_year' }, '2023-01-01', '2023-12-31', { from: '2022-01-01', to: '2022-12-31' }],
    [{ period: '2022' }, '2022-01-01', '2022-12-31', { from: '2021-01-01', to: '2021-12-31' }],
    [{ period: '2024-03' }, '2024-03-01', '2024-03-31', { from: '2024-02-01', to: '2024-02-29' }],
    [{ period: '2024-01' }, '2024-01-01', '2024-01-31', { from: '2023-12-01', to: '2023-12-31' }],
    [{ from: '2024-05-01', to: '2024-05-10' }, '2024-05-01', '2024-05-10', { from: '2024-04-21', to: '2024-04-30' }],
  ])('%j', (q, from, to, previous) => {
    expect(resolvePeriod(q, today)).toMatchObject({ from, to, previous });
  });
  it('all time has no previous period; nothing chosen is all time', () => {
    expect(resolvePeriod({}, today)).toEqual({ choice: 'all', label: 'All time', from: null, to: null, previous: null });
    expect(resolvePeriod({ period: 'all' }, today).previous).toBeNull();
    expect(resolvePeriod({ period: 'this_year' }, '2024-02-29').previous).toEqual({ from: '2023-01-01', to: '2023-02-28' });
  });
});

describe('the play log', () => {
  const q = (o: Partial<Parameters<typeof playLog>[4]> = {}) => playLog(cols, idx, 'UTC', DEFAULT_RULES, { from: null, to: null, limit: 50, ...o })!;

  it('lists every entry newest first, with keys and how it counts', () => {
    const all = q();
    expect(all.plays.map((p) => p.ts)).toEqual([...plays].map((p) => new Date(p.ts).toISOString()).reverse());
    expect(all.next_cursor).toBeNull();
    expect(all.plays[0]).toMatchObject({ kind: 'episode', track_key: null, artist_key: null });
    expect(all.plays.find((p) => p.ms_played === 10_000)).toMatchObject({ counted: 'time_only', track_key: ID_A1, artist_key: artistKey('Alpha'), album_key: albumKey('Alpha', 'Alpha LP') });
  });

  it('pages with a cursor, and a cursor from an older version continues after the same play', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let n = 0; n < 10; n++) {
      const page = q({ limit: 4, cursor });
      seen.push(...page.plays.map((p) => p.ts));
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    expect(seen).toEqual(q().plays.map((p) => p.ts));
    const first = q({ limit: 2 });
    const newer = columnsOf([...plays, play({ ts: at('2024-04-01T00:00:00Z'), artist: 'Gamma', name: 'G' })], 8);
    const next = playLog(newer, personalIndex(newer), 'UTC', DEFAULT_RULES, { from: null, to: null, limit: 2, cursor: first.next_cursor! })!;
    expect(next.plays.map((p) => p.ts)).toEqual(q().plays.slice(2, 4).map((p) => p.ts));
    expect(playLog(cols, idx, 'UTC', DEFAULT_RULES, { from: null, to: null, limit: 2, cursor: 'garbage' })).toBeNull();
  });

  it('search answers "when did I last play X": the first hit is the last play', () => {
    const hit = q({ q: 'a1 alpha' });
    expect(hit.plays[0].ts).toBe('2024-01-05T20:00:00.000Z');
    expect(hit.plays).toHaveLength(4); // both spellings, with and without the id
    expect(q({ q: 'alpha lp' }).plays).toHaveLength(6);
    expect(q({ q: 'nothing like this' }).plays).toEqual([]);
  });

  it('filters: period, artist, skipped, shuffle, platform and podcasts', () => {
    expect(q({ from: '2024-03-01', to: '2024-03-31' }).plays).toHaveLength(3);
    expect(q({ artist: artistKey('Beta') }).plays.map((p) => p.name)).toEqual(['B1', 'B1']);
    expect(q({ skipped: true }).plays.map((p) => p.name)).toEqual(['A2', 'B1']);
    expect(q({ skipped: false }).plays.map((p) => p.name)).toEqual(['A1']);
    expect(q({ shuffle: true }).plays).toHaveLength(1);
    expect(q({ platform: 'iOS' }).plays.map((p) => p.name)).toEqual(['A2']);
    expect(q({ kind: 'podcasts' }).plays.map((p) => p.name)).toEqual(['Ep 1']);
    expect(q({ kind: 'music' }).plays).toHaveLength(8);
  });
});
