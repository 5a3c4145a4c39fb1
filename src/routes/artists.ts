import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Services } from '../buildServices';
import { BadRequest, NotFound } from '../errors';
import type { ArtistView } from '../services/ArtistService';
import type { BodyEncoding, EncodedBody } from '../services/EncodedBody';
import { tracksCsv } from '../services/csv';
import { MAX_QUERY } from '../services/SearchService';
import { chartData } from './artistCharts';
import { parseOr400, spotifyId } from './params';

const flag = z.enum(['0', '1', 'true', 'false']).optional().transform((v) => v === '1' || v === 'true');

const parseId = (raw: unknown): string => parseOr400(spotifyId, raw, 'invalid_artist_id', 'Artist ids are 22 characters of letters and digits, as in Spotify links.');

export const searchQuery = z.object({
  q: z.string().optional().default(''),
  limit: z.coerce.number().int().min(1).max(50).optional().default(20),
});

/**
 * The artist JSON document and its ingest status. They need no session, cookie or CSRF token, so
 * the app mounts this router before those middlewares: a cached read then costs little more than
 * writing its bytes.
 */
export function artistApiRouter({ artists }: Pick<Services, 'artists'>): Router {
  const router = Router();

  router.get('/api/artists/:id', async (req, res) => {
    const id = parseId(req.params.id);
    const refresh = flag.parse(typeof req.query.refresh === 'string' ? req.query.refresh : undefined);
    const answer = await artists.body(id, { refresh });
    if ('pending' in answer) {
      // A long ingest (a big artist, a rate limit): say where to poll instead of holding the request open.
      res.status(202).location(`/api/artists/${id}/status`).set('Retry-After', '1').json(answer.pending);
      return;
    }
    await sendEncoded(req, res, answer.ready);
  });

  router.get('/api/artists/:id/status', async (req, res) => {
    res.json(await artists.status(parseId(req.params.id)));
  });

  return router;
}

/** Search, the artist page, and the artist exports. Works without login (the app's own token). */
export function artistsRouter({ search, artists }: Pick<Services, 'search' | 'artists'>): Router {
  const router = Router();

  router.get('/api/search', async (req, res) => {
    if (Array.isArray(req.query.q)) throw new BadRequest('Give one q parameter.', 'invalid_query');
    const { q, limit } = parseOr400(searchQuery, req.query, 'invalid_limit', 'limit must be a whole number from 1 to 50.');
    res.json({ artists: await search.artists(q, limit) });
  });

  router.get('/search', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    let error: string | null = null;
    let results = null;
    if (q.trim() === '') {
      if ('q' in req.query) error = 'Type an artist name to search for.';
    } else if (q.trim().length > MAX_QUERY) {
      error = `Searches are limited to ${MAX_QUERY} characters.`;
    } else {
      results = await search.artists(q, 20);
    }
    res.status(error ? 400 : 200).render('search', { title: q ? `Search: ${q}` : 'Search artists', q, results, error });
  });

  router.get('/api/artists/:id/tracks.csv', async (req, res) => {
    const view = await artists.get(parseId(req.params.id));
    res
      .type('text/csv; charset=utf-8')
      .attachment(`${view.artist.id}-tracks.csv`)
      .send(tracksCsv(view));
  });

  router.get('/api/artists/:id/export.json', async (req, res) => {
    const view = await artists.get(parseId(req.params.id));
    res.attachment(`${view.artist.id}.json`).json(view);
  });

  router.get('/artists/:id', async (req, res) => {
    const id = parseId(req.params.id);
    const refresh = flag.parse(typeof req.query.refresh === 'string' ? req.query.refresh : undefined);
    const cached = await artists.cached(id);
    if (cached?.fresh && !refresh) return renderArtist(res, cached.view, false);
    const status = await artists.status(id);
    // Not cached (or stale, or a refresh was asked for): start the ingest in the background and
    // show what we have, or a progress page that polls the status until the data is complete.
    if (status.status === 'failed' && !refresh && !cached) {
      return res.status(502).render('artist-status', { title: 'Could not fetch artist', id, status, failed: true });
    }
    if (cached) {
      artists.ensureIngest(id).catch((err: Error) => req.log.warn({ err, artist: id }, 'background ingest failed'));
      return renderArtist(res, cached.view, true);
    }
    const outcome = await artists.ingestBriefly(id);
    if (outcome === 'missing') throw new NotFound('Spotify has no artist with this id.');
    if (outcome === 'done') {
      const fresh = await artists.cached(id);
      if (fresh) return renderArtist(res, fresh.view, false);
      return res.status(502).render('artist-status', { title: 'Could not fetch artist', id, status: await artists.status(id), failed: true });
    }
    res.status(202).render('artist-status', { title: 'Fetching artist', id, status: await artists.status(id), failed: false });
  });

  router.post('/artists/:id/refresh', (req, res) => {
    const id = parseId(req.params.id);
    artists.ensureIngest(id).catch((err: Error) => req.log.warn({ err, artist: id }, 'refresh failed'));
    res.redirect(303, `/artists/${id}`);
  });

  return router;
}

/**
 * Sends a cached body as it is: the encoding the client prefers among those made once per
 * generation, a strong ETag, 304 for a matching If-None-Match. A compressed body carries its
 * Content-Encoding, which the global compression middleware takes as already encoded.
 */
async function sendEncoded(req: Request, res: Response, body: EncodedBody): Promise<void> {
  // Brotli when accepted at all (smaller, and made once anyway), else gzip; a q=0 rules either out.
  const encoding: BodyEncoding = req.acceptsEncodings('br') === 'br' ? 'br' : req.acceptsEncodings('gzip') === 'gzip' ? 'gzip' : 'identity';
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Vary', 'Accept-Encoding');
  // Revalidate every time: the ETag makes that a 304 without a body.
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('ETag', body.etag(encoding));
  if (body.matches(req.headers['if-none-match'])) {
    res.status(304).end();
    return;
  }
  const bytes = await body.bytes(encoding);
  // (identity goes out unlabelled: compression then finds nothing it may add, as the client accepts neither)
  if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
  res.setHeader('Content-Length', bytes.length);
  res.status(200).end(req.method === 'HEAD' ? undefined : bytes);
}

function renderArtist(res: Response, view: ArtistView, refreshing: boolean): void {
  res.render('artist', { title: view.artist.name, view, charts: chartData(view), refreshing });
}
