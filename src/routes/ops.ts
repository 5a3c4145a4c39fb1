import crypto from 'node:crypto';
import { Router, type Request } from 'express';
import type { Services } from '../buildServices';

/** Liveness, readiness and Prometheus metrics. */
export function opsRouter({ config, store, spotify, metrics }: Pick<Services, 'config' | 'store' | 'spotify' | 'metrics'>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (req, res) => {
    const checks: Record<string, string> = {};
    await Promise.all([
      store.ping().then(
        () => (checks.dynamodb = 'ok'),
        (err: Error) => (checks.dynamodb = `unreachable: ${err.name}`),
      ),
      // Any HTTP answer (even 401) proves Spotify's base URL is reachable.
      spotify.ping().then(
        () => (checks.spotify = 'ok'),
        (err: Error & { code?: string }) => (checks.spotify = `unreachable: ${err.code ?? err.name}`),
      ),
    ]);
    const ok = Object.values(checks).every((v) => v === 'ok');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', checks });
  });
  // Metrics reveal traffic, users' activity and upstream health: only a scraper holding
  // METRICS_TOKEN reads them. Without one configured the route does not exist (404).
  router.get('/metrics', async (req, res, next) => {
    if (!config.metricsToken) return next();
    if (!bearerIs(req, config.metricsToken)) {
      return res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').type('text/plain').send('Send Authorization: Bearer <METRICS_TOKEN>.');
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}

/** Compares in constant time (hashes of equal length), so the token cannot be guessed byte by byte. */
function bearerIs(req: Request, expected: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const digest = (s: string) => crypto.createHash('sha256').update(s).digest();
  return crypto.timingSafeEqual(digest(given), digest(expected));
}
