import type { Logger } from 'pino';
import { BadRequest } from '../errors';
import type { TrackFeatures } from '../features/FeatureProvider';
import type { FeatureProviders } from '../features/FeatureProviders';
import type { GenreService } from '../genres/GenreService';
import { classify, EXCLUDED, type CountingRules } from './countingRules';
import { OffsetTable } from './timeZones';
import type { ApiProfile } from '../spotify/ApiProfile';
import type { TrackFactsRepository } from '../store/TrackFactsRepository';
import { Limiter } from '../util/Limiter';
import { type Columns, type HistoryStatsService, rangeOf } from './HistoryStatsService';
import { FeatureBatcher } from '../services/IngestPipeline';
import type { SearchService } from '../services/SearchService';
import { pickFeatures } from '../services/TrackFeatureService';

const DAY_MS = 86_400_000;
/** The features the series follows; the first three are 0–1, tempo is BPM. */
export const TASTE_FEATURES = ['energy', 'valence', 'danceability', 'tempo'] as const;
/** Genres are looked up for the artists that make up this share of listening time... */
const GENRE_TIME_SHARE = 0.95;
/** ...but for no more than this many artists (MusicBrainz allows one request a second). */
const GENRE_MAX_ARTISTS = 200;
/** Genres shown by name in the stacked chart; the rest are "other". */
const TOP_GENRES = 8;
/** Memory bounds: users whose lookups are held, and tracks and artists known (the catalog table keeps them all). */
const MAX_USERS = 500;
const MAX_FACTS = 300_000;

/** Map.set that first drops the oldest entries of a map grown past `max` (insertion order). */
function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (map.size >= max && !map.has(key)) {
    for (const k of [...map.keys()].slice(0, Math.ceil(max / 10))) map.delete(k);
  }
  map.set(key, value);
}

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

/** What the taste analysis knows about one user's history, and the lookup filling it in. */
interface UserTaste {
  version: number;
  status: 'running' | 'done' | 'failed';
  tracksPending: number;
  artistsPending: number;
  provider: string | null;
  note: string | null;
  error: string | null;
  running: Promise<void> | null;
  /** Bumped whenever a fact arrives, so the per-entry arrays are rebuilt only when needed. */
  generation: number;
  derived: { generation: number; entryFeat: Float32Array; artistGenres: (Int32Array | null)[]; genreNames: string[] } | null;
}

const hasFeatures = (f: Partial<TrackFeatures>) => TASTE_FEATURES.some((k) => typeof f[k] === 'number');

/**
 * Taste over time: plays from the history store joined with track features (feature provider, in
 * batches, cached in the catalog table) and artist genres (Spotify search by name → genre
 * provider), as features per month or week weighted by listening time and genre shares.
 * Lookups run in the background; every answer reports how much listening time they cover.
 */
export class TasteService {
  private readonly users = new Map<string, UserTaste>();
  /** Shared by every user: a track's features do not depend on who played it. null = provider has none. */
  private readonly features = new Map<string, TrackFeatures | null>();
  /** Artist name → genres ([] when unknown or the artist was not found). */
  private readonly genres = new Map<string, string[]>();

  constructor(
    private readonly o: {
      stats: HistoryStatsService;
      facts: TrackFactsRepository;
      providers: FeatureProviders;
      profile: ApiProfile;
      search: SearchService;
      genreService: GenreService;
      logger?: Logger;
      /** How long a request waits for lookups still running before answering with what is known. */
      budgetMs?: number;
    },
  ) {}

  async taste(userId: string, q: { from?: string; to?: string; tz?: string; granularity?: string }): Promise<TasteSeries> {
    const granularity = q.granularity ?? 'month';
    if (granularity !== 'month' && granularity !== 'week') throw new BadRequest('granularity is month or week.', 'invalid_granularity');
    const { tz, rules } = await this.o.stats.settings(userId, q);
    const cols = await this.o.stats.columns(userId);
    const state = this.stateFor(userId, cols);
    if (state.running) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([state.running, new Promise<void>((r) => (timer = setTimeout(r, this.o.budgetMs ?? 2000)))]);
      clearTimeout(timer);
    }
    return this.compute(cols, state, { from: q.from ?? null, to: q.to ?? null, tz, rules, granularity });
  }

  /** Forgets what is held for a user (account deletion). */
  forget(userId: string): void {
    this.users.delete(userId);
  }

  /** Waits for a user's lookups (tests, benchmarks). */
  async settled(userId: string): Promise<void> {
    await this.users.get(userId)?.running;
  }

  private stateFor(userId: string, cols: Columns): UserTaste {
    let state = this.users.get(userId);
    if (!state) {
      state = { version: -1, status: 'running', tracksPending: 0, artistsPending: 0, provider: null, note: null, error: null, running: null, generation: 0, derived: null };
      setBounded(this.users, userId, state, MAX_USERS);
    }
    // A new import (version) or a failed lookup starts the lookups again; known facts are kept.
    if (!state.running && (state.version !== cols.version || state.status === 'failed')) {
      const s = state;
      s.version = cols.version;
      s.status = 'running';
      s.error = null;
      s.running = this.enrich(s, cols)
        .then(() => void (s.status = 'done'))
        .catch((err: Error) => {
          s.status = 'failed';
          s.error = 'Looking up track features or genres failed; the next visit tries again.';
          this.o.logger?.warn({ err }, 'taste lookups failed');
        })
        .finally(() => {
          s.running = null;
          s.generation++;
        });
    }
    return state;
  }

  private async enrich(state: UserTaste, cols: Columns): Promise<void> {
    await Promise.all([this.enrichFeatures(state, cols), this.enrichGenres(state, cols)]);
  }

  private async enrichFeatures(state: UserTaste, cols: Columns): Promise<void> {
    const ids = [...new Set(cols.entries.filter((e) => e.kind === 0 && e.trackId).map((e) => e.trackId!))];
    const unknown = ids.filter((id) => !this.features.has(id));
    if (unknown.length === 0) return;
    for (const [id, f] of await this.o.facts.features(unknown)) setBounded(this.features, id, f, MAX_FACTS);
    state.generation++;
    const missing = unknown.filter((id) => !this.features.has(id));
    state.tracksPending = missing.length;
    if (missing.length === 0) return;

    type Row = { id: string } & TrackFeatures;
    const writes: Promise<void>[] = [];
    const chosen = await this.o.providers.current(this.o.profile.known ?? 'development');
    const batcher = new FeatureBatcher<Row>(chosen, (name) => this.o.providers.forbidden(name), (rows) => {
      state.tracksPending -= rows.length;
      if (batcher.providerName === 'none') return; // features turned off: nothing learnt, nothing stored
      const found = rows.map((r) => ({ trackId: r.id, features: hasFeatures(r) ? pickFeatures(r) : null }));
      for (const f of found) setBounded(this.features, f.trackId, f.features, MAX_FACTS);
      state.generation++;
      writes.push(this.o.facts.putFeatures(found));
    });
    batcher.add(missing.map((id) => ({ id }) as Row));
    await batcher.finish();
    await Promise.all(writes);
    state.provider = batcher.providerName;
    state.note = batcher.note;
  }

  private async enrichGenres(state: UserTaste, cols: Columns): Promise<void> {
    // The artists making up most of the listening time, largest first.
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
    const wanted = chosen.filter((name) => !this.genres.has(name));
    state.artistsPending = wanted.length;
    if (wanted.length === 0) return;

    const byName = await this.o.facts.artistsByName(wanted);
    const limiter = new Limiter(4);
    await limiter.map(wanted, async (name) => {
      let artist = byName.get(name);
      if (!artist) {
        artist = await this.findArtist(name);
        await this.o.facts.putArtistByName(name, artist);
      }
      const genres = artist.spotifyId ? (await this.o.genreService.genresFor(artist.spotifyId, artist.genres.length ? artist.genres : undefined)).genres : [];
      setBounded(this.genres, name, genres, MAX_FACTS);
      state.artistsPending--;
      state.generation++;
    });
  }

  /** A history names artists; Spotify search finds the one with exactly that name (or none). */
  private async findArtist(name: string): Promise<{ spotifyId: string | null; genres: string[] }> {
    if (name.trim() === '' || name.length > 100) return { spotifyId: null, genres: [] };
    const hits = await this.o.search.artists(name, 5);
    const exact = hits.find((h) => h.name.toLowerCase() === name.toLowerCase());
    return { spotifyId: exact?.id ?? null, genres: exact?.genres ?? [] };
  }

  /** Per-entry feature vectors and per-artist genre ids, rebuilt only when new facts arrived. */
  private derive(cols: Columns, state: UserTaste): NonNullable<UserTaste['derived']> {
    if (state.derived && state.derived.generation === state.generation && state.derived.entryFeat.length === cols.entries.length * 4) return state.derived;
    const entryFeat = new Float32Array(cols.entries.length * 4).fill(Number.NaN);
    cols.entries.forEach((e, i) => {
      const f = e.trackId ? this.features.get(e.trackId) : undefined;
      if (!f) return;
      TASTE_FEATURES.forEach((k, j) => {
        const v = f[k];
        if (typeof v === 'number') entryFeat[i * 4 + j] = v;
      });
    });
    const genreNames: string[] = [];
    const genreIdx = new Map<string, number>();
    const artistGenres = cols.artists.map((name) => {
      const g = this.genres.get(name);
      if (!g || g.length === 0) return null;
      // Each artist's time is split evenly over their first three genres.
      return Int32Array.from(g.slice(0, 3).map((x) => genreIdx.get(x) ?? genreIdx.set(x, genreNames.push(x) - 1).get(x)!));
    });
    state.derived = { generation: state.generation, entryFeat, artistGenres, genreNames };
    return state.derived;
  }

  private compute(
    cols: Columns,
    state: UserTaste,
    q: { from: string | null; to: string | null; tz: string; rules: CountingRules; granularity: 'month' | 'week' },
  ): TasteSeries {
    const { entryFeat, artistGenres, genreNames } = this.derive(cols, state);
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
      enrichment: {
        status: state.status, tracks_pending: Math.max(0, state.tracksPending), artists_pending: Math.max(0, state.artistsPending),
        provider: state.provider, note: state.note, error: state.error,
      },
    };
  }
}
