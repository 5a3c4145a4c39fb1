import { BadRequest } from '../errors';
import { dayParts, type HistoryRepository } from '../store/HistoryRepository';
import { isTimeZone, OffsetTable } from './timeZones';
import { LruCache } from '../util/LruCache';
import { classify, describeRules, EXCLUDED, PLAY, type CountingRules } from './countingRules';
import { flagOf } from './play';

const DAY_MS = 86_400_000;

/** A user's whole history decoded into columns, sorted by time: the form every statistic reads. */
export interface Columns {
  version: number;
  n: number;
  ts: Float64Array;
  ms: Uint32Array;
  entry: Int32Array; // index into `entries`
  flags: Uint8Array;
  platform: Int16Array;
  country: Int16Array;
  entries: { name: string; artist: string; album: string | null; trackId: string | null; kind: number; artistIdx: number; albumIdx: number }[];
  artists: string[];
  albums: { name: string; artist: string }[];
  platforms: string[];
  countries: string[];
}

export interface TopItem {
  name: string;
  artist?: string;
  track_id?: string | null;
  plays: number;
  ms_played: number;
}

export interface HistoryStats {
  from: string | null;
  to: string | null;
  time_zone: string;
  rules: string[];
  counting_rules: CountingRules;
  plays: number;
  entries: number;
  ms_played: number;
  hours: number;
  distinct: { tracks: number; artists: number; albums: number };
  top_artists: (TopItem & { first_listen: string })[];
  top_artists_by_plays: TopItem[];
  top_tracks: TopItem[];
  top_tracks_by_plays: TopItem[];
  top_albums: TopItem[];
  per_day: { date: string; ms: number; plays: number }[];
  per_month: { month: string; ms: number; plays: number }[];
  /** [weekday 0 = Monday][hour] → plays */
  hour_weekday: number[][];
  skip_rate: number | null;
  shuffle_share: number | null;
  platforms: { name: string; ms: number }[];
  countries: { name: string; ms: number }[];
  longest_streak: { days: number; from: string | null; to: string | null };
  years: { year: string; hours: number; plays: number; top_artist: string | null; top_track: string | null; new_artists: number }[];
  episodes: { entries: number; ms_played: number; top_shows: { name: string; ms_played: number }[] };
  first_play: string | null;
  last_play: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Lifetime statistics over imported history. The decoded history is cached per user and version
 * (one GetItem checks the version), so any date range is computed from memory in milliseconds.
 */
export class HistoryStatsService {
  private readonly cache = new LruCache<Columns>(400 * 1024 * 1024);

  constructor(
    private readonly repo: HistoryRepository,
    /** The person's time zone and counting rules, used when a query does not give them. */
    private readonly prefs: (userId: string) => Promise<{ timeZone: string; countingRules: CountingRules }>,
  ) {}

  async stats(userId: string, q: { from?: string; to?: string; tz?: string; rules?: CountingRules }): Promise<HistoryStats> {
    const { tz, rules } = await this.settings(userId, q);
    const cols = await this.columns(userId);
    return compute(cols, tz, q.from ?? null, q.to ?? null, rules);
  }

  /** Validates a query's range and zone and fills in the person's own zone and rules. */
  async settings(userId: string, q: { from?: string; to?: string; tz?: string; rules?: CountingRules }): Promise<{ tz: string; rules: CountingRules }> {
    for (const [k, v] of [['from', q.from], ['to', q.to]] as const) {
      if (v !== undefined && (!DATE.test(v) || Number.isNaN(Date.parse(v)))) throw new BadRequest(`${k} must be a date as YYYY-MM-DD.`, 'invalid_date');
    }
    if (q.from && q.to && q.from > q.to) throw new BadRequest('from must not be after to.', 'invalid_range');
    const prefs = q.tz && q.rules ? null : await this.prefs(userId);
    const tz = q.tz ?? prefs!.timeZone;
    if (!isTimeZone(tz)) throw new BadRequest(`Unknown time zone ${JSON.stringify(tz.slice(0, 60))}.`, 'invalid_time_zone');
    return { tz, rules: q.rules ?? prefs!.countingRules };
  }

  /** The decoded history of a user, from memory when the stored version has not moved. */
  async columns(userId: string): Promise<Columns> {
    const { version } = await this.repo.meta(userId);
    const hit = this.cache.get(userId);
    if (hit && hit.version === version) return hit;
    const cols = await load(this.repo, userId, version);
    this.cache.set(userId, cols, cols.n * 32 + cols.entries.length * 200 + 1024);
    return cols;
  }

  /** Drops a user's cached history (after an import in this process). */
  forget(userId: string): void {
    this.cache.delete(userId);
  }
}

async function load(repo: HistoryRepository, userId: string, version: number): Promise<Columns> {
  const days = await repo.allDays(userId);
  days.sort((a, b) => a.date.localeCompare(b.date));
  const total = days.reduce((s, d) => s + (Number(d.item.n) || 0), 0);
  const cols: Columns = {
    version, n: 0,
    ts: new Float64Array(total), ms: new Uint32Array(total), entry: new Int32Array(total), flags: new Uint8Array(total),
    platform: new Int16Array(total), country: new Int16Array(total),
    entries: [], artists: [], albums: [], platforms: [], countries: [],
  };
  const entryIdx = new Map<string, number>();
  const artistIdx = new Map<string, number>();
  const albumIdx = new Map<string, number>();
  const platIdx = new Map<string, number>();
  const countryIdx = new Map<string, number>();
  const intern = (map: Map<string, number>, list: string[], v: string | null) => {
    if (v === null) return -1;
    let i = map.get(v);
    if (i === undefined) {
      i = list.push(v) - 1;
      map.set(v, i);
    }
    return i;
  };
  for (const { date, item } of days) {
    // Decoded straight into the columns (no object per play: a 250k-play history would make 250k).
    const dayStart = Date.parse(`${date}T00:00:00Z`);
    const parts = dayParts(item);
    const dict = JSON.parse(parts.dict) as [string, string, string | null, string | null, number][];
    const meta = JSON.parse(parts.meta) as { p: string[]; c: string[] };
    const localEntry = dict.map(([name, artist, album, trackId, kind]) => {
      const key = `${kind}|${artist}|${name}|${album ?? ''}|${trackId ?? ''}`;
      let e = entryIdx.get(key);
      if (e === undefined) {
        const a = artistIdx.get(artist) ?? artistIdx.set(artist, cols.artists.push(artist) - 1).get(artist)!;
        const albumKey = `${artist}|${album ?? ''}`;
        let al = -1;
        if (album) al = albumIdx.get(albumKey) ?? albumIdx.set(albumKey, cols.albums.push({ name: album, artist }) - 1).get(albumKey)!;
        e = cols.entries.push({ name, artist, album, trackId, kind, artistIdx: a, albumIdx: al }) - 1;
        entryIdx.set(key, e);
      }
      return e;
    });
    const localPlatform = meta.p.map((p) => intern(platIdx, cols.platforms, p));
    const localCountry = meta.c.map((c) => intern(countryIdx, cols.countries, c));
    const text = parts.plays;
    if (!text) continue;
    let pos = 0;
    while (pos < text.length) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = text.length;
      const f = text.slice(pos, nl).split(',');
      const i = cols.n++;
      cols.ts[i] = dayStart + Number(f[0]) * 1000;
      cols.entry[i] = localEntry[Number(f[1])];
      cols.ms[i] = Number(f[2]);
      cols.flags[i] = Number(f[3]);
      const pl = Number(f[4]);
      const co = Number(f[5]);
      cols.platform[i] = pl >= 0 ? localPlatform[pl] : -1;
      cols.country[i] = co >= 0 ? localCountry[co] : -1;
      pos = nl + 1;
    }
  }
  return cols;
}

function lowerBound(ts: Float64Array, n: number, value: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function top<T>(counts: Map<number, { plays: number; ms: number }>, by: 'plays' | 'ms', make: (i: number) => T, limit = 50): (T & { plays: number; ms_played: number })[] {
  return [...counts]
    .sort((a, b) => (by === 'plays' ? b[1].plays - a[1].plays || b[1].ms - a[1].ms : b[1].ms - a[1].ms || b[1].plays - a[1].plays) || a[0] - b[0])
    .slice(0, limit)
    .map(([i, c]) => ({ ...make(i), plays: c.plays, ms_played: c.ms }));
}

/** The index range [i0, i1) of plays between two local dates (inclusive), in a time zone. */
export function rangeOf(c: Columns, offsets: OffsetTable, from: string | null, to: string | null): [number, number] {
  const start = from ? offsets.startOfLocalDay(from) : -Infinity;
  const end = to ? offsets.startOfLocalDay(new Date(Date.parse(to) + DAY_MS).toISOString().slice(0, 10)) : Infinity;
  return [lowerBound(c.ts, c.n, start), lowerBound(c.ts, c.n, end)];
}

function compute(c: Columns, tz: string, from: string | null, to: string | null, rules: CountingRules): HistoryStats {
  const offsets = new OffsetTable(tz);
  const [i0, i1] = rangeOf(c, offsets, from, to);

  // First listen of every artist over the whole history, not just the range.
  const firstListen = new Float64Array(c.artists.length).fill(Infinity);
  for (let i = 0; i < c.n; i++) {
    const e = c.entries[c.entry[i]];
    if (e.kind === 0 && c.ts[i] < firstListen[e.artistIdx] && classify(c.flags[i], c.ms[i], rules) !== EXCLUDED) firstListen[e.artistIdx] = c.ts[i];
  }

  const tracks = new Map<number, { plays: number; ms: number }>();
  const artists = new Map<number, { plays: number; ms: number }>();
  const albums = new Map<number, { plays: number; ms: number }>();
  const shows = new Map<string, number>();
  const perDay = new Map<number, { ms: number; plays: number }>();
  const hourWeekday = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  const platforms = new Float64Array(c.platforms.length);
  const countries = new Float64Array(c.countries.length);
  const years = new Map<number, { ms: number; plays: number; artists: Map<number, number>; tracks: Map<number, number> }>();
  let plays = 0, entries = 0, ms = 0, skipKnown = 0, skipped = 0, shuffleKnown = 0, shuffled = 0, epEntries = 0, epMs = 0;
  const bump = (m: Map<number, { plays: number; ms: number }>, k: number, counted: boolean, v: number) => {
    const x = m.get(k);
    if (x) {
      x.ms += v;
      if (counted) x.plays++;
    } else m.set(k, { ms: v, plays: counted ? 1 : 0 });
  };

  for (let i = i0; i < i1; i++) {
    const e = c.entries[c.entry[i]];
    const v = c.ms[i];
    if (e.kind !== 0) {
      if (classify(c.flags[i], v, rules) === EXCLUDED) continue;
      epEntries++;
      epMs += v;
      shows.set(e.artist, (shows.get(e.artist) ?? 0) + v);
      continue;
    }
    const cls = classify(c.flags[i], v, rules);
    if (cls === EXCLUDED) continue;
    const counted = cls === PLAY;
    entries++;
    ms += v;
    if (counted) plays++;
    bump(tracks, c.entry[i], counted, v);
    bump(artists, e.artistIdx, counted, v);
    if (e.albumIdx >= 0) bump(albums, e.albumIdx, counted, v);
    const skip = flagOf(c.flags[i], 'skipped');
    if (skip !== null) {
      skipKnown++;
      if (skip) skipped++;
    }
    const shuffle = flagOf(c.flags[i], 'shuffle');
    if (shuffle !== null) {
      shuffleKnown++;
      if (shuffle) shuffled++;
    }
    if (c.platform[i] >= 0) platforms[c.platform[i]] += v;
    if (c.country[i] >= 0) countries[c.country[i]] += v;
    const local = c.ts[i] + offsets.at(c.ts[i]);
    const day = Math.floor(local / DAY_MS);
    const d = perDay.get(day);
    if (d) {
      d.ms += v;
      if (counted) d.plays++;
    } else perDay.set(day, { ms: v, plays: counted ? 1 : 0 });
    if (counted) {
      const date = new Date(local);
      hourWeekday[(date.getUTCDay() + 6) % 7][date.getUTCHours()]++;
    }
    const year = new Date(local).getUTCFullYear();
    let y = years.get(year);
    if (!y) years.set(year, (y = { ms: 0, plays: 0, artists: new Map(), tracks: new Map() }));
    y.ms += v;
    if (counted) {
      y.plays++;
      y.artists.set(e.artistIdx, (y.artists.get(e.artistIdx) ?? 0) + v);
      y.tracks.set(c.entry[i], (y.tracks.get(c.entry[i]) ?? 0) + v);
    }
  }

  const dayKeys = [...perDay.keys()].sort((a, b) => a - b);
  const isoDay = (d: number) => new Date(d * DAY_MS).toISOString().slice(0, 10);
  const months = new Map<string, { ms: number; plays: number }>();
  let best = { days: 0, from: null as string | null, to: null as string | null };
  let runStart = -1;
  let prev = -2;
  for (const d of dayKeys) {
    const v = perDay.get(d)!;
    const m = isoDay(d).slice(0, 7);
    const mm = months.get(m) ?? { ms: 0, plays: 0 };
    mm.ms += v.ms;
    mm.plays += v.plays;
    months.set(m, mm);
    if (v.plays === 0) {
      prev = -2;
      continue;
    }
    runStart = d === prev + 1 ? runStart : d;
    prev = d;
    if (d - runStart + 1 > best.days) best = { days: d - runStart + 1, from: isoDay(runStart), to: isoDay(d) };
  }

  const artistFirstYear = (a: number) => new Date(firstListen[a] + offsets.at(firstListen[a])).getUTCFullYear();
  const entry = (i: number) => c.entries[i];
  const argmax = (m: Map<number, number>) => [...m].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
  return {
    from,
    to,
    time_zone: tz,
    rules: describeRules(rules),
    counting_rules: rules,
    plays,
    entries,
    ms_played: ms,
    hours: Math.round((ms / 3_600_000) * 10) / 10,
    distinct: { tracks: tracks.size, artists: artists.size, albums: albums.size },
    top_artists: top(artists, 'ms', (a) => ({ name: c.artists[a], first_listen: new Date(firstListen[a]).toISOString() })),
    top_artists_by_plays: top(artists, 'plays', (a) => ({ name: c.artists[a] })),
    top_tracks: top(tracks, 'ms', (t) => ({ name: entry(t).name, artist: entry(t).artist, track_id: entry(t).trackId })),
    top_tracks_by_plays: top(tracks, 'plays', (t) => ({ name: entry(t).name, artist: entry(t).artist, track_id: entry(t).trackId })),
    top_albums: top(albums, 'ms', (a) => ({ name: c.albums[a].name, artist: c.albums[a].artist })),
    per_day: dayKeys.map((d) => ({ date: isoDay(d), ...perDay.get(d)! })),
    per_month: [...months].map(([month, v]) => ({ month, ...v })),
    hour_weekday: hourWeekday,
    skip_rate: skipKnown ? skipped / skipKnown : null,
    shuffle_share: shuffleKnown ? shuffled / shuffleKnown : null,
    platforms: c.platforms.map((name, i) => ({ name, ms: platforms[i] })).filter((p) => p.ms > 0).sort((a, b) => b.ms - a.ms),
    countries: c.countries.map((name, i) => ({ name, ms: countries[i] })).filter((p) => p.ms > 0).sort((a, b) => b.ms - a.ms),
    longest_streak: best,
    years: [...years]
      .sort((a, b) => a[0] - b[0])
      .map(([year, y]) => {
        const ta = argmax(y.artists);
        const tt = argmax(y.tracks);
        return {
          year: String(year),
          hours: Math.round((y.ms / 3_600_000) * 10) / 10,
          plays: y.plays,
          top_artist: ta === undefined ? null : c.artists[ta],
          top_track: tt === undefined ? null : `${entry(tt).name} · ${entry(tt).artist}`,
          new_artists: [...y.artists.keys()].filter((a) => artistFirstYear(a) === year).length,
        };
      }),
    episodes: {
      entries: epEntries,
      ms_played: epMs,
      top_shows: [...shows].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([name, v]) => ({ name, ms_played: v })),
    },
    first_play: i1 > i0 ? new Date(c.ts[i0]).toISOString() : null,
    last_play: i1 > i0 ? new Date(c.ts[i1 - 1]).toISOString() : null,
  };
}
