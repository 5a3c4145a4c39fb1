import { Router } from 'express';
import { z } from 'zod';
import type { Services } from '../buildServices';
import { apiUser } from './authn';
import { parseOr400, refreshFlag, timeRange } from './params';

const range = timeRange.default('medium_term');
export const refreshQuery = z.object({ refresh: refreshFlag.optional() });
export const topQuery = refreshQuery.extend({ type: z.enum(['artists', 'tracks']).default('artists'), range });
export const rangeQuery = refreshQuery.extend({ range });
const parse = <S extends z.ZodType>(schema: S, query: unknown) => parseOr400(schema, query);

/** The user's own data as JSON, for scripts (personal token) and the dashboard (session). */
export function meRouter(services: Pick<Services, 'dashboard' | 'profiles'>): Router {
  const { dashboard, profiles } = services;
  const router = Router();
  router.use('/api/me', apiUser());

  // The user item and the cached summary are read side by side.
  const summaryFor = (userId: string, refresh?: string) => dashboard.summary({ id: userId, loading: profiles.user(userId) }, { refresh: refresh === '1' });

  router.get('/api/me/summary', async (req, res) => {
    const q = parse(refreshQuery, req.query);
    res.json(await summaryFor(req.user!.id, q.refresh));
  });

  router.get('/api/me/top', async (req, res) => {
    const q = parse(topQuery, req.query);
    const s = await summaryFor(req.user!.id, q.refresh);
    res.json({ type: q.type, range: q.range, label: s.ranges[q.range].label, generated_at: s.generated_at, items: s.ranges[q.range][q.type] });
  });

  router.get('/api/me/genres', async (req, res) => {
    const q = parse(rangeQuery, req.query);
    const s = await summaryFor(req.user!.id, q.refresh);
    res.json({ range: q.range, method: s.genres.method, source: s.genres.source, generated_at: s.generated_at, genres: s.ranges[q.range].genres });
  });

  router.get('/api/me/recent', async (req, res) => {
    const q = parse(refreshQuery, req.query);
    const s = await summaryFor(req.user!.id, q.refresh);
    res.json({ generated_at: s.generated_at, items: s.recent });
  });

  return router;
}
