import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Services } from '../buildServices';
import { BadRequest } from '../errors';
import type { PageResult } from '../services/CompareService';
import type { TimeRange } from '../spotify/SpotifyClient';
import { apiUser } from './authn';
import { artistRef, timeRange } from './params';

const ID_MESSAGE = 'Artist ids are 22 characters of letters and digits, as in Spotify links.';

export const compareQuery = z.object({
  a: artistRef.optional(),
  b: artistRef.optional(),
  me: z.enum(['0', '1', 'true', 'false']).optional().transform((v) => v === '1' || v === 'true'),
  range: timeRange.default('medium_term'),
});

type CompareRequest = { kind: 'artists'; a: string; b: string } | { kind: 'taste'; b: string; range: TimeRange };

function parseCompare(query: unknown): CompareRequest {
  const parsed = compareQuery.safeParse(query);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0].path[0] ?? 'query');
    if (field === 'a' || field === 'b') throw new BadRequest(`${field}: ${ID_MESSAGE}`, 'invalid_artist_id');
    if (field === 'range') throw new BadRequest('range must be short_term, medium_term or long_term.', 'invalid_range');
    throw new BadRequest('me must be 1 (compare your taste) or 0.', 'invalid_query');
  }
  const { a, b, me, range } = parsed.data;
  const usage = 'Compare two artists with /compare?a=<artist id>&b=<artist id>, or your taste with /compare?me=1&b=<artist id>.';
  if (!b) throw new BadRequest(`b, the artist to compare with, is missing. ${usage}`, 'missing_artist');
  if (me && a) throw new BadRequest(`Give either a (another artist) or me=1 (your taste), not both. ${usage}`, 'invalid_query');
  if (me) return { kind: 'taste', b, range };
  if (!a) throw new BadRequest(`a, the first artist, is missing. ${usage}`, 'missing_artist');
  return { kind: 'artists', a, b };
}

const wantsTaste = (req: Request) => req.query.me === '1' || req.query.me === 'true';

/** Compare two artists, or your taste with an artist. */
export function compareRouter(services: Pick<Services, 'compare' | 'search'>): Router {
  const router = Router();
  const { compare, search } = services;
  const authenticate = apiUser();

  // Two artists need no login (like /api/artists/:id); your taste needs the session or a bearer token.
  router.get('/api/compare', (req, res, next) => (wantsTaste(req) ? authenticate(req, res, next) : next()), async (req, res) => {
    const q = parseCompare(req.query);
    res.json(q.kind === 'taste' ? await compare.compareTaste(req.user!.id, q.b, q.range) : await compare.compareArtists(q.a, q.b));
  });

  router.get('/compare', async (req, res) => {
    // Nothing chosen yet (the nav or the history page link here): say how to pick the artists.
    if (req.query.a === undefined && req.query.b === undefined) {
      return res.render('compare', { title: 'Compare', state: 'choose', me: wantsTaste(req) });
    }
    let q: CompareRequest;
    try {
      q = parseCompare(req.query);
    } catch (err) {
      if (!(err instanceof BadRequest)) throw err;
      return renderChoice(req, res, search);
    }
    if (q.kind === 'taste') {
      if (!req.user) return res.status(401).render('compare', { title: 'Compare your taste', state: 'login', b: q.b });
      return renderPage(res, await compare.tastePage(req.user.id, q.b, q.range), (c) => `Your taste vs ${c.b.name}`);
    }
    renderPage(res, await compare.artistsPage(q.a, q.b), (c) => (c.same_artist ? c.a.name : `${c.a.name} vs ${c.b.name}`));
  });

  return router;
}

/**
 * A compare page whose artists are missing or not ids (a name typed without JavaScript, a mistyped
 * link): the choice form again, the mistake said under its box, and the artists the text may mean.
 */
async function renderChoice(req: Request, res: Response, search: Services['search']): Promise<void> {
  const raw = (k: 'a' | 'b') => (typeof req.query[k] === 'string' ? (req.query[k] as string).trim().slice(0, 200) : '');
  const me = wantsTaste(req);
  const valid = (k: 'a' | 'b') => (raw(k) ? artistRef.safeParse(raw(k)) : null);
  const a = valid('a');
  const b = valid('b');
  const field: 'a' | 'b' = !me && a && !a.success ? 'a' : 'b';
  const text = raw(field);
  const message = text
    ? `No artist “${text}”. ${ID_MESSAGE} Or type a name and pick the artist from the list.`
    : `Pick the ${field === 'a' ? 'first' : me ? '' : 'second '}artist.`.replace('  ', ' ');
  const suggestions = text && text.length <= 100 ? await search.artists(text, 5).catch(() => []) : [];
  const fixedA = !me && a?.success ? a.data : '';
  const otherB = b?.success ? b.data : '';
  const hrefFor = (id: string) =>
    me ? `/compare?me=1&b=${id}` : field === 'a' ? (otherB ? `/compare?a=${id}&b=${otherB}` : `/compare?a=${id}`) : fixedA ? `/compare?a=${fixedA}&b=${id}` : `/compare?a=${id}`;
  res.status(400).render('compare', { title: 'Compare', state: 'choose', me, fixedA: field === 'b' ? fixedA : '', problem: { field, text, message, suggestions, hrefFor, otherB } });
}

function renderPage<T extends { kind: string }>(res: Response, page: PageResult<T>, title: (c: T) => string): void {
  if (page.state === 'ready') return res.render('compare', { title: title(page.comparison), state: 'ready', comparison: page.comparison });
  const failed = page.state === 'failed';
  res.status(failed ? 502 : 202).render('compare', { title: failed ? 'Could not fetch artist' : 'Fetching artists', state: page.state, status: page.status });
}
