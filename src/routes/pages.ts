import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Services } from '../buildServices';
import { timeRange } from './params';
import { BadRequest } from '../errors';
import { OneTimeSeal } from '../security/OneTimeSeal';

// Intl lists canonical zones only, without "UTC", which is the default here.
const TIME_ZONES: string[] = ['UTC', ...(Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];

declare module 'express-session' {
  interface SessionData {
    /**
     * A personal API token just created, shown once on the next /settings page and deleted there.
     * Sealed: the key is only in the creating browser's NEW_TOKEN_COOKIE, so the stored session
     * never holds the token in plaintext (README: tokens are stored only as a hash).
     */
    newToken?: { sealed: string; name: string };
  }
}

const LOGIN_MESSAGES: Record<string, string> = {
  denied: 'Login was cancelled on the Spotify consent page. Nothing was shared.',
  state: 'That login link was stale or did not come from this browser. Please try again.',
  login_failed: 'Spotify did not complete the login. Please try again in a moment.',
  reauth: 'Your Spotify login has expired or was revoked. Please log in again.',
};

/** Sends visitors without a session to the landing page. */
export const requireLogin: RequestHandler = (req, res, next) => {
  if (req.user) return next();
  res.redirect('/?error=login_required');
};

/** Holds the key to the sealed new token for the redirect to /settings; gone after a minute. */
const NEW_TOKEN_COOKIE = 'sda.new-token';
const NEW_TOKEN_SECONDS = 60;

const rangeParam = timeRange.catch('medium_term');

export function pagesRouter({ config, profiles, dashboard, apiTokens, settings }: Pick<Services, 'config' | 'profiles' | 'dashboard' | 'apiTokens' | 'settings'>): Router {
  const router = Router();
  const newTokenCookie = { httpOnly: true, sameSite: 'strict' as const, secure: config.publicUrl.startsWith('https:'), path: '/settings' };
  router.get('/', (req, res) => {
    const error = typeof req.query.error === 'string' ? req.query.error : '';
    res.render('index', {
      title: 'Spotify Data App',
      loggedIn: Boolean(req.user),
      message:
        LOGIN_MESSAGES[error] ??
        (error === 'login_required' ? 'Log in to see your dashboard.' : req.query.deleted === '1' ? 'Your account and all its data were deleted.' : null),
    });
  });
  router.get('/dashboard', requireLogin, async (req, res) => {
    const range = rangeParam.parse(req.query.range);
    const user = await profiles.user(req.user!.id);
    // With a cached snapshot the page renders at once; otherwise a loading page builds it via the API.
    let summary = req.query.refresh === '1' ? await dashboard.summary(user, { refresh: true }) : await dashboard.cachedSummary(user.id);
    // After the loading page has built it once, never loop: build (or join the build) here.
    if (!summary && req.query.loaded === '1') summary = await dashboard.summary(user);
    if (!summary) return res.render('dashboard-loading', { title: 'Your dashboard', user });
    res.render('dashboard', { title: 'Your dashboard', user, summary, range, compare: range === 'long_term' ? 'short_term' : 'long_term' });
  });

  const settingsPage = async (req: Request, res: Response, status: number, error: string | null, newToken: { token: string; name: string } | null) => {
    const user = await profiles.user(req.user!.id);
    res.status(status).render('settings', {
      ...(await settings.sections(user.id)),
      title: 'Settings', newToken, error, timeZone: user.timeZone, timeZones: TIME_ZONES,
    });
  };

  router.get('/settings', requireLogin, async (req, res) => {
    // Read once: the sealed token leaves the session and the key leaves the browser on this view.
    const flash = req.session.newToken;
    delete req.session.newToken;
    const key = (req.cookies as Record<string, string> | undefined)?.[NEW_TOKEN_COOKIE];
    if (key) res.clearCookie(NEW_TOKEN_COOKIE, newTokenCookie);
    const token = flash && key ? OneTimeSeal.open(flash.sealed, key) : null;
    // The page holding the token must not stay in the browser's cache either.
    if (token) res.set('Cache-Control', 'no-store');
    await settingsPage(req, res, 200, null, token && flash ? { token, name: flash.name } : null);
  });

  router.post('/settings/tokens', requireLogin, async (req, res) => {
    const name = typeof req.body?.name === 'string' ? req.body.name : '';
    try {
      const { token, info } = await apiTokens.create(req.user!.id, name);
      const { sealed, key } = OneTimeSeal.seal(token);
      req.session.newToken = { sealed, name: info.name };
      res.cookie(NEW_TOKEN_COOKIE, key, { ...newTokenCookie, maxAge: NEW_TOKEN_SECONDS * 1000 });
      res.redirect(303, '/settings#tokens');
    } catch (err) {
      if (!(err instanceof BadRequest)) throw err;
      await settingsPage(req, res, 400, err.message, null);
    }
  });

  router.post('/settings/tokens/:id/revoke', requireLogin, async (req, res) => {
    await apiTokens.revoke(req.user!.id, String(req.params.id));
    res.redirect(303, '/settings#tokens');
  });
  return router;
}
