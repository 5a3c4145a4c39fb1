import { Router, type RequestHandler } from 'express';
import type { Services } from '../app';

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

export function pagesRouter({ profiles }: Services): Router {
  const router = Router();
  router.get('/', (req, res) => {
    const error = typeof req.query.error === 'string' ? req.query.error : '';
    res.render('index', {
      title: 'Spotify Data App',
      loggedIn: Boolean(req.user),
      message: LOGIN_MESSAGES[error] ?? (error === 'login_required' ? 'Log in to see your dashboard.' : null),
    });
  });
  router.get('/dashboard', requireLogin, async (req, res) => {
    const profile = await profiles.liveProfile(req.user!.id);
    res.render('dashboard', { title: 'Your dashboard', profile });
  });
  return router;
}
