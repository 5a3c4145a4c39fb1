import { rangeOf, type Columns } from './columns';
import { classify, EXCLUDED, PLAY, type CountingRules } from './countingRules';
import { groupsOf, type PersonalIndex, type PersonalKind } from './personalIndex';
import { albumKey, artistKey } from './personalKeys';
import { flagOf } from './play';
import { OffsetTable } from './timeZones';

/* The personal pages' numbers and the ranked top lists, as pure functions over columns and their personal index. */

const DAY_MS = 86_400_000;

export interface Period {
  from: string | null;
  to: string | null;
}

export interface RankedItem {
  key: string;
  name: string;
  artist: string;
  artist_key: string;
  plays: number;
  ms_played: number;
  rank: number;
  /** Rank in the previous period of the same length; null when the item was not played then. */
  previous_rank: number | null;
  /** Places gained (positive) or lost since the previous period; "new" when not played then; null when there is no previous period. */
  change: number | 'new' | null;
}

export interface Tally {
  plays: number;
  ms: number;
}

/** Plays and listening time per group (artist, track or album) in [i0, i1), under counting rules. */
export function tallyGroups(c: Columns, of: Int32Array, i0: number, i1: number, rules: CountingRules): Map<number, Tally> {
  const out = new Map<number, Tally>();
  for (let i = i0; i < i1; i++) {
    const g = of[c.entry[i]];
    if (g < 0) continue;
    const cls = classify(c.flags[i], c.ms[i], rules);
    if (cls === EXCLUDED) continue;
    const t = out.get(g);
    if (t) {
      t.ms += c.ms[i];
      if (cls === PLAY) t.plays++;
    } else out.set(g, { ms: c.ms[i], plays: cls === PLAY ? 1 : 0 });
  }
  return out;
}

export function sortTallies(m: Map<number, Tally>, by: 'plays' | 'ms'): [number, Tally][] {
  return [...m].sort((a, b) => (by === 'plays' ? b[1].plays - a[1].plays || b[1].ms - a[1].ms : b[1].ms - a[1].ms || b[1].plays - a[1].plays) || a[0] - b[0]);
}

/**
 * A top list of a period, each item with its rank in the previous period of the same length
 * (▲ 3, ▼ 2, new). Artists and albums rank by listening time, tracks by plays, as the history page shows them.
 */
export function rankedTop(
  c: Columns, idx: PersonalIndex, kind: PersonalKind, tz: string, period: Period, previous: Period | null, rules: CountingRules,
  o: { by?: 'plays' | 'ms'; limit?: number } = {},
): RankedItem[] {
  const by = o.by ?? (kind === 'track' ? 'plays' : 'ms');
  const offsets = new OffsetTable(tz);
  const { groups, of } = groupsOf(idx, kind);
  const [i0, i1] = rangeOf(c, offsets, period.from, period.to);
  const current = sortTallies(tallyGroups(c, of, i0, i1, rules), by).slice(0, o.limit ?? 50);
  let before: Map<number, number> | null = null;
  if (previous) {
    const [p0, p1] = rangeOf(c, offsets, previous.from, previous.to);
    before = new Map(sortTallies(tallyGroups(c, of, p0, p1, rules), by).map(([g], r) => [g, r + 1]));
  }
  return current.map(([g, t], r) => {
    const grp = groups[g];
    const prev = before?.get(g) ?? null;
    return {
      key: grp.key, name: grp.name, artist: grp.artist, artist_key: artistKey(grp.artist), plays: t.plays, ms_played: t.ms, rank: r + 1,
      previous_rank: prev, change: before === null ? null : prev === null ? 'new' : prev - (r + 1),
    };
  });
}

export interface PersonalPage {
  kind: PersonalKind;
  key: string;
  name: string;
  artist: string;
  artist_key: string;
  /** Tracks: the album it was played from (the first seen), with its personal key. */
  album: { name: string; key: string } | null;
  /** Tracks: Spotify ids seen in the history. */
  track_ids: string[];
  from: string | null;
  to: string | null;
  time_zone: string;
  plays: number;
  ms_played: number;
  /** Rank by listening time among all artists (tracks, albums) in the period. */
  rank: number | null;
  /** Over the whole history (whatever the period): the first and the last listen, ISO. */
  first_listen: string | null;
  last_listen: string | null;
  /** Per local month of the period: plays, listening time, rank among all of its kind by time, share of all music listening time. */
  per_month: { month: string; plays: number; ms: number; rank: number | null; share: number }[];
  top_tracks: { key: string; name: string; plays: number; ms_played: number }[];
  top_albums: { key: string; name: string; plays: number; ms_played: number }[];
  /** [weekday 0 = Monday][hour] → plays */
  hour_weekday: number[][];
  /** Skip rate over the entries whose export says whether they were skipped; coverage: their share of all entries. */
  skips: { rate: number | null; skipped: number; known: number; entries: number; coverage: number | null };
  longest_streak: { days: number; from: string | null; to: string | null };
}

/** Everything a personal artist, track or album page shows, for one period. */
export function personalPage(c: Columns, idx: PersonalIndex, kind: PersonalKind, group: number, tz: string, period: Period, rules: CountingRules): PersonalPage {
  const offsets = new OffsetTable(tz);
  const { groups, of } = groupsOf(idx, kind);
  const grp = groups[group];
  const [i0, i1] = rangeOf(c, offsets, period.from, period.to);

  let first = Infinity;
  let last = -Infinity;
  // First and last listen over the whole history, not only the period.
  for (let i = 0; i < c.n; i++) {
    if (of[c.entry[i]] !== group) continue;
    if (classify(c.flags[i], c.ms[i], rules) === EXCLUDED) continue;
    if (c.ts[i] < first) first = c.ts[i];
    if (c.ts[i] > last) last = c.ts[i];
  }

  // Months of local days, memoised: a Date per day, not per play.
  const monthOfDay = new Map<number, number>();
  const monthOf = (ts: number) => {
    const day = Math.floor((ts + offsets.at(ts)) / DAY_MS);
    let m = monthOfDay.get(day);
    if (m === undefined) {
      const d = new Date(day * DAY_MS);
      m = d.getUTCFullYear() * 12 + d.getUTCMonth();
      monthOfDay.set(day, m);
    }
    return m;
  };
  // Per month: this item's tally, all music, and every group's time (for the rank).
  const mine = new Map<number, Tally>();
  const totalMs = new Map<number, number>();
  // Every group's time in the current month (plays come in time order, so months come one after
  // another): at each month's end, the rank is 1 + the groups with more time than this one.
  const acc = new Float64Array(groups.length);
  const touched: number[] = [];
  const monthRank = new Map<number, number>();
  let current = -1;
  const closeMonth = () => {
    const own = acc[group];
    if (own > 0) {
      let r = 1;
      for (const g of touched) if (acc[g] > own) r++;
      monthRank.set(current, r);
    }
    for (const g of touched) acc[g] = 0;
    touched.length = 0;
  };
  const periodTotals = new Float64Array(groups.length);
  const tracks = new Map<number, Tally>();
  const albums = new Map<number, Tally>();
  const hourWeekday = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  const days = new Map<number, number>();
  let plays = 0, ms = 0, entries = 0, known = 0, skipped = 0;
  const bump = (m: Map<number, Tally>, k: number, v: number, counted: boolean) => {
    const t = m.get(k);
    if (t) {
      t.ms += v;
      if (counted) t.plays++;
    } else m.set(k, { ms: v, plays: counted ? 1 : 0 });
  };
  for (let i = i0; i < i1; i++) {
    const e = c.entry[i];
    if (c.entries[e].kind !== 0) continue;
    const cls = classify(c.flags[i], c.ms[i], rules);
    if (cls === EXCLUDED) continue;
    const v = c.ms[i];
    const m = monthOf(c.ts[i]);
    totalMs.set(m, (totalMs.get(m) ?? 0) + v);
    const g = of[e];
    if (m !== current) {
      closeMonth();
      current = m;
    }
    if (g >= 0) {
      if (acc[g] === 0) touched.push(g);
      acc[g] += v;
      periodTotals[g] += v;
    }
    if (g !== group) continue;
    const counted = cls === PLAY;
    entries++;
    ms += v;
    if (counted) plays++;
    bump(mine, m, v, counted);
    bump(tracks, idx.trackOf[e], v, counted);
    if (idx.albumOf[e] >= 0) bump(albums, idx.albumOf[e], v, counted);
    const skip = flagOf(c.flags[i], 'skipped');
    if (skip !== null) {
      known++;
      if (skip) skipped++;
    }
    const local = c.ts[i] + offsets.at(c.ts[i]);
    if (counted) {
      const d = new Date(local);
      hourWeekday[(d.getUTCDay() + 6) % 7][d.getUTCHours()]++;
      const day = Math.floor(local / DAY_MS);
      days.set(day, (days.get(day) ?? 0) + 1);
    }
  }

  closeMonth();
  const rankIn = (totals: Float64Array, value: number) => {
    let r = 1;
    for (const v of totals) if (v > value) r++;
    return r;
  };

  const months = [...totalMs.keys()].sort((a, b) => a - b);
  const perMonth = months.length
    ? Array.from({ length: months[months.length - 1] - months[0] + 1 }, (_, k) => {
        const m = months[0] + k;
        const t = mine.get(m);
        const total = totalMs.get(m) ?? 0;
        return {
          month: `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`,
          plays: t?.plays ?? 0,
          ms: t?.ms ?? 0,
          rank: t && t.ms > 0 ? (monthRank.get(m) ?? 1) : null,
          share: total ? (t?.ms ?? 0) / total : 0,
        };
      })
    : [];

  const isoDay = (d: number) => new Date(d * DAY_MS).toISOString().slice(0, 10);
  let best = { days: 0, from: null as string | null, to: null as string | null };
  let runStart = -1;
  let prev = -2;
  for (const d of [...days.keys()].sort((a, b) => a - b)) {
    runStart = d === prev + 1 ? runStart : d;
    prev = d;
    if (d - runStart + 1 > best.days) best = { days: d - runStart + 1, from: isoDay(runStart), to: isoDay(d) };
  }

  const list = (m: Map<number, Tally>, make: (g: number) => { key: string; name: string }) =>
    sortTallies(m, 'plays').slice(0, 25).map(([g, t]) => ({ ...make(g), plays: t.plays, ms_played: t.ms }));
  return {
    kind,
    key: grp.key,
    name: grp.name,
    artist: grp.artist,
    artist_key: artistKey(grp.artist),
    album: kind === 'track' && grp.album ? { name: grp.album, key: albumKey(grp.artist, grp.album) } : null,
    track_ids: kind === 'track' ? grp.trackIds : [],
    from: period.from,
    to: period.to,
    time_zone: tz,
    plays,
    ms_played: ms,
    rank: ms > 0 ? rankIn(periodTotals, ms) : null,
    first_listen: Number.isFinite(first) ? new Date(first).toISOString() : null,
    last_listen: Number.isFinite(last) ? new Date(last).toISOString() : null,
    per_month: perMonth,
    top_tracks: kind === 'track' ? [] : list(tracks, (g) => ({ key: idx.tracks[g].key, name: idx.tracks[g].name })),
    top_albums: kind === 'artist' ? list(albums, (g) => ({ key: idx.albums[g].key, name: idx.albums[g].name })) : [],
    hour_weekday: hourWeekday,
    skips: { rate: known ? skipped / known : null, skipped, known, entries, coverage: entries ? known / entries : null },
    longest_streak: best,
  };
}
