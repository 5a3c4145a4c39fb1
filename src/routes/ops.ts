import { Router } from 'express';
import type { Services } from '../buildServices';

/** Liveness, readiness and Prometheus metrics. */
export function opsRouter({ store, spotify, metrics }: Pick<Services, 'store' | 'spotify' | 'metrics'>): Router {
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
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
