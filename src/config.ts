import path from 'node:path';
import { z } from 'zod';

/**
 * Configuration is read from the environment once, at start-up, and validated here.
 * Everything else receives a `Config`; nothing reads `process.env` after this.
 *
 * Two steps, both pure, both returning frozen objects: `readEnvironment` parses and validates the
 * environment into `Settings`; `resolveConfig` adds what start-up learns or creates (`StartupFacts`:
 * the demo secret kept in DATA_DIR, the ports the system picked for PORT=0 / SANDBOX_PORT=0) and
 * gives the `Config` the app runs with. Bootstrap does the I/O in between; nothing is changed later.
 */

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const url = z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }));
const port = z.coerce.number().int().min(0).max(65535);
const positiveSeconds = z.coerce.number().int().positive();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(5001),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: url.optional(),
  SPOTIFY_CLIENT_ID: optionalString,
  SPOTIFY_CLIENT_SECRET: optionalString,
  SPOTIFY_ACCOUNTS_URL: url.optional(),
  SPOTIFY_API_URL: url.optional(),
  SPOTIFY_API_PROFILE: z.enum(['auto', 'extended', 'development']).default('auto'),
  SPOTIFY_MARKET: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code in upper case, e.g. US').default('US')),
  FEATURES_PROVIDER: z.enum(['auto', 'spotify', 'reccobeats', 'none']).default('auto'),
  GENRES_PROVIDER: z.enum(['auto', 'spotify', 'musicbrainz', 'none']).default('auto'),
  RECCOBEATS_URL: url.optional(),
  MUSICBRAINZ_URL: url.optional(),
  DYNAMODB_ENDPOINT: url.optional(),
  AWS_REGION: optionalString,
  DYNAMODB_TABLE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only').default(''),
  DATA_DIR: z.string().min(1).default('./data'),
  SESSION_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
  SESSION_SECRET_PREVIOUS: z.preprocess(emptyToUndefined, z.string().optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SANDBOX_PORT: port.default(5002),
  SANDBOX_PROFILE: z.enum(['extended', 'development']).default('development'),
  SANDBOX_CATALOG: optionalString,
  SANDBOX_QUIRKS: z.preprocess(emptyToUndefined, z.enum(['0', '1', 'true', 'false']).default('0')),
  ARTIST_TTL: positiveSeconds.default(7 * 24 * 3600),
  ARTIST_FRESHNESS_CHECK_SECONDS: z.coerce.number().min(0).max(3600).default(5),
  ARTIST_API_WAIT_SECONDS: z.coerce.number().min(0).max(300).default(3),
  DASHBOARD_CACHE_SECONDS: positiveSeconds.default(600),
  HISTORY_UPLOAD_MAX_MB: z.coerce.number().int().min(1).max(4096).default(500),
  INGEST_LEASE_SECONDS: positiveSeconds.default(60),
  HISTORY_JOB_STALE_SECONDS: positiveSeconds.default(60),
  IMPORT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  RATE_LIMIT_API_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_AUTH_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  RATE_LIMIT_TOKEN_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_PAGES_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  RATE_LIMIT_PAGES_SESSION_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  RATE_LIMIT_PLAYLISTS_PER_HOUR: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_INVITES_PER_HOUR: z.coerce.number().int().min(1).default(10),
  SHED_MAX_IN_FLIGHT: z.coerce.number().int().min(1).default(512),
  SHED_MAX_LAG_MS: z.coerce.number().int().min(10).default(2000),
  SEARCH_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  METRICS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  MUSICBRAINZ_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).optional(),
  TRUST_PROXY: z.preprocess(emptyToUndefined, z.string().optional()),
  CAPTURE_ENABLED: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).default('true')),
  CAPTURE_INTERVAL_MINUTES: z.coerce.number().int().min(5).default(30),
  CAPTURE_TICK_SECONDS: positiveSeconds.default(60),
});

export type Env = z.input<typeof schema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string;
  callbackUrl: string;
  /** true when no Spotify credentials are configured: the built-in sandbox stands in for Spotify. */
  demoMode: boolean;
  spotify: {
    clientId: string;
    clientSecret: string;
    accountsUrl: string;
    apiUrl: string;
    profile: 'auto' | 'extended' | 'development';
    /**
     * Market (country) for catalog requests made with the app's token: without one Spotify lists a
     * release once per market group. Requests with a user's token use `from_token` instead.
     */
    market: string;
  };
  features: { provider: 'auto' | 'spotify' | 'reccobeats' | 'none'; reccobeatsUrl: string };
  genres: { provider: 'auto' | 'spotify' | 'musicbrainz' | 'none'; musicbrainzUrl: string; musicbrainzIntervalMs: number };
  dynamo: { endpoint?: string; region?: string; tablePrefix: string; embedded: boolean };
  dataDir: string;
  sessionSecret: string;
  /** Earlier secrets, still accepted for cookies and stored tokens while a rotation settles. */
  previousSecrets: string[];
  logLevel: string;
  /** quirks: the sandbox answers as the real service does (per-market copies, upper-case album_type, ...). */
  sandbox: { port: number; profile: 'extended' | 'development'; catalogFile?: string; quirks: boolean };
  artistTtlSeconds: number;
  /** How often a worker asks DynamoDB whether a cached artist has a newer generation. */
  artistFreshnessCheckSeconds: number;
  /** How long GET /api/artists/:id waits for an ingest before answering 202 with its progress. */
  artistApiWaitSeconds: number;
  dashboardCacheSeconds: number;
  historyUploadMaxMb: number;
  /** Per minute: /api per IP, /auth per IP, /api per authenticated token, Spotify-calling pages per IP and per logged-in person. */
  /** Past capacity (too many requests at once, or the event loop this late) requests get 503 at once. */
  shedding: { maxInFlight: number; maxLagMs: number };
  rateLimits: { apiPerMinute: number; authPerMinute: number; tokenPerMinute: number; pagesPerMinute: number; pagesPerSessionPerMinute: number; playlistsPerHour: number; invitesPerHour: number };
  /** How long an artist search's results are reused (0 = not cached). */
  searchCacheSeconds: number;
  /** The bearer token /metrics requires; unset = /metrics is off (404). */
  metricsToken?: string;
  /** How long a worker's claim on an artist ingest lasts unless renewed (a crashed worker's lapses). */
  ingestLeaseSeconds: number;
  /** A history import silent for this long was interrupted (its server stopped). */
  historyJobStaleSeconds: number;
  /** History imports run at once in this process (at most one per person; people take turns). */
  importConcurrency: number;
  trustProxy: boolean | number | string;
  /** Live capture of recently played tracks: whether this process runs the scheduler, and its pace. */
  capture: { enabled: boolean; intervalMinutes: number; tickSeconds: number };
}

/** The environment, parsed and validated: a Config whose secret start-up may still have to provide. */
export type Settings = Readonly<Omit<Config, 'sessionSecret'> & { sessionSecret: string | undefined }>;

/** What start-up learns or creates that the environment does not say (computed by bootstrap). */
export interface StartupFacts {
  /** The secret kept in DATA_DIR, used in demo mode when SESSION_SECRET is unset. */
  generatedSecret?: string;
  /** Where the demo sandbox really listens (SANDBOX_PORT=0 lets the system pick a port). */
  sandboxUrl?: string;
  /** Where the server really listens (PORT=0 lets the system pick a port). */
  listenUrl?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const SANDBOX_CLIENT_ID = 'sandbox-client';
export const SANDBOX_CLIENT_SECRET = 'sandbox-secret';

/** Reads and resolves in one step, for callers whose environment names every secret (tests, Lambda, scripts). */
export function loadConfig(env: Record<string, string | undefined> = process.env, facts: StartupFacts = {}): Config {
  return resolveConfig(readEnvironment(env), facts);
}

/** Parses and validates the environment. Throws ConfigError with one line naming the variable. */
export function readEnvironment(env: Record<string, string | undefined> = process.env): Settings {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    const value = env[name];
    const shown = value === undefined ? '' : ` (got ${JSON.stringify(name.includes('SECRET') ? '***' : value)})`;
    throw new ConfigError(`Invalid configuration: ${name}: ${issue.message}${shown}`);
  }
  const e = parsed.data;
  if (Boolean(e.SPOTIFY_CLIENT_ID) !== Boolean(e.SPOTIFY_CLIENT_SECRET)) {
    const missing = e.SPOTIFY_CLIENT_ID ? 'SPOTIFY_CLIENT_SECRET' : 'SPOTIFY_CLIENT_ID';
    throw new ConfigError(`Invalid configuration: ${missing}: required when the other Spotify credential is set`);
  }
  const demoMode = !e.SPOTIFY_CLIENT_ID;
  const publicUrl = (e.PUBLIC_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`).replace(/\/+$/, '');
  const sandboxBase = `http://127.0.0.1:${e.SANDBOX_PORT}`;
  const dataDir = path.resolve(e.DATA_DIR);
  const embedded = !e.DYNAMODB_ENDPOINT && !e.AWS_REGION;

  if (!e.SESSION_SECRET && !demoMode) {
    throw new ConfigError('Invalid configuration: SESSION_SECRET: required (at least 32 characters) outside demo mode');
  }

  return deepFreeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    callbackUrl: `${publicUrl}/auth/spotify/callback`,
    demoMode,
    spotify: {
      clientId: e.SPOTIFY_CLIENT_ID ?? SANDBOX_CLIENT_ID,
      clientSecret: e.SPOTIFY_CLIENT_SECRET ?? SANDBOX_CLIENT_SECRET,
      accountsUrl: trimSlash(e.SPOTIFY_ACCOUNTS_URL ?? (demoMode ? sandboxBase : 'https://accounts.spotify.com')),
      apiUrl: trimSlash(e.SPOTIFY_API_URL ?? (demoMode ? `${sandboxBase}/v1` : 'https://api.spotify.com/v1')),
      profile: e.SPOTIFY_API_PROFILE,
      market: e.SPOTIFY_MARKET,
    },
    features: {
      provider: e.FEATURES_PROVIDER,
      reccobeatsUrl: trimSlash(e.RECCOBEATS_URL ?? (demoMode ? `${sandboxBase}/reccobeats` : 'https://api.reccobeats.com')),
    },
    genres: {
      provider: e.GENRES_PROVIDER,
      musicbrainzUrl: trimSlash(e.MUSICBRAINZ_URL ?? (demoMode ? `${sandboxBase}/musicbrainz` : 'https://musicbrainz.org')),
      // MusicBrainz allows one request per second; the sandbox's stand-in needs no pacing.
      musicbrainzIntervalMs: e.MUSICBRAINZ_INTERVAL_MS ?? (e.MUSICBRAINZ_URL === undefined && demoMode ? 0 : 1000),
    },
    dynamo: { endpoint: e.DYNAMODB_ENDPOINT, region: e.AWS_REGION, tablePrefix: e.DYNAMODB_TABLE_PREFIX, embedded },
    dataDir,
    sessionSecret: e.SESSION_SECRET,
    previousSecrets: (e.SESSION_SECRET_PREVIOUS ?? '').split(',').map((x) => x.trim()).filter(Boolean),
    logLevel: e.LOG_LEVEL,
    sandbox: { port: e.SANDBOX_PORT, profile: e.SANDBOX_PROFILE, catalogFile: e.SANDBOX_CATALOG, quirks: e.SANDBOX_QUIRKS === '1' || e.SANDBOX_QUIRKS === 'true' },
    artistTtlSeconds: e.ARTIST_TTL,
    artistFreshnessCheckSeconds: e.ARTIST_FRESHNESS_CHECK_SECONDS,
    artistApiWaitSeconds: e.ARTIST_API_WAIT_SECONDS,
    dashboardCacheSeconds: e.DASHBOARD_CACHE_SECONDS,
    historyUploadMaxMb: e.HISTORY_UPLOAD_MAX_MB,
    shedding: { maxInFlight: e.SHED_MAX_IN_FLIGHT, maxLagMs: e.SHED_MAX_LAG_MS },
    rateLimits: {
      apiPerMinute: e.RATE_LIMIT_API_PER_MINUTE, authPerMinute: e.RATE_LIMIT_AUTH_PER_MINUTE, tokenPerMinute: e.RATE_LIMIT_TOKEN_PER_MINUTE,
      pagesPerMinute: e.RATE_LIMIT_PAGES_PER_MINUTE, pagesPerSessionPerMinute: e.RATE_LIMIT_PAGES_SESSION_PER_MINUTE,
      playlistsPerHour: e.RATE_LIMIT_PLAYLISTS_PER_HOUR,
      invitesPerHour: e.RATE_LIMIT_INVITES_PER_HOUR,
    },
    searchCacheSeconds: e.SEARCH_CACHE_SECONDS,
    metricsToken: e.METRICS_TOKEN,
    ingestLeaseSeconds: e.INGEST_LEASE_SECONDS,
    historyJobStaleSeconds: e.HISTORY_JOB_STALE_SECONDS,
    importConcurrency: e.IMPORT_CONCURRENCY,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    capture: { enabled: e.CAPTURE_ENABLED === 'true', intervalMinutes: e.CAPTURE_INTERVAL_MINUTES, tickSeconds: e.CAPTURE_TICK_SECONDS },
  });
}

/** The configuration the app runs with: the settings plus what start-up learned. Pure; the result is frozen. */
export function resolveConfig(settings: Settings, facts: StartupFacts = {}): Config {
  const sessionSecret = settings.sessionSecret ?? facts.generatedSecret;
  if (!sessionSecret) {
    throw new ConfigError('Invalid configuration: SESSION_SECRET: required (at least 32 characters); in demo mode the server generates one in DATA_DIR');
  }
  // SANDBOX_PORT=0: the default sandbox URLs point at the port the sandbox really got.
  const configured = `http://127.0.0.1:${settings.sandbox.port}`;
  const sandbox = facts.sandboxUrl;
  const rebase = (u: string) => (sandbox && (u === configured || u.startsWith(`${configured}/`)) ? sandbox + u.slice(configured.length) : u);
  // PORT=0 with the default PUBLIC_URL: the OAuth callback names the port the server really got.
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const publicUrl = facts.listenUrl && settings.port === 0 && settings.publicUrl === `http://${host}:0` ? facts.listenUrl : settings.publicUrl;
  return deepFreeze({
    ...settings,
    sessionSecret,
    publicUrl,
    callbackUrl: publicUrl === settings.publicUrl ? settings.callbackUrl : `${publicUrl}/auth/spotify/callback`,
    spotify: { ...settings.spotify, accountsUrl: rebase(settings.spotify.accountsUrl), apiUrl: rebase(settings.spotify.apiUrl) },
    features: { ...settings.features, reccobeatsUrl: rebase(settings.features.reccobeatsUrl) },
    genres: { ...settings.genres, musicbrainzUrl: rebase(settings.genres.musicbrainzUrl) },
  });
}

function deepFreeze<T>(o: T): T {
  for (const v of Object.values(o as object)) if (v && typeof v === 'object' && !Object.isFrozen(v)) deepFreeze(v);
  return Object.freeze(o);
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, '');
}

function parseTrustProxy(v: string | undefined): boolean | number | string {
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v; // an address list or preset such as "loopback", passed to Express as is
}
