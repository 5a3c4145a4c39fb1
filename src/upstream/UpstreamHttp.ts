import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { RateLimited, UpstreamError, UpstreamForbidden, UpstreamNotFound, UpstreamUncertain } from '../errors';
import type { Metrics } from '../metrics';
import { AdaptiveLimiter } from './AdaptiveLimiter';
import type { SharedRateHook } from './SharedRateState';
import { sleep } from '../util/sleep';
import { endpointTemplate } from '../spotify/endpoint';

export interface TokenSource {
  /** A valid access token (refreshed when close to expiry). */
  get(): Promise<string>;
  /** Called after a 401: the next get() must return a fresh token. */
  invalidate(rejected: string): void;
}

export interface RetryPolicy {
  /** Attempts for 5xx, timeouts, resets and malformed bodies. */
  maxAttempts: number;
  /** Base of the exponential backoff (full jitter). */
  baseDelayMs: number;
  /** A 429 with a longer Retry-After is reported (RateLimited) instead of waited for. */
  maxRetryAfterSeconds: number;
  /** How many 429s one call may wait out before it gives up. */
  max429Retries: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxRetryAfterSeconds: 30,
  max429Retries: 8,
  timeoutMs: 10_000,
};

export interface HttpStats {
  requests: number;
  retries: number;
  rateLimited: number;
}

/**
 * One axios instance per base URL, with the retry policy every upstream (Spotify, ReccoBeats, MusicBrainz) needs:
 * honour Retry-After on 429 and pace every caller sharing this instance to the budget the 429 revealed
 * (AdaptiveLimiter: the budget is per app, not per request), retry 5xx/timeouts/resets/malformed JSON with exponential
 * backoff and jitter, refresh the token once on 401, and translate failures into the project's errors.
 */
export class UpstreamHttp {
  readonly axios: AxiosInstance;
  readonly stats: HttpStats = { requests: 0, retries: 0, rateLimited: 0 };

  constructor(
    readonly baseUrl: string,
    private readonly opts: {
      service: string;
      metrics?: Metrics;
      concurrency?: number;
      /** The upstream's rolling rate-limit window (Spotify: 30 s). */
      rateWindowMs?: number;
      /** Shares the learned rate limit with the other processes of the app (AdaptiveLimiter). */
      sharedRate?: SharedRateHook;
      retry?: Partial<RetryPolicy>;
      userAgent?: string;
    },
  ) {
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    // Twenty in flight: a large ingest takes one round per kind of batch; after a 429, fewer (AdaptiveLimiter).
    this.limiter = new AdaptiveLimiter(opts.concurrency ?? 20, opts.rateWindowMs, opts.sharedRate);
    this.axios = axios.create({
      baseURL: baseUrl,
      timeout: this.retry.timeoutMs,
      responseType: 'json',
      // Without this axios hands back a string when the body is not valid JSON.
      transitional: { silentJSONParsing: false, forcedJSONParsing: true },
      validateStatus: () => true,
      headers: { 'User-Agent': opts.userAgent ?? 'spotify-data-app/0.1 (self-hosted)' },
    });
  }

  private readonly retry: RetryPolicy;
  readonly limiter: AdaptiveLimiter;

  /** Each attempt takes its own turn in the limiter; backoff waits between attempts hold no slot. */
  get<T>(path: string, params: Record<string, unknown> = {}, auth?: TokenSource): Promise<T> {
    return this.request<T>('GET', path, { params }, auth, { idempotent: true });
  }

  /**
   * A POST with a JSON body, through the same limiter, Retry-After handling and 401 refresh as get().
   * `idempotent: false` (creating something) is re-sent only when the first attempt certainly had no
   * effect: a 429 or 401 (refused before any work) or a connection that was never made. After a 5xx,
   * a timeout, a reset or an unreadable 2xx body the effect is unknown: that is UpstreamUncertain,
   * and the caller decides (look before sending again). `idempotent: true` retries like get().
   */
  post<T>(path: string, body: unknown, auth: TokenSource | undefined, opts: { idempotent: boolean; params?: Record<string, unknown> }): Promise<T> {
    return this.request<T>('POST', path, { data: body, params: opts.params }, auth, opts);
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    req: { params?: Record<string, unknown>; data?: unknown },
    auth: TokenSource | undefined,
    opts: { idempotent: boolean },
  ): Promise<T> {
    const endpoint = endpointTemplate(method, new URL(this.baseUrl).pathname.replace(/\/$/, '') + path);
    let failures = 0;
    let waits429 = 0;
    let refreshed = false;
    for (;;) {
      const token = auth ? await auth.get() : undefined;
      let res: AxiosResponse | undefined;
      let transient: string | undefined;
      const slot = await this.limiter.acquire();
      this.stats.requests++;
      try {
        const answer = await this.axios.request({
          method,
          url: path,
          params: req.params,
          data: req.data,
          headers: token ? { Authorization: `Bearer ${token}` } : undefined,
        });
        this.opts.metrics?.spotifyRequests.inc({ endpoint, status: String(answer.status) });
        res = answer;
      } catch (err) {
        // Network errors, timeouts and bodies that are not JSON: all worth another try (if idempotent).
        const code = (err as { code?: string }).code ?? 'error';
        this.opts.metrics?.spotifyRequests.inc({ endpoint, status: code });
        transient = code;
      }

      if (res?.status !== 429) slot.release('answered');
      if (res && res.status < 300) return res.data as T;

      if (res?.status === 429) {
        const retryAfter = parseRetryAfter(res.headers['retry-after']);
        this.stats.rateLimited++;
        // Too long a wait: report it (nothing learned, nobody paused); else every caller of this
        // upstream waits until then, and later windows get only the budget.
        if (retryAfter > this.retry.maxRetryAfterSeconds) {
          slot.release('refused');
          throw new RateLimited(retryAfter, this.opts.service);
        }
        slot.release({ retryAfterMs: retryAfter * 1000 });
        if (waits429 >= this.retry.max429Retries) throw new RateLimited(retryAfter, this.opts.service);
        waits429++;
        this.countRetry('429');
        continue;
      }
      if (res?.status === 401 && auth && token && !refreshed) {
        refreshed = true;
        auth.invalidate(token);
        this.countRetry('401');
        continue;
      }
      if (res && res.status >= 500) transient = String(res.status);
      if (transient !== undefined) {
        // A connection that was never made delivered nothing: safe to send again whatever the request.
        if (!opts.idempotent && transient !== 'ECONNREFUSED') {
          throw new UpstreamUncertain(`${this.opts.service} gave no clear answer on ${endpoint} (${transient}); it may or may not have taken effect`, res?.status);
        }
        failures++;
        if (failures >= this.retry.maxAttempts) {
          throw new UpstreamError(`${this.opts.service} failed ${failures} times on ${endpoint} (last: ${transient})`, res?.status);
        }
        this.countRetry(transient);
        await sleep(Math.random() * Math.min(10_000, this.retry.baseDelayMs * 2 ** failures));
        continue;
      }
      if (!res) throw new UpstreamError(`${this.opts.service} gave no response on ${endpoint}`);
      throw translate(res, endpoint, this.opts.service);
    }
  }

  private countRetry(reason: string): void {
    this.stats.retries++;
    this.opts.metrics?.upstreamRetries.inc({ service: this.opts.service, reason });
  }
}

function parseRetryAfter(header: unknown): number {
  const n = Number(header);
  if (Number.isFinite(n) && n >= 0) return Math.max(1, Math.ceil(n));
  const date = Date.parse(String(header));
  if (!Number.isNaN(date)) return Math.max(1, Math.ceil((date - Date.now()) / 1000));
  return 1;
}

function translate(res: AxiosResponse, endpoint: string, service: string): Error {
  const message = upstreamMessage(res.data) ?? `HTTP ${res.status}`;
  if (res.status === 403) return new UpstreamForbidden(`${service} refused ${endpoint}: ${message}`);
  if (res.status === 404) return new UpstreamNotFound(`${service} has no such item (${endpoint})`);
  return new UpstreamError(`${service} answered ${res.status} on ${endpoint}: ${message}`, res.status);
}

function upstreamMessage(data: unknown): string | undefined {
  const err = (data as { error?: unknown } | undefined)?.error;
  if (typeof err === 'string') return err;
  if (err && typeof (err as { message?: unknown }).message === 'string') return (err as { message: string }).message;
  return undefined;
}
