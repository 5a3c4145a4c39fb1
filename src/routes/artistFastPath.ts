import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { redactUrl } from '../logger';
import type { Metrics } from '../metrics';
import type { ArtistService } from '../services/ArtistService';
import type { BodyEncoding } from '../services/EncodedBody';
import type { ApiCounter } from './rateLimits';

const ARTIST_URL = /^\/api\/artists\/([0-9A-Za-z]{22})$/;
const ROUTE = '/api/artists/:id';

export interface ArtistFastPathOptions {
  artists: Pick<ArtistService, 'freshBodyNow'>;
  logger: Logger;
  metrics: Metrics;
  /** The security headers every answer carries (helmet, as configured for the app); they are static, so taken once. */
  helmet: RequestHandler;
  /** The /api per-IP rate limit's own counter: a cached read counts against it like any other. */
  apiCounter: ApiCounter;
  /** The app whose request prototype (req.ip with trust proxy, acceptsEncodings) a request needs in the rare cases below. */
  app: { request: object; response: object };
}

type Req = Parameters<RequestHandler>[0];

/**
 * The hottest read, answered from memory ahead of the general middleware chain: GET (or HEAD)
 * /api/artists/:id without a query, for an artist whose serialized body is cached, whose version
 * stamp was confirmed within the freshness interval, and whose negotiated encoding is already made.
 * Anything else (a refresh, a stale or missing entry, a first request for an encoding, a request
 * over the rate limit) passes to the ordinary route, which checks the stamp in DynamoDB, refills
 * the cache and answers errors in the project's shape.
 *
 * What the route needs still holds here: the same security headers (helmet), the /api rate limit
 * (the same counter, with the same RateLimit headers), X-Request-Id, the request log line
 * (pino-http's "request completed"), the HTTP latency histogram, Vary, ETag and 304. The route
 * needs no session, cookie or CSRF token (it is mounted ahead of those today), and an answer made
 * synchronously from memory adds no work that load shedding would protect against.
 *
 * It costs about what a bare node:http handler sending the same bytes costs (see BENCHMARKS.md):
 * the answer is one writeHead with a header list made of static parts, no Express prototypes are
 * swapped in, the counter is counted synchronously, and the histogram's labelled child is taken
 * once. The latency recorded (and logged) is the time to hand the answer to the socket.
 */
export function artistFastPath(o: ArtistFastPathOptions): RequestHandler {
  const security = staticHeaders(o.helmet).flat();
  const policy = `${o.apiCounter.limit};w=${Math.ceil(o.apiCounter.windowMs / 1000)}`;
  // Accept-Encoding values are few (one per browser family): the negotiation is memoized per value.
  const negotiated = new Map<string, BodyEncoding>();
  const encodingFor = (req: Req): BodyEncoding => {
    const header = req.headers['accept-encoding'] ?? '';
    let e = negotiated.get(header);
    if (e === undefined) {
      // The same choice as the route: brotli when accepted at all, else gzip, else identity.
      const accepts = (enc: string) => (o.app.request as Req).acceptsEncodings.call(req, enc) === enc;
      e = accepts('br') ? 'br' : accepts('gzip') ? 'gzip' : 'identity';
      if (negotiated.size < 256) negotiated.set(header, e);
    }
    return e;
  };
  // The counter's key per connection: without X-Forwarded-For, req.ip is the socket's address
  // whatever trust proxy says, so it is worked out once per keep-alive connection.
  const keyBySocket = new WeakMap<object, string>();
  const counterKey = (req: Req): string => {
    if (req.headers['x-forwarded-for'] === undefined) {
      let key = keyBySocket.get(req.socket);
      if (key === undefined) {
        key = o.apiCounter.keyFor(req.socket.remoteAddress ?? '');
        keyBySocket.set(req.socket, key);
      }
      return key;
    }
    // Behind a proxy: Express's own req.ip, with the app's trust proxy setting.
    Object.setPrototypeOf(req, o.app.request);
    return o.apiCounter.keyFor(req.ip ?? '');
  };
  const observers = new Map<string, { observe(seconds: number): void }>();
  const observer = (method: string, status: number) => {
    const k = `${method} ${status}`;
    let h = observers.get(k);
    if (!h) {
      h = o.metrics.httpDuration.labels({ method, route: ROUTE, status: String(status) });
      observers.set(k, h);
    }
    return h;
  };

  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const m = ARTIST_URL.exec(req.url);
    if (!m) return next();
    const body = o.artists.freshBodyNow(m[1]);
    if (!body) return next();
    const encoding = encodingFor(req);
    const bytes = body.ready(encoding);
    if (!bytes) return next();

    const start = process.hrtime.bigint();
    const key = counterKey(req);
    const count = o.apiCounter.hit(key);
    if (count.totalHits > o.apiCounter.limit) {
      // Over the limit: the ordinary chain answers (and counts the request itself).
      o.apiCounter.unhit(key);
      return next();
    }
    const id = crypto.randomUUID();
    const reset = Math.max(0, Math.ceil((count.resetTime.getTime() - Date.now()) / 1000));
    const headers = [
      ...security,
      'x-request-id', id,
      'ratelimit-policy', policy,
      'ratelimit', `limit=${o.apiCounter.limit}, remaining=${Math.max(o.apiCounter.limit - count.totalHits, 0)}, reset=${reset}`,
      'content-type', 'application/json; charset=utf-8',
      'vary', 'Accept-Encoding',
      'cache-control', 'no-cache',
      'etag', body.etag(encoding),
    ];
    let status = 200;
    if (body.matches(req.headers['if-none-match'])) {
      status = 304;
      res.writeHead(304, headers);
      res.end();
    } else {
      if (encoding !== 'identity') headers.push('content-encoding', encoding);
      headers.push('content-length', String(bytes.length));
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : bytes);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    observer(req.method, status).observe(seconds);
    if (o.logger.isLevelEnabled('info')) {
      o.logger.info(
        { req: { id, method: req.method, url: redactUrl(req.url) }, res: { statusCode: status }, responseTime: Math.round(seconds * 1000) },
        'request completed',
      );
    }
  };
}

/**
 * The headers a helmet middleware sets, taken once: with no per-request directives (no nonces) they
 * are the same on every answer, so the fast path copies them instead of running helmet per request.
 * A helmet that reads the request or answers asynchronously would not fit: that throws at start-up.
 */
export function staticHeaders(helmet: RequestHandler): [string, string][] {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: unknown) => headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
    getHeader: (name: string) => headers.get(name.toLowerCase()),
  };
  let called = false;
  helmet({ headers: {}, method: 'GET', url: '/' } as never, res as never, ((err?: unknown) => {
    if (err) throw err;
    called = true;
  }) as never);
  if (!called) throw new Error('helmet did not finish synchronously');
  return [...headers];
}
