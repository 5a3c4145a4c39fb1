import { Router } from 'express';
import { z } from 'zod';
import type { Services } from '../app';
import { BadRequest } from '../errors';
import { apiUser } from './authn';

const range = z.enum(['short_term', 'medium_term', 'long_term']).default('medium_term');
const topQuery = z.object({ type: z.enum(['artists', 'tracks']).default('artists'), range, refresh: z.enum(['0', '1']).optional() });
const rangeQuery = z.object({ range, refresh: z.enum(['0', '1']).optional() });
const refreshQuery = z.object({ refresh: z.enum(['0', '1']).optional() });

function parse<T>(schema: z.ZodType<T>, query: unknown): T {
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadRequest(`${issue.path.join('.') || 'query'}: ${issue.message}`, 'invalid_query');
  }
  return parsed.data;
}

/** The user's own data as JSON, for scripts (personal token) and the dashboard (session). */
export function meRouter(services: Services): Router {
  const { dashboard, profiles } = services;
  const router = Router();
  router.use('/api/me', apiUser(services));

  const summaryFor = async (userId: string, refresh?: string) => dashboard.summary(await profiles.user(userId), { refresh: refresh === '1' });

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
