import { rangeOf } from '../../src/history/columns';
import { DEFAULT_RULES, type CountingRules } from '../../src/history/countingRules';
import { computeStats } from '../../src/history/historyStats';
import { OffsetTable } from '../../src/history/timeZones';
import { columnsOf, play } from '../helpers/historyColumns';

const at = (iso: string) => Date.parse(iso);
const rules = (r: Partial<CountingRules> = {}): CountingRules => ({ ...DEFAULT_RULES, ...r });
const MIN = 60_000;

describe('history statistics over columns', () => {
  const plays = [
    play({ ts: at('2024-01-01T10:00:00Z'), artist: 'Alpha', name: 'A1', album: 'Alpha LP', ms: 10 * MIN }),
    play({ ts: at('2024-01-01T11:00:00Z'), artist: 'Beta', name: 'B1', ms: 2 * MIN }),
    play({ ts: at('2024-01-02T09:00:00Z'), artist: 'Beta', name: 'B1', ms: 2 * MIN }),
    play({ ts: at('2024-01-02T09:10:00Z'), artist: 'Beta', name: 'B2', ms: 2 * MIN }),
    play({ ts: at('2024-01-03T08:00:00Z'), artist: 'Alpha', name: 'A1', album: 'Alpha LP', ms: 10_000 }), // shorter than 30 s
    play({ ts: at('2024-01-03T09:00:00Z'), kind: 'episode', artist: 'Talk Show', name: 'Ep', ms: 30 * MIN }),
  ];
  const cols = columnsOf(plays);

  it('totals: plays, entries, listening time, hours and distinct counts, episodes kept apart', () => {
    const s = computeStats(cols, 'UTC', null, null, rules());
    expect(s).toMatchObject({ plays: 4, entries: 5, ms_played: 16 * MIN + 10_000, hours: 0.3 });
    expect(s.distinct).toEqual({ tracks: 3, artists: 2, albums: 1 });
    expect(s.episodes).toEqual({ entries: 1, ms_played: 30 * MIN, top_shows: [{ name: 'Talk Show', ms_played: 30 * MIN }] });
    expect(s.first_play).toBe('2024-01-01T10:00:00.000Z');
    expect(s.last_play).toBe('2024-01-03T09:00:00.000Z');
    expect(s.per_day).toEqual([
      { date: '2024-01-01', ms: 12 * MIN, plays: 2 },
      { date: '2024-01-02', ms: 4 * MIN, plays: 2 },
      { date: '2024-01-03', ms: 10_000, plays: 0 },
    ]);
    expect(s.longest_streak).toEqual({ days: 2, from: '2024-01-01', to: '2024-01-02' });
  });

  it('top artists and tracks by listening time and by plays, each with plays and ms', () => {
    const s = computeStats(cols, 'UTC', null, null, rules());
    expect(s.top_artists.map(({ name, plays: p, ms_played }) => ({ name, p, ms_played }))).toEqual([
      { name: 'Alpha', p: 1, ms_played: 10 * MIN + 10_000 },
      { name: 'Beta', p: 3, ms_played: 6 * MIN },
    ]);
    expect(s.top_artists[0].first_listen).toBe('2024-01-01T10:00:00.000Z');
    expect(s.top_artists_by_plays.map((a) => a.name)).toEqual(['Beta', 'Alpha']);
    expect(s.top_tracks[0]).toEqual({ name: 'A1', artist: 'Alpha', track_id: null, plays: 1, ms_played: 10 * MIN + 10_000 });
    expect(s.top_tracks_by_plays[0]).toEqual({ name: 'B1', artist: 'Beta', track_id: null, plays: 2, ms_played: 4 * MIN });
    expect(s.top_albums).toEqual([{ name: 'Alpha LP', artist: 'Alpha', plays: 1, ms_played: 10 * MIN + 10_000 }]);
  });

  it('a date range includes both of its days, from local midnight to local midnight', () => {
    const s = computeStats(cols, 'UTC', '2024-01-02', '2024-01-02', rules());
    expect(s).toMatchObject({ plays: 2, entries: 2, ms_played: 4 * MIN });
    expect(s.top_tracks.map((t) => t.name)).toEqual(['B1', 'B2']);
  });

  it('range borders follow the time zone: a play at 22:00 UTC belongs to the next day in Berlin (UTC+2 in summer)', () => {
    const c = columnsOf([
      play({ ts: at('2024-06-01T21:59:59Z'), name: 'Before local midnight' }), // 23:59:59 in Berlin (UTC+2)
      play({ ts: at('2024-06-01T22:00:00Z'), name: 'At local midnight' }), // 00:00 on 2 June in Berlin
      play({ ts: at('2024-06-02T21:59:59Z'), name: 'Last second of 2 June' }),
      play({ ts: at('2024-06-02T22:00:00Z'), name: 'First second of 3 June' }),
    ]);
    const berlin = new OffsetTable('Europe/Berlin');
    expect(rangeOf(c, berlin, '2024-06-02', '2024-06-02')).toEqual([1, 3]);
    expect(rangeOf(c, new OffsetTable('UTC'), '2024-06-02', '2024-06-02')).toEqual([2, 4]);
    expect(rangeOf(c, berlin, null, '2024-06-01')).toEqual([0, 1]);
    expect(rangeOf(c, berlin, '2024-06-03', null)).toEqual([3, 4]);
    expect(computeStats(c, 'Europe/Berlin', '2024-06-02', '2024-06-02', rules()).per_day).toEqual([{ date: '2024-06-02', ms: 360_000, plays: 2 }]);
  });

  it('counting rules: the threshold turns plays into time only, skipped time-only, private sessions and offline left out', () => {
    const c = columnsOf([
      play({ ts: at('2024-02-01T10:00:00Z'), name: 'Long', ms: 40_000 }),
      play({ ts: at('2024-02-01T10:05:00Z'), name: 'Skipped', ms: 40_000, skipped: true }),
      play({ ts: at('2024-02-01T10:10:00Z'), name: 'Private', ms: 40_000, incognito: true }),
      play({ ts: at('2024-02-01T10:15:00Z'), name: 'Offline', ms: 40_000, offline: true }),
    ]);
    const count = (r: Partial<CountingRules>) => {
      const s = computeStats(c, 'UTC', null, null, rules(r));
      return { plays: s.plays, entries: s.entries, ms: s.ms_played };
    };
    expect(count({})).toEqual({ plays: 3, entries: 3, ms: 120_000 }); // private session left out by default
    expect(count({ incognito: 'count' })).toEqual({ plays: 4, entries: 4, ms: 160_000 });
    expect(count({ min_play_seconds: 45 })).toEqual({ plays: 0, entries: 3, ms: 120_000 });
    expect(count({ skipped: 'time_only' })).toEqual({ plays: 2, entries: 3, ms: 120_000 });
    expect(count({ offline: 'exclude' })).toEqual({ plays: 2, entries: 2, ms: 80_000 });
    expect(computeStats(c, 'UTC', null, null, rules()).skip_rate).toBe(1);
  });

  it('an empty range gives zeros and no first or last play', () => {
    const s = computeStats(cols, 'UTC', '2030-01-01', '2030-12-31', rules());
    expect(s).toMatchObject({ plays: 0, entries: 0, ms_played: 0, first_play: null, last_play: null, skip_rate: null });
    expect(s.top_artists).toEqual([]);
  });
});
