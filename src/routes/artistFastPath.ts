import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { redactUrl } from '../logger';
import type { Metrics } from '../metrics';
import type { ArtistService } from '../services/ArtistService';
import type { BodyEncoding } from '../services/EncodedBody';

const ARTIST_URL = /^\/api\/artists\/([0-9A-Za-z]{22})$/;
const ROUTE = '/api/artists/:id';

export interface ArtistFastPathOptions {
  artists: Pick<ArtistService, 'freshBodyNow'>;
  logger: Logger;
  metrics: Metrics;
  /** The security headers every answer carries (helmet, as configured for the app); they are static, so taken once. */
  helmet: RequestHandler;
  /** The /api per-IP rate limit: a cached read counts against it like any other. */
  apiLimit: RequestHandler;
  /** The app whose request and response prototypes (req.ip, acceptsEncodings, res.json) a taken request gets. */
  app: { request: object; response: object };
}

/**
 * The hottest read, answered from memory ahead of the general middleware chain: GET (or HEAD)
 * /api/artists/:id without a query, for an artist whose serialized body is cached, whose version
 * stamp was confirmed within the freshness interval, and whose negotiated encoding is already made.
 * Anything else (a refresh, a stale or missing entry, a first request for an encoding) passes to
 * the ordinary route, which checks the stamp in DynamoDB and refills the cache.
 *
 * What the route needs still holds here: the same security headers (helmet), the /api rate limit,
 * X-Request-Id, the request log line (pino-http's "request completed", without a child logger per
 * request), the HTTP latency histogram, Vary, ETag and 304. The route needs no session, cookie or
 * CSRF token (it is mounted ahead of those today), and an answer made synchronously from memory adds
 * no work that load shedding would protect against.
 */
export function artistFastPath(o: ArtistFastPathOptions): RequestHandler {
  const security = staticHeaders(o.helmet);
  // Accept-Encoding values are few (one per browser family): the negotiation is memoized per value.
  const negotiated = new Map<string, BodyEncoding>();
  const encodingFor = (req: Parameters<RequestHandler>[0]): BodyEncoding => {
    const header = req.headers['accept-encoding'] ?? '';
    let e = negotiated.get(header);
    if (e === undefined) {
      // The same choice as the route: brotli when accepted at all, else gzip, else identity.
      e = req.acceptsEncodings('br') === 'br' ? 'br' : req.acceptsEncodings('gzip') === 'gzip' ? 'gzip' : 'identity';
      if (negotiated.size < 256) negotiated.set(header, e);
    }
    return e;
  };

  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const m = ARTIST_URL.exec(req.url);
    if (!m) return next();
    const body = o.artists.freshBodyNow(m[1]);
    if (!body) return next();
    // What Express's app.handle does before routing (it does it again if this passes the request on),
    // so req.acceptsEncodings, req.ip (trust proxy) and res.json work.
    Object.setPrototypeOf(req, o.app.request);
    Object.setPrototypeOf(res, o.app.response);
    (req as { res?: unknown }).res = res;
    (res as { req?: unknown }).req = req;
    res.locals ??= Object.create(null) as typeof res.locals;
    const encoding = encodingFor(req);
    const bytes = body.ready(encoding);
    if (!bytes) return next();

    const start = process.hrtime.bigint();
    const id = crypto.randomUUID();
    res.setHeader('X-Request-Id', id);
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      o.metrics.httpDuration.observe({ method: req.method, route: ROUTE, status: String(res.statusCode) }, seconds);
      if (o.logger.isLevelEnabled('info')) {
        o.logger.info(
          { req: { id, method: req.method, url: redactUrl(req.url) }, res: { statusCode: res.statusCode }, responseTime: Math.round(seconds * 1000) },
          'request completed',
        );
      }
    });
    for (const [name, value] of security) res.setHeader(name, value);
    o.apiLimit(req, res, (limitErr?: unknown) => {
        // (a failing limiter store: the ordinary chain then answers the request, limiter and all)
        if (limitErr) return next(limitErr);
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('Vary', 'Accept-Encoding');
        res.setHeader('Cache-Control', 'no-cache');
        res.setHeader('ETag', body.etag(encoding));
        if (body.matches(req.headers['if-none-match'])) {
          res.statusCode = 304;
          res.end();
          return;
        }
        if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
        res.setHeader('Content-Length', bytes.length);
        res.statusCode = 200;
        res.end(req.method === 'HEAD' ? undefined : bytes);
    });
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
