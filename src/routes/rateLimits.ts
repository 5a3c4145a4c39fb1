import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Config } from '../config';

/**
 * Rate limits per minute: /api per personal token (per IP without one), /auth per IP. Over the
 * limit: 429 with Retry-After and the project's error shape. The counters live in this process;
 * behind a load balancer each worker counts its own share (see README, "Scale").
 */
export function rateLimits(config: Config): { api: RequestHandler; auth: RequestHandler } {
  const common = { windowMs: 60_000, standardHeaders: 'draft-7' as const, legacyHeaders: false };
  const api = rateLimit({
    ...common,
    limit: config.rateLimits.apiPerMinute,
    keyGenerator: (req) => {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      // The token's hash, not the token, is kept as the key.
      return bearer ? `token:${crypto.createHash('sha256').update(bearer).digest('hex')}` : `ip:${ipKeyGenerator(req.ip ?? '')}`;
    },
    handler: (_req, res) => {
      res.status(429).json({ error: { code: 'rate_limited', message: 'Too many requests; slow down and retry after the time in Retry-After.' } });
    },
  });
  const auth = rateLimit({
    ...common,
    limit: config.rateLimits.authPerMinute,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
    handler: (_req, res) => {
      res.status(429).type('text/plain').send('Too many login attempts from this address; try again in a minute.');
    },
  });
  return { api, auth };
}
