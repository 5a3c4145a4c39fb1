import type { TrackFeatures } from '../features/FeatureProvider';
import { rangeOf, type Columns } from './columns';
import { classify, EXCLUDED, type CountingRules } from './countingRules';
import { OffsetTable } from './timeZones';

/* Taste over time as pure functions over columns; TasteService looks the facts up and caches them. */

const DAY_MS = 86_400_000;

/** The features the series follows; the first three are 0–1, tempo is BPM. */
export const TASTE_FEATURES = ['energy', 'valence', 'danceability', 'tempo'] as const;
/** Genres are looked up for the artists that make up this share of listening time... */
const GENRE_TIME_SHARE = 0.95;
/** ...but for no more than this many artists (MusicBrainz allows one request a second). */
const GENRE_MAX_ARTISTS = 200;
/** Genres shown by name in the stacked chart; the rest are "other". */
const TOP_GENRES = 8;

export interface TastePeriod {
  period: string;
  /** Listening time in the period (music entries the counting rules keep). */
  ms: number;
  /** Of which tracks with known features. */
  features_ms: number;
  energy: number | null;
  valence: number | null;
  danceability: number | null;
  tempo: number | null;
  /** Listening time of artists with known genres, and each shown genre's share of it (0–1). */
  genres_ms: number;
  genres: Record<string, number>;
}

export interface TasteSeries {
  from: string | null;
  to: string | null;
  granularity: 'month' | 'week';
  time_zone: string;
  counting_rules: CountingRules;
  periods: TastePeriod[];
  /** Genre names in the order of the stacked chart (largest first), "other" last when present. */
  genres: string[];
  coverage: {
    ms_played: number;
    features_ms: number;
    /** features_ms / ms_played, 0–1 (null without listening time). */
    features_share: number | null;
    genres_ms: number;
    genres_share: number | null;
    tracks: number;
    tracks_with_features: number;
    /** Entries without a Spotify track id (the account-data export has none): never matched to features. */
    tracks_without_id: number;
  };
  most_upbeat: { period: string; valence: number } | null;
  calmest: { period: string; energy: number } | null;
  enrichment: {
    status: 'running' | 'done' | 'failed';
    tracks_pending: number;
    artists_pending: number;
    provider: string | null;
    note: string | null;
    error: string | null;
  };
}

/** What computeTaste joins with the plays: each entry's features and each artist's genres. */
export interface TasteFacts {
  /** Four values per entry (TASTE_FEATURES order), NaN where unknown. */
  entryFeat: Float32Array;
  /** Per artist: indexes into genreNames, or null when no genre is known. */
  artistGenres: (Int32Array | null)[];
  genreNames: string[];
}

/** The facts known so far laid out per entry and per artist of the columns. */
export function tasteFacts(
  cols: Columns,
  featuresOf: (trackId: string) => TrackFeatures | null | undefined,
  genresOf: (artist: string) => string[] | undefined,
): TasteFacts {
  const entryFeat = new Float32Array(cols.entries.length * 4).fill(Number.NaN);
  cols.entries.forEach((e, i) => {
    const f = e.trackId ? featuresOf(e.trackId) : undefined;
    if (!f) return;
    TASTE_FEATURES.forEach((k, j) => {
      const v = f[k];
      if (typeof v === 'number') entryFeat[i * 4 + j] = v;
    });
  });
  const genreNames: string[] = [];
  const genreIdx = new Map<string, number>();
  const artistGenres = cols.artists.map((name) => {
    const g = genresOf(name);
    if (!g || g.length === 0) return null;
    // Each artist's time is split evenly over their first three genres.
    return Int32Array.from(g.slice(0, 3).map((x) => genreIdx.get(x) ?? genreIdx.set(x, genreNames.push(x) - 1).get(x)!));
  });
  return { entryFeat, artistGenres, genreNames };
}

/** The artists whose genres are worth looking up: those making up most of the listening time, largest first. */
export function artistsForGenres(cols: Columns): string[] {
  const ms = new Float64Array(cols.artists.length);
  for (let i = 0; i < cols.n; i++) {
    const e = cols.entries[cols.entry[i]];
    if (e.kind === 0) ms[e.artistIdx] += cols.ms[i];
  }
  const total = ms.reduce((s, v) => s + v, 0);
  const order = [...ms.keys()].sort((a, b) => ms[b] - ms[a]);
  const chosen: string[] = [];
  let covered = 0;
  for (const a of order) {
    if (covered >= total * GENRE_TIME_SHARE || chosen.length >= GENRE_MAX_ARTISTS || ms[a] === 0) break;
    chosen.push(cols.artists[a]);
    covered += ms[a];
  }
  return chosen;
}

/**
 * Taste per month or week over the plays between two local dates: features weighted by listening
 * time, genre shares, and how much of the time the known facts cover.
 */
export function computeTaste(
  cols: Columns,
  facts: TasteFacts,
  q: { from: string | null; to: string | null; tz: string; rules: CountingRules; granularity: 'month' | 'week' },
  enrichment: TasteSeries['enrichment'],
): TasteSeries {
  const { entryFeat, artistGenres, genreNames } = facts;
  const offsets = new OffsetTable(q.tz);
  const [i0, i1] = rangeOf(cols, offsets, q.from, q.to);
  const G = genreNames.length;
  type Acc = { ms: number; fms: number; sums: Float64Array; counts: Float64Array; gms: number; genres: Float64Array };
  const periods = new Map<number, Acc>();
  const trackSeen = new Uint8Array(cols.entries.length);
  let ms = 0, fms = 0, gms = 0;
  let lastKey = Number.NaN;
  let acc: Acc | undefined;
  for (let i = i0; i < i1; i++) {
    const e = cols.entry[i];
    const entry = cols.entries[e];
    if (entry.kind !== 0) continue;
    const v = cols.ms[i];
    if (classify(cols.flags[i], v, q.rules) === EXCLUDED) continue;
    const local = cols.ts[i] + offsets.at(cols.ts[i]);
    const day = Math.floor(local / DAY_MS);
    let key: number;
    if (q.granularity === 'week') key = day - ((day + 3) % 7); // 1970-01-05 was a Monday: weeks start on Mondays
    else {
      const d = new Date(local);
      key = d.getUTCFullYear() * 12 + d.getUTCMonth();
    }
    if (key !== lastKey) {
      acc = periods.get(key);
      if (!acc) periods.set(key, (acc = { ms: 0, fms: 0, sums: new Float64Array(4), counts: new Float64Array(4), gms: 0, genres: new Float64Array(G) }));
      lastKey = key;
    }
    const a = acc!;
    trackSeen[e] = 1;
    a.ms += v;
    ms += v;
    const f0 = entryFeat[e * 4];
    if (!Number.isNaN(f0) || !Number.isNaN(entryFeat[e * 4 + 3])) {
      a.fms += v;
      fms += v;
      for (let k = 0; k < 4; k++) {
        const f = entryFeat[e * 4 + k];
        if (!Number.isNaN(f)) {
          a.sums[k] += f * v;
          a.counts[k] += v;
        }
      }
    }
    const g = artistGenres[entry.artistIdx];
    if (g) {
      a.gms += v;
      gms += v;
      const share = v / g.length;
      for (let k = 0; k < g.length; k++) a.genres[g[k]] += share;
    }
  }

  // The genres shown by name: the largest over the range; the rest add up to "other".
  const totals = new Float64Array(G);
  for (const a of periods.values()) for (let k = 0; k < G; k++) totals[k] += a.genres[k];
  const top = [...totals.keys()].filter((k) => totals[k] > 0).sort((x, y) => totals[y] - totals[x] || genreNames[x].localeCompare(genreNames[y])).slice(0, TOP_GENRES);
  const shown = new Set(top);
  const hasOther = [...totals.keys()].some((k) => totals[k] > 0 && !shown.has(k));

  const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
  const out: TastePeriod[] = [...periods.keys()].sort((x, y) => x - y).map((key) => {
    const a = periods.get(key)!;
    const avg = (k: number, d: number) => (a.counts[k] > 0 ? round(a.sums[k] / a.counts[k], d) : null);
    const genres: Record<string, number> = {};
    if (a.gms > 0) {
      let other = 0;
      for (let k = 0; k < G; k++) {
        if (shown.has(k)) genres[genreNames[k]] = round(a.genres[k] / a.gms, 4);
        else other += a.genres[k];
      }
      if (hasOther) genres.other = round(other / a.gms, 4);
    }
    return {
      period: q.granularity === 'week' ? new Date(key * DAY_MS).toISOString().slice(0, 10) : `${Math.floor(key / 12)}-${String((key % 12) + 1).padStart(2, '0')}`,
      ms: a.ms, features_ms: a.fms,
      energy: avg(0, 3), valence: avg(1, 3), danceability: avg(2, 3), tempo: avg(3, 1),
      genres_ms: a.gms, genres,
    };
  });

  // Extremes only among periods where features cover enough time to mean something.
  const solid = out.filter((p) => p.features_ms > 0 && p.features_ms >= 0.5 * p.ms && p.features_ms >= 30 * 60_000);
  const best = <K extends 'valence' | 'energy'>(k: K, dir: 1 | -1) =>
    solid.filter((p) => p[k] !== null).sort((x, y) => dir * ((y[k] as number) - (x[k] as number)) || x.period.localeCompare(y.period))[0];
  const upbeat = best('valence', 1);
  const calm = best('energy', -1);

  let tracks = 0, withFeatures = 0, withoutId = 0;
  for (let e = 0; e < trackSeen.length; e++) {
    if (!trackSeen[e]) continue;
    tracks++;
    if (!cols.entries[e].trackId) withoutId++;
    else if (!Number.isNaN(entryFeat[e * 4]) || !Number.isNaN(entryFeat[e * 4 + 3])) withFeatures++;
  }
  return {
    from: q.from, to: q.to, granularity: q.granularity, time_zone: q.tz, counting_rules: q.rules,
    periods: out,
    genres: [...top.map((k) => genreNames[k]), ...(hasOther ? ['other'] : [])],
    coverage: {
      ms_played: ms, features_ms: fms, features_share: ms ? round(fms / ms, 4) : null, genres_ms: gms, genres_share: ms ? round(gms / ms, 4) : null,
      tracks, tracks_with_features: withFeatures, tracks_without_id: withoutId,
    },
    most_upbeat: upbeat ? { period: upbeat.period, valence: upbeat.valence! } : null,
    calmest: calm ? { period: calm.period, energy: calm.energy! } : null,
    enrichment,
  };
}
