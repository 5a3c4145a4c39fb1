import { Router } from 'express';
import type { Authenticator } from '../auth/passport';

/** Login with Spotify (authorization code flow via passport) and logout. */
export function authRouter(passport: Authenticator): Router {
  const router = Router();
  router.get('/auth/spotify', passport.authenticate('spotify', { session: true }));
  router.get('/auth/spotify/callback', (req, res, next) => {
    passport.authenticate('spotify', (err: unknown, user: Express.User | false, info: { message?: string } | undefined) => {
      if (err) {
        req.log.warn({ err }, 'spotify login failed');
        return res.redirect('/?error=login_failed');
      }
      if (!user) {
        // access_denied (the person pressed Cancel) or a state mismatch (stale or forged callback).
        const denied = req.query.error === 'access_denied';
        req.log.info({ reason: denied ? 'denied' : info?.message }, 'spotify login not completed');
        return res.redirect(denied ? '/?error=denied' : '/?error=state');
      }
      // passport >= 0.6 regenerates the session here, so a pre-login session id is never reused.
      req.logIn(user, (loginErr) => (loginErr ? next(loginErr) : res.redirect('/dashboard')));
    })(req, res, next);
  });
  router.post('/logout', (req, res, next) => {
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(() => {
        res.clearCookie('sda.sid');
        res.redirect('/');
      });
    });
  });
  return router;
}
