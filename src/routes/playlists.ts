import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Services } from '../buildServices';
import { ConsentRequired, NotFound } from '../errors';
import { MAX_PLAYLIST_TRACKS } from '../services/PlaylistSources';
import { apiUser } from './authn';
import { requireLogin } from './pages';
import { parseOr400 } from './params';

declare module 'express-session' {
  interface SessionData {
    /**
     * A playlist asked for before Spotify granted the playlist scope: kept while the person goes
     * through consent, made by /playlists/resume when they come back (once; then deleted).
     */
    pendingPlaylist?: { userId: string; source: string; params: Record<string, unknown>; returnTo: string; at: number };
  }
}

/** How long a pending playlist waits for the consent round trip. */
export const PENDING_PLAYLIST_TTL_MS = 15 * 60_000;

/** A path on this site to return to (never another origin: no "//host", no backslashes). */
const localPath = z.string().max(500).regex(/^\/(?![/\\])[^\\\s]*$/, 'a path on this site');

/**
 * What the form and the API send: a registered `source`, how many tracks (`n`), ranked by plays or
 * listening time (`by`), and the source's own fields (range, period, key, month, feature, min,
 * friend...), which the source validates. Unknown fields reach the source as sent.
 */
export const playlistRequest = z.looseObject({
  source: z.string().min(1).max(40),
  n: z.coerce.number().int().min(1).max(MAX_PLAYLIST_TRACKS).default(50),
  by: z.enum(['plays', 'minutes']).default('plays'),
  return_to: localPath.optional(),
});

const DECLINED: Record<string, string> = {
  denied: 'You cancelled on the Spotify consent page, so no playlist was made. Nothing was changed in your Spotify account.',
  state: 'That consent link was stale or did not come from this browser, so no playlist was made. Please try again.',
  failed: 'Spotify did not complete the consent, so no playlist was made. Please try again in a moment.',
};

const safeBack = (v: unknown, fallback = '/dashboard'): string => {
  const parsed = localPath.safeParse(v);
  return parsed.success ? parsed.data : fallback;
};

/**
 * Playlists from your listening (issue #15): the form on the dashboard, history, personal artist
 * pages and taste section posts here; the result page says what was added, matched and skipped.
 * Without the playlist scope a page goes through Spotify's consent and comes back to /playlists/resume;
 * the API answers 403 `consent_required` with the URL to open.
 */
export function playlistRouter(services: Pick<Services, 'playlists'>, limit: RequestHandler): Router {
  const { playlists } = services;
  const router = Router();

  const parse = (body: unknown) => {
    const { source, n, by, return_to: returnTo, _csrf: _token, ...rest } = parseOr400(playlistRequest, body ?? {}, 'invalid_playlist_request') as z.output<typeof playlistRequest> & { _csrf?: unknown };
    return { source, returnTo, params: { ...rest, n, by } };
  };

  router.post('/playlists', requireLogin, limit, async (req, res, next) => {
    const { source, params, returnTo } = parse(req.body);
    const back = returnTo ?? '/dashboard';
    try {
      const result = await playlists.create(req.user!.id, source, params);
      res.redirect(303, `/playlists/made/${result.id}?back=${encodeURIComponent(back)}`);
    } catch (err) {
      if (!(err instanceof ConsentRequired)) throw err;
      // Keep the request while the person grants the scope on Spotify's consent page.
      req.session.pendingPlaylist = { userId: req.user!.id, source, params, returnTo: back, at: Date.now() };
      req.session.save((saveErr) => (saveErr ? next(saveErr) : res.redirect(303, err.consentUrl)));
    }
  });

  router.get('/playlists/resume', requireLogin, limit, async (req, res) => {
    const pending = req.session.pendingPlaylist;
    delete req.session.pendingPlaylist;
    if (!pending || pending.userId !== req.user!.id || Date.now() - pending.at >= PENDING_PLAYLIST_TTL_MS) {
      throw new NotFound('No playlist is waiting to be made (it may have been made already, or the consent took longer than 15 minutes).', 'no_pending_playlist');
    }
    try {
      const result = await playlists.create(req.user!.id, pending.source, pending.params as Parameters<typeof playlists.create>[2]);
      res.redirect(303, `/playlists/made/${result.id}?back=${encodeURIComponent(pending.returnTo)}`);
    } catch (err) {
      // Back from consent still without the scope: say so instead of sending the person round again.
      if (!(err instanceof ConsentRequired)) throw err;
      res.status(403).render('playlist', { title: 'No playlist made', result: null, back: pending.returnTo, message: 'Spotify did not grant permission to create playlists, so no playlist was made.' });
    }
  });

  router.get('/playlists/declined', requireLogin, (req, res) => {
    const reason = typeof req.query.reason === 'string' && DECLINED[req.query.reason] ? req.query.reason : 'denied';
    res.status(403).render('playlist', { title: 'No playlist made', result: null, back: safeBack(req.query.back), message: DECLINED[reason] });
  });

  router.get('/playlists/made/:id', requireLogin, async (req, res) => {
    const id = parseOr400(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/), req.params.id, 'invalid_id');
    const result = await playlists.result(req.user!.id, id);
    if (!result) throw new NotFound('No such playlist result.', 'playlist_not_found');
    res.render('playlist', { title: result.playlist.name, result, back: safeBack(req.query.back), message: null });
  });

  router.post('/api/me/playlists', apiUser(), limit, async (req, res) => {
    const { source, params } = parse(req.body);
    try {
      res.status(201).json(await playlists.create(req.user!.id, source, params));
    } catch (err) {
      if (!(err instanceof ConsentRequired)) throw err;
      // A script cannot be sent through OAuth: it gets the URL for a person to open in a browser.
      res.status(403).json({ error: { code: err.code, message: err.message, scope: err.scope, consent_url: err.consentUrl } });
    }
  });

  router.get('/api/me/playlists/:id', apiUser(), async (req, res) => {
    const id = parseOr400(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/), req.params.id, 'invalid_id');
    const result = await playlists.result(req.user!.id, id);
    if (!result) throw new NotFound('No such playlist result.', 'playlist_not_found');
    res.json(result);
  });

  return router;
}
