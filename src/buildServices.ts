import { FriendService } from './services/FriendService';
import { registerBlendSource } from './services/PlaylistSources';
import { FriendRepository } from './store/FriendRepository';
import { ShowSearchService } from './history/ShowSearchService';
import { PodcastChoiceService } from './history/PodcastChoiceService';
import { PodcastChoiceRepository } from './store/PodcastChoiceRepository';
import { ImportUndoService } from './history/import/ImportUndoService';
import { ImportUndoRepository } from './store/ImportUndoRepository';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config';
import { FeatureProviders } from './features/FeatureProviders';
import { ReccoBeatsFeatureProvider } from './features/ReccoBeatsFeatureProvider';
import { SpotifyFeatureProvider } from './features/SpotifyFeatureProvider';
import { GenreService } from './genres/GenreService';
import { MusicBrainzClient } from './genres/MusicBrainzClient';
import { Metrics } from './metrics';
import { TokenCipher } from './security/TokenCipher';
import { AccountService } from './services/AccountService';
import { ApiTokenService } from './services/ApiTokenService';
import { ArtistService } from './services/ArtistService';
import { BackupService } from './history/BackupService';
import { CompareService } from './services/CompareService';
import { DashboardService } from './services/DashboardService';
import { HistoryImportService } from './history/import/HistoryImportService';
import { HistoryStatsService } from './history/HistoryStatsService';
import { PersonalService } from './history/PersonalService';
import { LiveCaptureService, type LiveCaptureOptions } from './services/LiveCaptureService';
import { PlaylistService } from './services/PlaylistService';
import { builtInPlaylistSources } from './services/PlaylistSources';
import { ProfileService } from './services/ProfileService';
import { SearchService } from './services/SearchService';
import { SettingsService } from './services/SettingsService';
import { ShareService } from './services/ShareService';
import { TasteService } from './history/TasteService';
import { TrackFeatureService } from './services/TrackFeatureService';
import { ApiProfile } from './spotify/ApiProfile';
import { DemoExports } from './spotify/DemoExports';
import { AppTokenSource, SpotifyAccounts } from './spotify/SpotifyAccounts';
import { SpotifyClient } from './spotify/SpotifyClient';
import { UserTokens } from './spotify/UserTokenSource';
import { AccountRepository } from './store/AccountRepository';
import { ApiTokenRepository } from './store/ApiTokenRepository';
import { ArtistRepository } from './store/ArtistRepository';
import { CaptureRepository } from './store/CaptureRepository';
import { DashboardRepository } from './store/DashboardRepository';
import { DynamoSessionStore } from './store/DynamoSessionStore';
import { HistoryRepository } from './store/HistoryRepository';
import { PlaylistRepository } from './store/PlaylistRepository';
import { RateStateRepository } from './store/RateStateRepository';
import { ShareRepository } from './store/ShareRepository';
import type { Store } from './store/Store';
import { TombstoneRepository } from './store/TombstoneRepository';
import { TrackFactsRepository } from './store/TrackFactsRepository';
import { UserRepository } from './store/UserRepository';
import type { RetryBudgetPolicy } from './upstream/RetryBudget';
import type { RetryPolicy } from './upstream/UpstreamHttp';

export interface ServiceDeps {
  store: Store;
  logger: Logger;
  metrics?: Metrics;
  /** Test knobs: shorter ingest leases, no MusicBrainz pacing, a fast capture scheduler. */
  tuning?: {
    leaseMs?: number;
    musicbrainzIntervalMs?: number;
    spotifyConcurrency?: number;
    /** Spotify's rolling rate-limit window (30 s), shorter in tests with a sandbox of the same window. */
    spotifyRateWindowMs?: number;
    /** false: the Spotify limiter learns alone, as before the shared rate state (tests compare the two). */
    sharedRateState?: boolean;
    importRetryMs?: number;
    /** The compiled parse worker and the smallest file parsed in two halves (tests run from sources). */
    importParseWorker?: string | null;
    importParallelMinBytes?: number;
    capture?: Partial<LiveCaptureOptions>;
    /** Retry policy of the enrichment services (ReccoBeats, MusicBrainz): short timeouts in fault tests. */
    enrichmentRetry?: Partial<RetryPolicy>;
    /** Re-sends of failed Spotify requests within one artist ingest (default INGEST_RETRIES). */
    ingestRetries?: RetryBudgetPolicy;
  };
}

/** Every service and repository of the app, built once by `buildServices`; routers take the few they use. */
export interface Services {
  config: Config;
  store: Store;
  metrics: Metrics;
  users: UserRepository;
  spotify: SpotifyClient;
  accounts: SpotifyAccounts;
  userTokens: UserTokens;
  profiles: ProfileService;
  apiProfile: ApiProfile;
  artists: ArtistService;
  search: SearchService;
  dashboard: DashboardService;
  apiTokens: ApiTokenService;
  historyImports: HistoryImportService;
  importUndo: ImportUndoService;
  podcastChoices: PodcastChoiceService;
  showSearch: ShowSearchService;
  historyStats: HistoryStatsService;
  personal: PersonalService;
  taste: TasteService;
  backups: BackupService;
  capture: LiveCaptureService;
  account: AccountService;
  shares: ShareService;
  compare: CompareService;
  settings: SettingsService;
  demoExports: DemoExports;
  sessions: DynamoSessionStore;
  playlists: PlaylistService;
  friends: FriendService;
}

/**
 * The composition root: the one place that builds services and repositories and wires them to
 * each other. Routes, bootstrap and tests receive what it returns; nothing else constructs a service.
 */
export function buildServices(config: Config, { store, logger, metrics = new Metrics(), tuning = {} }: ServiceDeps): Services {
  const cipher = new TokenCipher([config.sessionSecret, ...config.previousSecrets]);
  const users = new UserRepository(store, cipher);
  // Spotify's rate limit is per app (client id): every process of it shares what its limiter learned.
  const sharedRate = tuning.sharedRateState === false ? undefined : {
    store: new RateStateRepository(store, { service: 'spotify', host: new URL(config.spotify.apiUrl).host, clientId: config.spotify.clientId }),
    warn: (err: unknown, message: string) => logger.warn({ err }, message),
  };
  const spotify = new SpotifyClient(config.spotify.apiUrl, {
    metrics, concurrency: tuning.spotifyConcurrency, rateWindowMs: tuning.spotifyRateWindowMs, sharedRate,
  });
  const accounts = new SpotifyAccounts(config.spotify.accountsUrl, config.spotify.clientId, config.spotify.clientSecret, metrics);
  const userTokens = new UserTokens(users, accounts);
  const profiles = new ProfileService(users, spotify, userTokens);
  const appAuth = new AppTokenSource(accounts);
  const apiProfile = new ApiProfile(config.spotify.profile);
  const artistRepo = new ArtistRepository(store);
  const features = new FeatureProviders(
    config.features.provider,
    new SpotifyFeatureProvider(spotify, appAuth),
    new ReccoBeatsFeatureProvider(config.features.reccobeatsUrl, { metrics, concurrency: tuning.spotifyConcurrency, retry: tuning.enrichmentRetry }),
  );
  const musicbrainz = new MusicBrainzClient(config.genres.musicbrainzUrl, {
    metrics, minIntervalMs: tuning.musicbrainzIntervalMs ?? config.genres.musicbrainzIntervalMs, retry: tuning.enrichmentRetry,
  });
  const genres = new GenreService(config.genres.provider, musicbrainz, artistRepo);
  const artists = new ArtistService({
    spotify, appAuth, profile: apiProfile, features, genres, repo: artistRepo,
    artistTtlSeconds: config.artistTtlSeconds, leaseMs: tuning.leaseMs ?? config.ingestLeaseSeconds * 1000, logger,
    freshnessCheckMs: config.artistFreshnessCheckSeconds * 1000, apiWaitMs: config.artistApiWaitSeconds * 1000,
    market: config.spotify.market, retries: tuning.ingestRetries,
  });
  const search = new SearchService(spotify, appAuth, apiProfile, { cacheSeconds: config.searchCacheSeconds });
  const dashboardRepo = new DashboardRepository(store);
  const dashboard = new DashboardService({
    spotify, userTokens, appAuth, genres, profile: apiProfile, repo: dashboardRepo, cacheSeconds: config.dashboardCacheSeconds, logger,
    features: new TrackFeatureService(artistRepo, features, apiProfile, spotify, appAuth, logger),
  });
  const apiTokens = new ApiTokenService(new ApiTokenRepository(store));
  const historyRepo = new HistoryRepository(store);
  // Deleted accounts: background writers ask it before each write batch (rule in keys.ts).
  const tombstones = new TombstoneRepository(store);
  const podcastChoiceRepo = new PodcastChoiceRepository(store);
  // Show search runs after a history is decoded with the app token, which has no country: shows
  // are market-bound, so it searches in the configured SPOTIFY_MARKET (default US), as the ingest does.
  const showSearch: ShowSearchService = new ShowSearchService({
    spotify, auth: appAuth, choices: podcastChoiceRepo, history: historyRepo, market: config.spotify.market, logger,
    onChanged: (userId) => historyStats.changed(userId),
  });
  const historyStats = new HistoryStatsService(
    historyRepo,
    async (userId) => profiles.user(userId),
    (userId) => podcastChoiceRepo.get(userId),
    (userId, cols, choices) => showSearch.schedule(userId, cols, choices),
  );
  // The stored all-time statistics are written for a person only while they may be written for (keys.ts).
  historyStats.guard = tombstones;
  historyStats.onError = (userId, err) => logger.warn({ err, userId }, 'storing all-time statistics failed');
  const podcastChoices = new PodcastChoiceService({ repo: podcastChoiceRepo, history: historyRepo, onChanged: (userId) => historyStats.changed(userId) });
  const personal = new PersonalService(historyStats);
  const backups = new BackupService({ history: historyRepo, users, dashboard: dashboardRepo });
  // Undo waits while an import writes; the importer records what it adds through undo.
  const importUndo: ImportUndoService = new ImportUndoService({
    history: historyRepo, added: new ImportUndoRepository(store),
    writing: (userId) => historyImports.writing(userId),
    onChanged: (userId) => historyStats.changed(userId),
  });
  const historyImports = new HistoryImportService(historyRepo, {
    uploadDir: path.join(config.dataDir, 'uploads'),
    logger,
    staleMs: config.historyJobStaleSeconds * 1000,
    concurrency: config.importConcurrency,
    retryBaseMs: tuning.importRetryMs,
    parseWorker: tuning.importParseWorker,
    parallelMinBytes: tuning.importParallelMinBytes,
    // The version is bumped, then the all-time statistics are computed and stored (caches refilled) before the job is done.
    beforeDone: (userId, written) => historyStats.refresh(userId, written),
    backups,
    undo: importUndo,
    guard: tombstones,
  });
  const taste = new TasteService({
    stats: historyStats, facts: new TrackFactsRepository(store), providers: features, profile: apiProfile, search, genreService: genres, logger,
  });
  const captureRepo = new CaptureRepository(store);
  const capture = buildCaptureService(config, { store, captureRepo, historyRepo, historyImports, historyStats, spotify, userTokens }, { logger, ...tuning.capture });
  const shareRepo = new ShareRepository(store);
  const shares = new ShareService(shareRepo, users, historyStats, config.publicUrl);
  const account = new AccountService({
    accounts: new AccountRepository(store),
    tombstones,
    stopWriters: async (userId) => {
      await Promise.all([historyImports.cancelUser(userId), capture.cancelUser(userId)]);
      await historyImports.othersStopped(userId);
    },
    forget: (userId) => {
      historyStats.forget(userId);
      taste.forget(userId);
    },
  });
  const compare = new CompareService({ artists, dashboard, profiles });
  const settings = new SettingsService({ apiTokens, shares, capture });
  const demoExports = new DemoExports(config.spotify.accountsUrl);
  const sessions = new DynamoSessionStore(store);
  // Playlist sources: one `.register(name, source)` each (contract in PlaylistSources.ts).
  const friends = new FriendService({ repo: new FriendRepository(store), users, personal, stats: historyStats, taste, publicUrl: config.publicUrl });
  const playlistSources = builtInPlaylistSources({ dashboard, user: (userId) => profiles.user(userId), personal, taste });
  registerBlendSource(playlistSources, friends);
  const playlists = new PlaylistService({
    sources: playlistSources, spotify, userTokens, repo: new PlaylistRepository(store), logger,
    grantedScope: async (userId) => (await users.getTokens(userId))?.scope ?? '',
    consentUrl: (scope) => `${config.publicUrl}/auth/spotify/consent?scope=${encodeURIComponent(scope)}`,
  });
  return {
    playlists, friends,
    config, store, metrics, sessions, users, spotify, accounts, userTokens, profiles, apiProfile, artists, search, dashboard, apiTokens,
    historyImports, importUndo, podcastChoices, showSearch, historyStats, personal, taste, backups, capture, account, shares, compare, settings, demoExports,
  };
}

/** The live-capture service over the app's parts; tests build extra ones with a fast scheduler. */
export function buildCaptureService(
  config: Config,
  p: Pick<Services, 'store' | 'historyImports' | 'historyStats' | 'spotify' | 'userTokens'> & { captureRepo?: CaptureRepository; historyRepo?: HistoryRepository },
  opts: Partial<LiveCaptureOptions> = {},
): LiveCaptureService {
  return new LiveCaptureService(
    {
      repo: p.captureRepo ?? new CaptureRepository(p.store),
      history: p.historyRepo ?? new HistoryRepository(p.store),
      importWriting: (userId) => p.historyImports.writing(userId),
      spotify: p.spotify,
      userTokens: p.userTokens,
      onHistoryChanged: (userId) => p.historyStats.changed(userId),
      guard: new TombstoneRepository(p.store),
    },
    { intervalMs: config.capture.intervalMinutes * 60_000, tickMs: config.capture.tickSeconds * 1000, ...opts },
  );
}
