/**
 * The Spotify sandbox: one Express app imitating Spotify's accounts service (/authorize,
 * /api/token) and Web API (/v1), with ReccoBeats (/reccobeats) and MusicBrainz (/musicbrainz)
 * stand-ins, generated images (/images), silent preview clips (/previews) and test hooks (/_sandbox). See DESIGN.md "The Spotify sandbox".
 */
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { type Catalog, getDefaultCatalog, loadCsvCatalog, loadCsvCatalogSync } from './catalog';
import { createAccountsRouter, revokeListener, revokeRefreshToken } from './auth';
import { createMusicbrainzRouter, createReccobeatsRouter } from './enrichment';
import { imageHandler } from './images';
import { previewHandler } from './previews';
import { DEMO_LISTENERS, generateListeningHistory } from './listeners';
import { accountId, type SandboxProfile } from './objects';
import { ApiError, FAULT_MALFORMED, FAULT_PASS, FAULT_RESET, FAULT_STALL, FAULT_TRUNCATED, type FaultControl, type FaultTarget, Faults, type SandboxState, type SandboxStats } from './state';
import { createPlaylistPagesRouter, playlistSummaries } from './playlists';
import { createWebApiRouter } from './webapi';

export type { SandboxProfile } from './objects';
export type { Catalog, Notable } from './catalog';
export type { FaultControl, FaultTarget, SandboxStats } from './state';
export { FAULT_MALFORMED, FAULT_PASS, FAULT_RESET, FAULT_STALL, FAULT_TRUNCATED } from './state';
export { buildSyntheticCatalog, loadCsvCatalog, NOTABLE } from './catalog';
export { DEMO_LISTENERS, generateListeningHistory } from './listeners';
export { minimalIngest } from './minimalRequests';

export interface SandboxOptions {
  /** Default 'development', as a newly registered Spotify app gets. */
  profile?: SandboxProfile;
  /** spotify_songs.csv-style file; default: the synthetic catalog. */
  catalogFile?: string;
  /** A catalog built beforehand (takes precedence over catalogFile). */
  catalog?: Catalog;
  /** Added latency per Web API request, default 0. */
  latencyMs?: number;
  /** Share (0..1) of Web API requests answered 500, default 0 (seeded PRNG: runs repeat). */
  failRate?: number;
  /** Max Web API requests per rolling 30 s window (rateWindowMs); beyond → 429 with Retry-After. Default unlimited. */
  rateLimit?: number;
  /** The rate limit's rolling window, default Spotify's 30 s (tests use a shorter one to run fast). */
  rateWindowMs?: number;
  /** Access token lifetime, default 3600. */
  tokenTtlSeconds?: number;
  clientId?: string;
  clientSecret?: string;
  /** Allowed redirect URIs (exact match); default any http://127.0.0.1:*, http://[::1]:* or https:// URI. */
  redirectUris?: string[];
  /**
   * Imitate the real service's quirks (see quirks.ts): per-market copies of releases in
   * /artists/{id}/albums without a market, market filtering and track relinking with one,
   * upper-case album_type, year/month release dates, empty or unsized images, string preview URLs,
   * playlist/artist/show/null contexts in recently played. Default off: the tidy sandbox.
   */
  quirks?: boolean;
}

export interface Sandbox {
  app: Express;
  catalog: Catalog;
  stats: SandboxStats;
  faults: FaultControl;
  revokeRefreshToken(token: string): void;
  revokeListener(listenerId: string): void;
}

export interface RunningSandbox extends Sandbox {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Spotify's rolling rate-limit window. */
const RATE_WINDOW_MS = 30_000;
const ID_AFTER = new Set(['artists', 'albums', 'tracks', 'audio-features', 'users', 'artist', 'track', 'playlists']);

/** "GET /v1/artists/{id}/albums": method plus path with ids replaced, for /_sandbox/stats. */
export function endpointKey(method: string, path: string): string {
  const segments = path.replace(/\/+$/, '').split('/');
  for (let i = 1; i < segments.length; i++) {
    if (ID_AFTER.has(segments[i - 1]) && segments[i] !== '') {
      segments[i] = '{id}';
    }
  }
  return `${method} ${segments.join('/') || '/'}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function faultBody(target: FaultTarget, status: number): unknown {
  const message = status === 429 ? 'API rate limit exceeded' : status === 503 ? 'Service unavailable' : status >= 500 ? 'Server error' : 'Injected fault';
  if (target === 'v1') return { error: { status, message } };
  if (target === 'musicbrainz') return { error: message, help: 'For usage, please see: https://musicbrainz.org/development/mmd' };
  return { error: message, message };
}

function faultMiddleware(state: SandboxState, target: FaultTarget) {
  return async (_req: Request, res: Response, next: NextFunction) => {
    const f = state.faults;
    if (target === 'v1' && f.latencyMs > 0) await sleep(f.latencyMs);
    const pending = f.pending[target].shift();
    if (pending?.status === FAULT_PASS) return next();
    if (pending) {
      // Transport-level faults (see FAULT_* in state.ts): a reset socket, a body cut short, bad JSON,
      // no answer at all (the socket stays open until the client gives up or the sandbox closes).
      if (pending.status === FAULT_STALL) return;
      if (pending.status === FAULT_RESET) {
        res.socket?.destroy();
        return;
      }
      if (pending.status === FAULT_TRUNCATED || pending.status === FAULT_MALFORMED) {
        res.status(200).type('application/json').send(pending.status === FAULT_TRUNCATED ? '{"items": [{"id": "abc", "na' : '{"items": [,]}');
        return;
      }
      if (pending.status === 429) res.set('Retry-After', '1');
      res.status(pending.status).json(faultBody(target, pending.status));
      return;
    }
    if (target !== 'v1') return next();
    if (f.rateLimit !== undefined && Number.isFinite(f.rateLimit)) {
      const now = Date.now();
      while (f.window.length > 0 && f.window[0] <= now - f.rateWindowMs) f.window.shift();
      if (f.window.length >= f.rateLimit) {
        const retryAfter = Math.max(1, Math.ceil((f.window[0] + f.rateWindowMs - now) / 1000));
        res.set('Retry-After', String(retryAfter)).status(429).json({ error: { status: 429, message: 'API rate limit exceeded' } });
        return;
      }
      f.window.push(now);
    }
    if (f.failRate > 0 && f.random() < f.failRate) {
      res.status(500).json({ error: { status: 500, message: 'Server error' } });
      return;
    }
    next();
  };
}

function validateOptions(opts: SandboxOptions): void {
  const bad = (msg: string) => { throw new Error(`Invalid sandbox option: ${msg}`); };
  if (opts.profile !== undefined && opts.profile !== 'extended' && opts.profile !== 'development') bad(`profile must be extended or development, got ${String(opts.profile)}`);
  if (opts.latencyMs !== undefined && !(opts.latencyMs >= 0)) bad('latencyMs must be >= 0');
  if (opts.failRate !== undefined && !(opts.failRate >= 0 && opts.failRate <= 1)) bad('failRate must be between 0 and 1');
  if (opts.rateLimit !== undefined && !(opts.rateLimit >= 1)) bad('rateLimit must be >= 1');
  if (opts.rateWindowMs !== undefined && !(opts.rateWindowMs >= 1000)) bad('rateWindowMs must be >= 1000');
  if (opts.tokenTtlSeconds !== undefined && !(opts.tokenTtlSeconds > 0)) bad('tokenTtlSeconds must be > 0');
}

/** Builds the sandbox app (does not listen). A catalogFile is read synchronously here. */
export function createSandbox(opts: SandboxOptions = {}): Sandbox {
  validateOptions(opts);
  const catalog = opts.catalog ?? (opts.catalogFile ? loadCsvCatalogSync(opts.catalogFile) : getDefaultCatalog());
  const stats: SandboxStats = { total: 0, by_endpoint: {} };
  const faults = new Faults(opts.latencyMs ?? 0, opts.failRate ?? 0, opts.rateLimit, opts.rateWindowMs ?? RATE_WINDOW_MS);
  const state: SandboxState = {
    opts: {
      profile: opts.profile ?? 'development',
      tokenTtlSeconds: opts.tokenTtlSeconds ?? 3600,
      clientId: opts.clientId ?? 'sandbox-client',
      clientSecret: opts.clientSecret ?? 'sandbox-secret',
      redirectUris: opts.redirectUris,
      quirks: opts.quirks ?? false,
    },
    catalog, anchorMs: Math.floor(Date.now() / 60_000) * 60_000,
    tokens: new Map(), refreshTokens: new Map(), codes: new Map(), stats, faults, playlists: new Map(),
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Browsers ask every origin for a favicon; answer it before the request counter sees it.
  app.get('/favicon.ico', (_req, res) => {
    res.type('image/svg+xml').send(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#f5a623"/></svg>',
    );
  });

  app.use((req, _res, next) => {
    if (!req.path.startsWith('/_sandbox') && !req.path.startsWith('/images/') && !req.path.startsWith('/previews/')) {
      const key = endpointKey(req.method, req.path);
      stats.by_endpoint[key] = (stats.by_endpoint[key] ?? 0) + 1;
      if (req.path === '/v1' || req.path.startsWith('/v1/')) stats.total++;
    }
    next();
  });

  app.get('/_sandbox/stats', (_req, res) => {
    res.json(stats);
  });
  app.post('/_sandbox/stats/reset', (_req, res) => {
    stats.total = 0;
    for (const k of Object.keys(stats.by_endpoint)) delete stats.by_endpoint[k];
    res.json(stats);
  });
  app.get('/_sandbox/listeners', (_req, res) => {
    res.json({ listeners: DEMO_LISTENERS.map((l) => ({ id: l.id, display_name: l.displayName, description: l.description })) });
  });
  // A demo listener's data export (extended streaming history), streamed as one JSON array.
  // `id` is the listener id or the account_id that /v1/me reports. ?plays=N&years=Y size it.
  app.get('/_sandbox/listeners/:id/export.json', (req, res) => {
    const listener = DEMO_LISTENERS.find((l) => l.id === req.params.id || accountId(l.id) === req.params.id);
    if (!listener) {
      res.status(404).json({ error: { status: 404, message: 'Unknown listener' } });
      return;
    }
    const plays = Math.min(1_000_000, Math.max(0, Number(req.query.plays) || 20_000));
    const years = Math.min(15, Math.max(1, Number(req.query.years) || 4));
    res.type('application/json').attachment('Streaming_History_Audio_demo.json');
    const entries = generateListeningHistory(listener.id, { plays, years, catalog });
    res.write('[');
    let first = true;
    const pump = () => {
      let chunk = '';
      for (let i = 0; i < 2000; i++) {
        const next = entries.next();
        if (next.done) {
          res.end(chunk + ']');
          return;
        }
        chunk += (first ? '\n' : ',\n') + JSON.stringify(next.value);
        first = false;
      }
      if (res.write(chunk)) setImmediate(pump);
      else res.once('drain', pump);
    };
    pump();
  });
  // Every playlist created through the Web API, newest first, with its tracks (tests; the HTML is /sandbox/playlists).
  app.get('/_sandbox/playlists', (_req, res) => {
    res.json({ playlists: playlistSummaries(state) });
  });
  app.get('/_sandbox/notable', (_req, res) => {
    res.json(catalog.notable);
  });
  app.post('/_sandbox/revoke', express.json(), (req, res) => {
    const body = (req.body ?? {}) as { listener?: unknown; refresh_token?: unknown };
    if (typeof body.listener === 'string') {
      res.json({ revoked: revokeListener(state, body.listener) });
    } else if (typeof body.refresh_token === 'string') {
      res.json({ revoked: revokeRefreshToken(state, body.refresh_token) ? 1 : 0 });
    } else {
      res.status(400).json({ error: { status: 400, message: 'Give "listener" or "refresh_token"' } });
    }
  });

  app.get('/images/:kind/:file', imageHandler(catalog));
  app.get('/previews/:file', previewHandler);
  app.use(createAccountsRouter(state));
  app.use(createPlaylistPagesRouter(state));
  app.use('/v1', faultMiddleware(state, 'v1'), createWebApiRouter(state));
  app.use('/reccobeats', faultMiddleware(state, 'reccobeats'), createReccobeatsRouter(state));
  app.use('/musicbrainz', faultMiddleware(state, 'musicbrainz'), createMusicbrainzRouter(state));

  app.use((_req, res) => {
    res.status(404).json({ error: { status: 404, message: 'Service not found' } });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ApiError) {
      res.set(err.headers).status(err.status).json({ error: { status: err.status, message: err.message } });
      return;
    }
    const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
    res.status(status).json({ error: { status, message: status === 500 ? 'Server error' : String((err as Error).message) } });
  });

  return {
    app, catalog, stats, faults,
    revokeRefreshToken: (token) => { revokeRefreshToken(state, token); },
    revokeListener: (listenerId) => { revokeListener(state, listenerId); },
  };
}

/** Builds and listens (host 127.0.0.1, port 0 = ephemeral by default). */
export async function startSandbox(opts: SandboxOptions & { port?: number; host?: string } = {}): Promise<RunningSandbox> {
  const catalog = opts.catalog ?? (opts.catalogFile ? await loadCsvCatalog(opts.catalogFile) : undefined);
  const sandbox = createSandbox({ ...opts, catalog });
  const host = opts.host ?? '127.0.0.1';
  const server = await new Promise<import('node:http').Server>((resolve, reject) => {
    const s = sandbox.app.listen(opts.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    ...sandbox,
    url: `http://${urlHost}:${port}`,
    port,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    }),
  };
}
