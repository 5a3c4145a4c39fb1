import { Router } from 'express';
import { z } from 'zod';
import type { Services } from '../buildServices';
import { BadRequest } from '../errors';
import { apiUser } from './authn';
import { requireLogin } from './pages';

const shareBody = z.object({ year: z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(/^\d{4}$/)) });

function parseYear(body: unknown): string {
  const parsed = shareBody.safeParse(body ?? {});
  if (!parsed.success) throw new BadRequest('year is required: a four-digit year you have listening history for, e.g. {"year": 2024}.', 'invalid_year');
  return parsed.data.year;
}

/** Public, revocable yearly summary links with an Open Graph image. */
export function shareRouter(services: Pick<Services, 'shares'>): Router {
  const { shares } = services;
  const router = Router();

  // ---- public ----
  router.get('/share/:slug', async (req, res) => {
    const summary = await shares.summary(String(req.params.slug));
    // Unguessable links are for the people they are given to: keep them out of search indexes,
    // and let a revocation take effect at once.
    res.set({ 'Cache-Control': 'no-cache', 'X-Robots-Tag': 'noindex' });
    res.render('share', {
      title: `${summary.display_name}’s ${summary.year} in music`,
      summary,
      pageUrl: shares.url(summary.slug),
      imageUrl: `${shares.url(summary.slug)}/og.png`,
    });
  });

  router.get('/share/:slug/og.png', async (req, res) => {
    const { png, etag } = await shares.ogImage(String(req.params.slug));
    res.set({ 'Content-Type': 'image/png', 'Cache-Control': 'public, max-age=3600', ETag: `"${etag}"`, 'X-Robots-Tag': 'noindex' });
    res.send(png);
  });

  // ---- settings forms ----
  router.post('/settings/shares', requireLogin, async (req, res) => {
    await shares.create(req.user!.id, parseYear(req.body));
    res.redirect(303, '/settings#share');
  });

  router.post('/settings/shares/:slug/revoke', requireLogin, async (req, res) => {
    await shares.revoke(req.user!.id, String(req.params.slug));
    res.redirect(303, '/settings#share');
  });

  // ---- JSON API ----
  router.get('/api/me/shares', apiUser(), async (req, res) => {
    res.json({ shares: await shares.list(req.user!.id) });
  });

  router.post('/api/me/shares', apiUser(), async (req, res) => {
    const { link, created } = await shares.create(req.user!.id, parseYear(req.body));
    res.status(created ? 201 : 200).location(link.url).json({ slug: link.slug, url: link.url, year: link.year });
  });

  router.delete('/api/me/shares/:slug', apiUser(), async (req, res) => {
    await shares.revoke(req.user!.id, String(req.params.slug));
    res.status(204).end();
  });

  return router;
}
