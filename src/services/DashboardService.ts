import type { Logger } from 'pino';
import type { TrackFeatures } from '../features/FeatureProvider';
import type { GenreService } from '../genres/GenreService';
import type { ApiProfile } from '../spotify/ApiProfile';
import { TIME_RANGES, type SpotifyClient, type TimeRange } from '../spotify/SpotifyClient';
import { toArtistCard, toArtistLite, toRecentPlay, toTrackLite, type ArtistLite, type RecentPlay, type TrackLite } from '../spotify/mappers';
import type { TokenSource } from '../upstream/UpstreamHttp';
import type { UserTokens } from '../spotify/UserTokenSource';
import type { DailySnapshot, DashboardRepository } from '../store/DashboardRepository';
import type { User } from '../store/UserRepository';
import { boundNames } from '../util/boundNames';
import { GENRE_WEIGHTING, topGenres, type WeightedGenreShare } from './genreWeights';
import type { TrackFeatureService } from './TrackFeatureService';

export const RANGE_LABELS: Record<TimeRange, string> = {
  short_term: 'Last 4 weeks',
  medium_term: 'Last 6 months',
  long_term: 'All time',
};

const TOP_LIMIT = 50;
const RECENT_LIMIT = 50;
/** How long a first dashboard waits for MusicBrainz genre lookups before showing what it has. */
const GENRE_BUDGET_MS = 4000;
/** A summary with genre lookups still running is kept only briefly, so the next load shows more. */
const PARTIAL_TTL_SECONDS = 30;
/** The taste radar averages these (all 0–1). */
export const TASTE_FEATURES = ['energy', 'danceability', 'valence', 'acousticness', 'instrumentalness', 'speechiness', 'liveness'] as const;

export type { ArtistLite, RecentPlay, TrackLite } from '../spotify/mappers';

export interface RangeSummary {
  label: string;
  artists: ArtistLite[];
  tracks: TrackLite[];
  genres: WeightedGenreShare[];
  /** Average of TASTE_FEATURES (and tempo) over top tracks with features; null when none have any. */
  taste: (Record<(typeof TASTE_FEATURES)[number] | 'tempo', number | null> & { tracks_with_features: number }) | null;
  decades: { decade: string; tracks: number }[];
  /** 0 (niche) – 100 (mainstream): mean popularity of top artists and tracks; null when the profile gives none. */
  mainstream: number | null;
}

export interface Movement {
  /** Date of the snapshot compared with (the last visit on an earlier day), or null on the first. */
  previous_date: string | null;
  /** Date of the snapshot about a month old used for "new this month", or null. */
  month_ago_date: string | null;
  new_this_month: { artists: { id: string; name: string }[]; tracks: { id: string; name: string }[] };
  rank_changes: Record<TimeRange, { id: string; name: string; rank: number; previous_rank: number | null }[]>;
}

export interface Summary {
  generated_at: string;
  user: { id: string; display_name: string; image: string | null };
  api_profile: string | null;
  ranges: Record<TimeRange, RangeSummary>;
  recent: RecentPlay[];
  genres: { method: string; source: 'spotify' | 'musicbrainz' | 'none' | 'mixed'; artists_with_genres: number; artists_total: number; pending: number };
  features: { available: boolean; provider: string | null; note: string | null };
  popularity: { available: boolean; note: string | null };
  discovery: { genre: string; artists: { id: string; name: string; image: string | null }[] }[];
  movement: Movement;
}

export interface DashboardDeps {
  spotify: SpotifyClient;
  userTokens: UserTokens;
  appAuth: TokenSource;
  genres: GenreService;
  features: TrackFeatureService;
  profile: ApiProfile;
  repo: DashboardRepository;
  cacheSeconds: number;
  logger?: Logger;
}

/**
 * Everything the dashboard shows, for one user, in one document. Built from 7 Spotify requests
 * (top artists and tracks for three ranges at 50 items each, and recent plays, all in parallel),
 * enriched with genres and features, then cached in DynamoDB for a few minutes so reloading or
 * switching ranges costs no Spotify request. Concurrent builds for one user share one promise.
 */
export class DashboardService {
  private readonly building = new Map<string, Promise<Summary>>();

  constructor(private readonly d: DashboardDeps) {}

  /** The cached snapshot if there is a fresh one, without building (a cache that cannot be read is a miss). */
  cachedSummary(userId: string): Promise<Summary | null> {
    return this.cacheRead('dashboard summary cache read failed; treated as a miss', () => this.d.repo.getSummary<Summary>(userId), null);
  }

  /**
   * A cache or snapshot access on a read path: a failure (any DynamoDB error, an item refused as
   * too large) is logged and answered with `fallback`, never turned into a failed read.
   */
  private async cacheRead<T>(what: string, op: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await op();
    } catch (err) {
      this.d.logger?.warn({ err }, what);
      return fallback;
    }
  }

  /**
   * The cached snapshot, or a new one. `user` may still be loading (`{ id, loading }`): the snapshot
   * is then read alongside the user item instead of after it (a missing user still fails the call).
   */
  async summary(user: User | { id: string; loading: Promise<User> }, opts: { refresh?: boolean } = {}): Promise<Summary> {
    const loaded = 'loading' in user ? user.loading : Promise.resolve(user);
    if (!opts.refresh) {
      const [cached] = await Promise.all([this.cachedSummary(user.id), loaded]);
      if (cached) return cached;
    }
    const known = await loaded;
    let pending = this.building.get(user.id);
    if (!pending) {
      pending = this.build(known).finally(() => this.building.delete(user.id));
      this.building.set(user.id, pending);
    }
    return pending;
  }

  private async build(user: User): Promise<Summary> {
    const { spotify } = this.d;
    const auth = this.d.userTokens.forUser(user.id);
    // The app's own token (the features and the discovery searches need it) is asked for alongside
    // the top lists, not after them: on a server's first dashboard that is one round trip fewer.
    // A failure here is the later calls' to report.
    this.d.appAuth.get().catch(() => undefined);
    const [tops, recent] = await Promise.all([
      Promise.all(
        TIME_RANGES.map(async (range) => {
          const [artists, tracks] = await Promise.all([spotify.topArtists(range, TOP_LIMIT, auth), spotify.topTracks(range, TOP_LIMIT, auth)]);
          return { range, artists: artists.items, tracks: tracks.items };
        }),
      ),
      spotify.recentlyPlayed({ limit: RECENT_LIMIT }, auth),
    ]);

    // Genres and features run side by side, and discovery starts as soon as the genres are known
    // (while features may still be arriving): the dashboard's data is at most three dependent round
    // trips, the top lists, then features and discovery (two when the first discovery searches suffice).
    // Genres: from the artist objects when Spotify gives them, otherwise MusicBrainz (cached).
    const allArtists = tops.flatMap((t) => t.artists);
    const topIds = new Set(allArtists.map((a) => a.id));
    const genresP = this.d.genres.genresForMany(
      allArtists.map((a) => ({ id: a.id, genres: a.genres })),
      GENRE_BUDGET_MS,
    );
    const artistsOf = (t: (typeof tops)[number], found: Map<string, { genres: string[] }>) => t.artists.map((a, i) => toArtistLite(a, i + 1, found.get(a.id)?.genres ?? []));
    const discoveryP = genresP.then(({ found }) => {
      const genresOf = (range: TimeRange) => topGenres(artistsOf(tops.find((t) => t.range === range)!, found));
      const medium = genresOf('medium_term');
      return this.discover(medium.length ? medium : genresOf('long_term'), topIds);
    });

    // Features of every top track, for the taste profile.
    const allTracks = tops.flatMap((t) => t.tracks);
    const featuresP = this.d.features.forTracks(allTracks.map((t) => ({ id: t.id, artistId: t.artists[0]?.id ?? t.album.id }))).then(
      (res) => ({ features: res.features, provider: res.provider as string | null, note: res.note }),
      (err: unknown) => {
        // Features are an enrichment: the dashboard still works without them, and says why.
        this.d.logger?.warn({ err }, 'track features unavailable for the dashboard');
        return { features: new Map<string, TrackFeatures>(), provider: null, note: 'The audio feature service did not answer, so the taste profile is not available right now.' as string | null };
      },
    );
    const [{ found, pending }, { features, provider: featureProvider, note: featureNote }, discovery] = await Promise.all([genresP, featuresP, discoveryP]);
    const sources = new Set([...found.values()].filter((g) => g.genres.length).map((g) => g.source));

    const ranges = {} as Record<TimeRange, RangeSummary>;
    for (const t of tops) {
      const artists = artistsOf(t, found);
      const tracks = t.tracks.map((tr, i) => toTrackLite(tr, i + 1));
      ranges[t.range] = {
        label: RANGE_LABELS[t.range],
        artists,
        tracks,
        genres: topGenres(artists),
        taste: taste(tracks.map((tr) => features.get(tr.id)).filter((f): f is TrackFeatures => Boolean(f))),
        decades: decades(tracks),
        mainstream: mainstream(artists, tracks),
      };
    }
    const popularityAvailable = allArtists.some((a) => typeof a.popularity === 'number');
    const today = new Date().toISOString().slice(0, 10);
    const movement = await this.movement(user.id, today, ranges);

    // Names are bounded (300 characters) in what is served and cached alike, so a reload from the
    // cache shows what the first load showed, and 10,000-character names cannot outgrow an item.
    const summary: Summary = boundNames({
      generated_at: new Date().toISOString(),
      user: { id: user.id, display_name: user.displayName, image: user.imageUrl },
      api_profile: this.d.profile.known ?? null,
      ranges,
      recent: recent.items.map(toRecentPlay),
      genres: {
        method: GENRE_WEIGHTING,
        source: sources.size === 0 ? 'none' : sources.size > 1 ? 'mixed' : ([...sources][0] as 'spotify' | 'musicbrainz'),
        artists_with_genres: [...new Set(allArtists.map((a) => a.id))].filter((id) => (found.get(id)?.genres.length ?? 0) > 0).length,
        artists_total: topIds.size,
        pending,
      },
      features: {
        available: [...features.values()].length > 0,
        provider: featureProvider,
        note: featureNote ?? (allTracks.length > 0 && features.size === 0 ? 'None of your top tracks has audio features in the configured provider.' : null),
      },
      popularity: {
        available: popularityAvailable,
        note: popularityAvailable ? null : 'Spotify no longer gives popularity to apps in Development Mode, so the mainstream score is hidden.',
      },
      discovery,
      movement,
    } satisfies Summary);
    const ttl = pending > 0 ? Math.min(PARTIAL_TTL_SECONDS, this.d.cacheSeconds) : this.d.cacheSeconds;
    await this.cacheRead('dashboard summary cache write failed; serving the fresh summary', () => this.d.repo.putSummary(user.id, summary, ttl), undefined);
    return summary;
  }

  /** Artists in the user's top genres who are not among their top artists (Spotify search with genre:). */
  private async discover(genres: WeightedGenreShare[], exclude: Set<string>): Promise<Summary['discovery']> {
    // The top three genres first; when a fan already knows everyone there, the next ones (up to eight).
    const results: { genre: string; artists: { id: string; name: string; image: string | null }[] }[] = [];
    for (let i = 0; i < Math.min(8, genres.length) && results.filter((r) => r.artists.length).length < 3; i += 3) {
      results.push(...(await this.searchGenres(genres.slice(i, Math.min(i + 3, 8)), exclude)));
    }
    const seen = new Set<string>();
    return results
      .map((r) => ({ genre: r.genre, artists: r.artists.filter((a) => !seen.has(a.id) && seen.add(a.id)) }))
      .filter((r) => r.artists.length > 0)
      .slice(0, 3);
  }

  private searchGenres(genres: WeightedGenreShare[], exclude: Set<string>) {
    const pageLimit = this.d.profile.pageLimit;
    return Promise.all(
      genres.map(async (g) => {
        try {
          // A fan's top genre is full of their own top artists: page on (at most 3 pages) until 6 new ones
          // turn up. With pages of 10 (Development Mode) the first two are asked for at once: one
          // round trip instead of two for what is nearly always needed.
          const q = `genre:"${g.name.replace(/"/g, '')}"`;
          const artists: { id: string; name: string; image: string | null }[] = [];
          const take = (res: SpotifyApi.ArtistSearchResponse) => {
            for (const a of res.artists?.items ?? []) {
              if (!exclude.has(a.id) && artists.length < 6 && !artists.some((x) => x.id === a.id)) artists.push(toArtistCard(a));
            }
            return res.artists?.total ?? 0;
          };
          const search = (page: number) => this.d.spotify.searchArtists(q, pageLimit, this.d.appAuth, page * pageLimit);
          const first = pageLimit < 20 ? await Promise.all([search(0), search(1)]) : [await search(0)];
          let total = 0;
          for (const res of first) total = Math.max(total, take(res));
          for (let page = first.length; page < 3 && page * pageLimit < total && artists.length < 6; page++) take(await search(page));
          return { genre: g.name, artists };
        } catch (err) {
          this.d.logger?.warn({ err, genre: g.name }, 'discovery search failed');
          return { genre: g.name, artists: [] as { id: string; name: string; image: string | null }[] };
        }
      }),
    );
  }

  /** Saves today's snapshot and compares it with the last earlier one and the one about a month old. */
  private async movement(userId: string, today: string, ranges: Record<TimeRange, RangeSummary>): Promise<Movement> {
    const snapshot: DailySnapshot = {
      date: today,
      ranges: Object.fromEntries(
        TIME_RANGES.map((r) => [r, { artists: ranges[r].artists.map(({ id, name }) => ({ id, name })), tracks: ranges[r].tracks.map(({ id, name }) => ({ id, name })) }]),
      ),
    };
    // Today's snapshot is written while the earlier ones are read (the read keeps only earlier days).
    const [recent] = await Promise.all([
      this.cacheRead('daily snapshots could not be read; movement left out', () => this.d.repo.recentDaily(userId), [] as DailySnapshot[]),
      this.cacheRead('daily snapshot write failed; serving the fresh summary', () => this.d.repo.putDaily(userId, snapshot), undefined),
    ]);
    const history = recent.filter((s) => s.date < today);
    const previous = history[0] ?? null;
    // The oldest snapshot within the last ~45 days that is at least a week old stands for "a month ago".
    const monthAgo = [...history].reverse().find((s) => s.date <= new Date(Date.parse(today) - 7 * 86400_000).toISOString().slice(0, 10)) ?? null;
    const known = (s: DailySnapshot | null, kind: 'artists' | 'tracks') =>
      new Set(s ? TIME_RANGES.flatMap((r) => s.ranges[r]?.[kind] ?? []).map((x) => x.id) : []);
    const monthArtists = known(monthAgo, 'artists');
    const monthTracks = known(monthAgo, 'tracks');
    const rankChanges = {} as Movement['rank_changes'];
    for (const r of TIME_RANGES) {
      const before = new Map((previous?.ranges[r]?.artists ?? []).map((a, i) => [a.id, i + 1]));
      rankChanges[r] = previous
        ? ranges[r].artists.slice(0, 20).map((a) => ({ id: a.id, name: a.name, rank: a.rank, previous_rank: before.get(a.id) ?? null }))
        : [];
    }
    return {
      previous_date: previous?.date ?? null,
      month_ago_date: monthAgo?.date ?? null,
      new_this_month: monthAgo
        ? {
            artists: ranges.short_term.artists.filter((a) => !monthArtists.has(a.id)).map(({ id, name }) => ({ id, name })),
            tracks: ranges.short_term.tracks.filter((t) => !monthTracks.has(t.id)).map(({ id, name }) => ({ id, name })),
          }
        : { artists: [], tracks: [] },
      rank_changes: rankChanges,
    };
  }
}

function taste(list: TrackFeatures[]): RangeSummary['taste'] {
  if (list.length === 0) return null;
  const out: Record<string, number | null> = {};
  for (const f of [...TASTE_FEATURES, 'tempo'] as const) {
    const values = list.map((x) => x[f]).filter((v): v is number => typeof v === 'number');
    out[f] = values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
  }
  return { ...(out as Record<(typeof TASTE_FEATURES)[number] | 'tempo', number | null>), tracks_with_features: list.length };
}

function decades(tracks: TrackLite[]): RangeSummary['decades'] {
  const counts = new Map<string, number>();
  for (const t of tracks) {
    const year = Number(t.album.release_date.slice(0, 4));
    if (!year) continue;
    const decade = `${Math.floor(year / 10) * 10}s`;
    counts.set(decade, (counts.get(decade) ?? 0) + 1);
  }
  return [...counts].map(([decade, n]) => ({ decade, tracks: n })).sort((a, b) => a.decade.localeCompare(b.decade));
}

function mainstream(artists: ArtistLite[], tracks: TrackLite[]): number | null {
  const values = [...artists.map((a) => a.popularity), ...tracks.map((t) => t.popularity)].filter((v): v is number => v !== null);
  return values.length ? Math.round(values.reduce((s, v) => s + v, 0) / values.length) : null;
}
