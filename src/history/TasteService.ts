import type { Logger } from 'pino';
import { BadRequest } from '../errors';
import type { TrackFeatures } from '../features/FeatureProvider';
import type { FeatureProviders } from '../features/FeatureProviders';
import type { GenreService } from '../genres/GenreService';
import { FeatureBatcher } from '../services/IngestPipeline';
import type { SearchService } from '../services/SearchService';
import { pickFeatures } from '../services/TrackFeatureService';
import type { ApiProfile } from '../spotify/ApiProfile';
import type { TrackFactsRepository } from '../store/TrackFactsRepository';
import { Limiter } from '../util/Limiter';
import type { Columns } from './columns';
import type { HistoryStatsService } from './HistoryStatsService';
import { artistsForGenres, computeTaste, TASTE_FEATURES, tasteFacts, type TasteFacts, type TasteSeries } from './tasteSeries';
import { AnswerCache } from '../util/AnswerCache';
import { LruCache } from '../util/LruCache';

/** Memory bounds: users whose lookups are held, and tracks and artists known (the catalog table keeps them all). */
const MAX_USERS = 500;
const MAX_FACTS = 300_000;
/** Computed series held per user (ranges, zones, granularities) and the memory all of them may take. */
const ANSWERS_PER_USER = 8;
const ANSWERS_BYTES = 32 * 1024 * 1024;

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
  derived: (TasteFacts & { generation: number }) | null;
}

const hasFeatures = (f: Partial<TrackFeatures>) => TASTE_FEATURES.some((k) => typeof f[k] === 'number');

/**
 * Taste over time: plays from the history store joined with track features (feature provider, in
 * batches, cached in the catalog table) and artist genres (Spotify search by name → genre
 * provider), as features per month or week weighted by listening time and genre shares.
 * Lookups run in the background; every answer reports how much listening time they cover.
 */
export class TasteService {
  private readonly users = new LruCache<UserTaste>(MAX_USERS);
  /** Shared by every user: a track's features do not depend on who played it. null = provider has none. */
  private readonly features = new LruCache<TrackFeatures | null>(MAX_FACTS);
  /** Artist name → genres ([] when unknown or the artist was not found). */
  private readonly genres = new LruCache<string[]>(MAX_FACTS);
  /** Answers once the lookups have settled: a repeat is served from memory until the version or the facts change. */
  private readonly answers = new AnswerCache<TasteSeries>(ANSWERS_BYTES, ANSWERS_PER_USER, (series) => 16 * 1024 + series.periods.length * 1024);

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
    await this.withinBudget(state.running);
    // Settled lookups (nothing running): the answer depends only on the version, the facts (generation) and the query.
    const settled = !state.running && state.version === cols.version;
    const key = JSON.stringify([q.from ?? null, q.to ?? null, tz, rules.min_play_seconds, rules.skipped, rules.offline, rules.incognito, granularity]);
    if (settled) {
      // Series computed at one history version and one state of the lookups (generation).
      const hit = this.answers.get(userId, `${cols.version}:${state.generation}`, key);
      if (hit) return hit;
    }
    const series = computeTaste(cols, this.derive(cols, state), { from: q.from ?? null, to: q.to ?? null, tz, rules, granularity }, {
      status: state.status, tracks_pending: Math.max(0, state.tracksPending), artists_pending: Math.max(0, state.artistsPending),
      provider: state.provider, note: state.note, error: state.error,
    });
    if (settled && !state.running) this.answers.set(userId, `${cols.version}:${state.generation}`, key, series);
    return series;
  }

  /**
   * The audio features known for a user's tracks by Spotify track id (null: the provider has none;
   * undefined: not looked up yet), after waiting up to the budget for lookups still running.
   */
  async knownFeatures(userId: string): Promise<(trackId: string) => TrackFeatures | null | undefined> {
    const cols = await this.o.stats.columns(userId);
    const state = this.stateFor(userId, cols);
    await this.withinBudget(state.running);
    return (trackId) => this.features.peek(trackId);
  }

  /** Waits for lookups still running, at most the request's budget (then answers with what is known). */
  private async withinBudget(running: Promise<unknown> | null | undefined): Promise<void> {
    if (!running) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([running, new Promise<void>((r) => (timer = setTimeout(r, this.o.budgetMs ?? 2000)))]);
    clearTimeout(timer);
  }

  /** Forgets what is held for a user (account deletion). */
  forget(userId: string): void {
    this.users.delete(userId);
    this.answers.delete(userId);
  }

  /** Waits for a user's lookups (tests, benchmarks). */
  async settled(userId: string): Promise<void> {
    await this.users.get(userId)?.running;
  }

  private stateFor(userId: string, cols: Columns): UserTaste {
    let state = this.users.get(userId);
    if (!state) {
      state = { version: -1, status: 'running', tracksPending: 0, artistsPending: 0, provider: null, note: null, error: null, running: null, generation: 0, derived: null };
      this.users.set(userId, state);
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
    for (const [id, f] of await this.o.facts.features(unknown)) this.features.set(id, f);
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
      for (const f of found) this.features.set(f.trackId, f.features);
      state.generation++;
      // Track facts are a cache: a write refused is logged, what was learnt is still used.
      writes.push(this.o.facts.putFeatures(found).catch((err: unknown) => this.o.logger?.warn({ err }, 'track facts cache write failed')));
    });
    batcher.add(missing.map((id) => ({ id }) as Row));
    await batcher.finish();
    await Promise.all(writes);
    state.provider = batcher.providerName;
    state.note = batcher.note;
  }

  private async enrichGenres(state: UserTaste, cols: Columns): Promise<void> {
    const chosen = artistsForGenres(cols);
    const wanted = chosen.filter((name) => !this.genres.has(name));
    state.artistsPending = wanted.length;
    if (wanted.length === 0) return;

    const byName = await this.o.facts.artistsByName(wanted);
    const limiter = new Limiter(4);
    await limiter.map(wanted, async (name) => {
      let artist = byName.get(name);
      if (!artist) {
        artist = await this.findArtist(name);
        await this.o.facts.putArtistByName(name, artist).catch((err: unknown) => this.o.logger?.warn({ err }, 'artist-by-name cache write failed'));
      }
      const genres = artist.spotifyId ? (await this.o.genreService.genresFor(artist.spotifyId, artist.genres.length ? artist.genres : undefined)).genres : [];
      this.genres.set(name, genres);
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
  private derive(cols: Columns, state: UserTaste): TasteFacts {
    if (state.derived && state.derived.generation === state.generation && state.derived.entryFeat.length === cols.entries.length * 4) return state.derived;
    state.derived = { generation: state.generation, ...tasteFacts(cols, (trackId) => this.features.peek(trackId), (artist) => this.genres.peek(artist)) };
    return state.derived;
  }
}
