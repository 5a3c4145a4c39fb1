import { rangeOf, type Columns } from './columns';
import { classify, describeRules, EXCLUDED, PLAY, type CountingRules } from './countingRules';
import { flagOf, PLAY_KINDS, SKIP_INFERRED_BIT } from './play';
import type { Reclassified } from './podcastRecognition';
import { OffsetTable } from './timeZones';

/* Statistics as pure functions over columns; HistoryStatsService loads and caches the columns. */

const DAY_MS = 86_400_000;
const AUDIOBOOK = PLAY_KINDS.indexOf('audiobook');

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
  /**
   * What the skip rate is based on: music entries in the range, those whose skip is known, and how
   * many of those were read from reason_end because the export's `skipped` was null.
   */
  skip_coverage: { entries: number; known: number; from_reason_end: number };
  shuffle_share: number | null;
  shuffle_coverage: { entries: number; known: number };
  platforms: { name: string; ms: number }[];
  countries: { name: string; ms: number }[];
  longest_streak: { days: number; from: string | null; to: string | null };
  years: { year: string; hours: number; plays: number; top_artist: string | null; top_track: string | null; new_artists: number }[];
  episodes: { entries: number; ms_played: number; top_shows: { name: string; ms_played: number }[] };
  /** Audiobook chapters, counted apart from music and from podcast episodes. */
  audiobooks: { entries: number; ms_played: number; top_books: { name: string; ms_played: number }[] };
  first_play: string | null;
  last_play: string | null;
  /** Names whose music entries are counted as podcast episodes, over the whole history (podcastRecognition). */
  reclassified: Reclassified;
}

function top<T>(counts: Map<number, { plays: number; ms: number }>, by: 'plays' | 'ms', make: (i: number) => T, limit = 50): (T & { plays: number; ms_played: number })[] {
  return [...counts]
    .sort((a, b) => (by === 'plays' ? b[1].plays - a[1].plays || b[1].ms - a[1].ms : b[1].ms - a[1].ms || b[1].plays - a[1].plays) || a[0] - b[0])
    .slice(0, limit)
    .map(([i, c]) => ({ ...make(i), plays: c.plays, ms_played: c.ms }));
}

/** Lifetime statistics of the plays between two local dates (inclusive; null: open), under counting rules. */
export function computeStats(c: Columns, tz: string, from: string | null, to: string | null, rules: CountingRules): HistoryStats {
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
  const books = new Map<string, number>();
  let bookEntries = 0, bookMs = 0;
  const perDay = new Map<number, { ms: number; plays: number }>();
  const hourWeekday = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  const platforms = new Float64Array(c.platforms.length);
  const countries = new Float64Array(c.countries.length);
  const years = new Map<number, { ms: number; plays: number; artists: Map<number, number>; tracks: Map<number, number> }>();
  let plays = 0, entries = 0, ms = 0, skipKnown = 0, skipped = 0, skipInferred = 0, shuffleKnown = 0, shuffled = 0, epEntries = 0, epMs = 0;
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
      if (e.kind === AUDIOBOOK) {
        bookEntries++;
        bookMs += v;
        books.set(e.artist, (books.get(e.artist) ?? 0) + v);
        continue;
      }
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
      if (c.flags[i] & SKIP_INFERRED_BIT) skipInferred++;
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
    skip_coverage: { entries, known: skipKnown, from_reason_end: skipInferred },
    shuffle_share: shuffleKnown ? shuffled / shuffleKnown : null,
    shuffle_coverage: { entries, known: shuffleKnown },
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
    audiobooks: {
      entries: bookEntries,
      ms_played: bookMs,
      top_books: [...books].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([name, v]) => ({ name, ms_played: v })),
    },
    reclassified: c.reclassified ?? { entries: 0, names: [] },
    first_play: i1 > i0 ? new Date(c.ts[i0]).toISOString() : null,
    last_play: i1 > i0 ? new Date(c.ts[i1 - 1]).toISOString() : null,
  };
}
