import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type ClientRateLimitInfo, type Options, type Store } from 'express-rate-limit';
import type { Config } from '../config';
import { AppError } from '../errors';
import { apiTokenHash } from './authn';

/** The page routes whose handlers call Spotify: each request can cost several upstream calls. */
export const SPOTIFY_PAGES = ['/search', '/artists/:id', '/compare', '/tracks/:id'];

/**
 * Rate limits per minute; over a limit: 429 with Retry-After and the project's error shape.
 * - `api`: /api per IP, always, whatever the request carries (a header of the caller's choosing
 *   must not open a fresh budget).
 * - `token`: /api per personal token as well, mounted after bearer authentication, so only tokens
 *   that authenticated are counted (a stolen token used from many addresses stays bounded).
 * - `auth`: /auth per IP.
 * - `spotifyPages`: the pages that call Spotify, per IP and per logged-in person.
 * - `playlists`: playlist creation, per person and hour.
 * - `invites`: friend invitation links, per person and hour.
 * The counters live in this process; behind a load balancer each worker counts its own share
 * (see README, "Scale").
 */
export interface RateLimits {
  api: RequestHandler;
  /** The /api per-IP counter itself, for the cached artist answer that runs ahead of the middleware (artistFastPath). */
  apiCounter: ApiCounter;
  token: RequestHandler;
  auth: RequestHandler;
  spotifyPages: RequestHandler[];
  playlists: RequestHandler;
  invites: RequestHandler;
}

/** What the cached artist answer needs of the /api per-IP limit to count a request exactly as the middleware does. */
export interface ApiCounter {
  readonly limit: number;
  readonly windowMs: number;
  /** The counter's key for an address, as the middleware's key generator makes it. */
  keyFor(ip: string): string;
  /** Counts one request now, synchronously; the hits so far in this window and when it ends. */
  hit(key: string): ClientRateLimitInfo & { resetTime: Date };
  /** Takes one back (a request that then goes through the middleware, which counts it itself). */
  unhit(key: string): void;
}

export function rateLimits(config: Config): RateLimits {
  const common = { windowMs: 60_000, standardHeaders: 'draft-7' as const, legacyHeaders: false };
  const byIp = (req: { ip?: string }) => `ip:${ipKeyGenerator(req.ip ?? '')}`;
  const apiStore = new WindowStore();
  const apiHandler: RequestHandler = (_req, res) => {
    res.status(429).json({ error: { code: 'rate_limited', message: 'Too many requests; slow down and retry after the time in Retry-After.' } });
  };
  // Pages answer with the error page (HTML or JSON by Accept); Retry-After is already set.
  const pageHandler: RequestHandler = (_req, _res, next) => {
    next(new AppError(429, 'rate_limited', 'Too many requests; wait a minute and try again.'));
  };
  const api = rateLimit({ ...common, limit: config.rateLimits.apiPerMinute, keyGenerator: byIp, handler: apiHandler, store: apiStore });
  const apiCounter: ApiCounter = {
    limit: config.rateLimits.apiPerMinute,
    windowMs: common.windowMs,
    keyFor: (ip) => byIp({ ip }),
    hit: (key) => apiStore.increment(key),
    unhit: (key) => apiStore.decrement(key),
  };
  const token = rateLimit({
    ...common,
    limit: config.rateLimits.tokenPerMinute,
    skip: (req) => !apiTokenHash(req),
    keyGenerator: (req) => `token:${apiTokenHash(req)}`,
    handler: apiHandler,
  });
  const auth = rateLimit({
    ...common,
    limit: config.rateLimits.authPerMinute,
    keyGenerator: byIp,
    handler: (_req, res) => {
      res.status(429).type('text/plain').send('Too many login attempts from this address; try again in a minute.');
    },
  });
  const pagesByIp = rateLimit({ ...common, limit: config.rateLimits.pagesPerMinute, keyGenerator: byIp, handler: pageHandler });
  // Per person rather than per session id: logging in again must not open a fresh budget.
  const pagesByPerson = rateLimit({
    ...common,
    limit: config.rateLimits.pagesPerSessionPerMinute,
    skip: (req) => !req.user,
    keyGenerator: (req) => `user:${req.user!.id}`,
    handler: pageHandler,
  });
  // Per person and hour, one budget for the form and the API (mounted after authentication, so
  // req.user is set). A bad request (400) or a refused consent creates nothing and costs nothing.
  const perPersonPerHour = (limit: number, tooMany: string) => rateLimit({
    ...common,
    windowMs: 3600_000,
    limit,
    skipFailedRequests: true,
    keyGenerator: (req) => (req.user ? `user:${req.user.id}` : `ip:${ipKeyGenerator(req.ip ?? '')}`),
    handler: (req, res, next) => {
      const message = `You have made a lot of ${tooMany} this hour; wait a while and try again.`;
      if (req.path.startsWith('/api/')) res.status(429).json({ error: { code: 'rate_limited', message } });
      else next(new AppError(429, 'rate_limited', message));
    },
  });
  // Creating a playlist writes to the person's Spotify library (and costs 2+ requests).
  const playlists = perPersonPerHour(config.rateLimits.playlistsPerHour, 'playlists');
  // Invitation links (FriendService also caps the open ones).
  const invites = perPersonPerHour(config.rateLimits.invitesPerHour, 'invitation links');
  return { api, apiCounter, token, auth, spotifyPages: [pagesByIp, pagesByPerson], playlists, invites };
}

/**
 * express-rate-limit's fixed window per key, as its MemoryStore keeps it, but answering
 * synchronously, so the cached artist answer can count a request without a promise per request.
 * Keys whose window has ended are dropped every window, so memory stays bounded by the addresses
 * seen in the last two windows.
 */
export class WindowStore implements Store {
  readonly localKeys = true;
  private windowMs = 60_000;
  private readonly clients = new Map<string, { totalHits: number; resetTime: Date }>();
  private sweeper: NodeJS.Timeout | undefined;

  init(options: Options): void {
    this.windowMs = options.windowMs;
    clearInterval(this.sweeper);
    this.sweeper = setInterval(() => this.sweep(Date.now()), this.windowMs);
    this.sweeper.unref();
  }

  get(key: string): ClientRateLimitInfo | undefined {
    const c = this.clients.get(key);
    return c && c.resetTime.getTime() > Date.now() ? c : undefined;
  }

  increment(key: string): { totalHits: number; resetTime: Date } {
    const now = Date.now();
    let c = this.clients.get(key);
    if (!c || c.resetTime.getTime() <= now) {
      c = { totalHits: 0, resetTime: new Date(now + this.windowMs) };
      this.clients.set(key, c);
    }
    c.totalHits++;
    return c;
  }

  decrement(key: string): void {
    const c = this.clients.get(key);
    if (c && c.totalHits > 0) c.totalHits--;
  }

  resetKey(key: string): void {
    this.clients.delete(key);
  }

  resetAll(): void {
    this.clients.clear();
  }

  shutdown(): void {
    clearInterval(this.sweeper);
    this.clients.clear();
  }

  private sweep(now: number): void {
    for (const [key, c] of this.clients) if (c.resetTime.getTime() <= now) this.clients.delete(key);
  }
}
