import type { RequestHandler } from 'express';
import type { Metrics } from '../metrics';

export interface LoadSheddingOptions {
  /** Requests being answered at once beyond which new ones are turned away. */
  maxInFlight: number;
  /** Event-loop lag (ms) beyond which new requests are turned away until it recovers. */
  maxLagMs: number;
  /** What Retry-After tells a client that was turned away. */
  retryAfterSeconds?: number;
  metrics?: Metrics;
}

/** Paths that must answer even under load: probes and scrapes (they are cheap). */
const EXEMPT = new Set(['/healthz', '/readyz', '/metrics']);
/** How often the event loop's lag is sampled: a timer that fires late measures how late. */
const SAMPLE_MS = 100;

/**
 * Past capacity the app answers 503 with Retry-After at once instead of queueing work it cannot
 * finish in time (sockets pile up, memory grows, every client times out): when too many requests
 * are in flight, or when the event loop is running late. Both recover by themselves: in-flight
 * requests finish, and the next on-time sample clears the lag.
 */
export function loadShedding(o: LoadSheddingOptions): RequestHandler {
  let inFlight = 0;
  let lagMs = 0;
  let expected = Date.now() + SAMPLE_MS;
  const sample = () => {
    const now = Date.now();
    lagMs = Math.max(0, now - expected);
    expected = now + SAMPLE_MS;
    setTimeout(sample, SAMPLE_MS).unref();
  };
  setTimeout(sample, SAMPLE_MS).unref();
  const retryAfter = String(o.retryAfterSeconds ?? 1);

  return (req, res, next) => {
    if (EXEMPT.has(req.path)) return next();
    const reason = inFlight >= o.maxInFlight ? 'in_flight' : lagMs > o.maxLagMs ? 'event_loop_lag' : null;
    if (reason) {
      o.metrics?.shedRequests.inc({ reason });
      res.status(503).set({ 'Retry-After': retryAfter, 'Cache-Control': 'no-store' });
      const message = 'The server is busy right now; try again in a moment.';
      if (req.accepts(['html', 'json']) === 'html' && !req.path.startsWith('/api/')) return void res.type('html').send(`<!doctype html><title>Busy</title><p>${message}</p>`);
      return void res.json({ error: { code: 'overloaded', message } });
    }
    inFlight++;
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        inFlight--;
      }
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };
}
