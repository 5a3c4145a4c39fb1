import { Router } from 'express';
import { OPTIONAL_SCOPES, SCOPES, type Authenticator } from '../auth/passport';
import { BadRequest } from '../errors';
import { INVITE_COOKIE, inviteFromCookie } from './friends';
import { PENDING_PLAYLIST_TTL_MS } from './playlists';

/**
 * Login with Spotify (authorization code flow via passport), incremental consent for a scope a
 * feature needs later (/auth/spotify/consent), and logout.
 */
export function authRouter(passport: Authenticator): Router {
  const router = Router();
  router.get('/auth/spotify', passport.authenticate('spotify', { session: true }));
  // Asks Spotify again, for the login scopes plus one optional scope; the callback stores what was granted.
  router.get('/auth/spotify/consent', (req, res, next) => {
    const scope = typeof req.query.scope === 'string' ? req.query.scope : '';
    if (!(OPTIONAL_SCOPES as readonly string[]).includes(scope)) {
      return next(new BadRequest(`scope must be one of ${OPTIONAL_SCOPES.join(', ')}.`, 'invalid_scope'));
    }
    passport.authenticate('spotify', { session: true, scope: [...SCOPES, scope] })(req, res, next);
  });
  router.get('/auth/spotify/callback', (req, res, next) => {
    // A playlist waiting for consent (routes/playlists.ts); read now, as logging in starts a new session.
    const pending = req.session?.pendingPlaylist;
    const waiting = pending && Date.now() - pending.at < PENDING_PLAYLIST_TTL_MS ? pending : undefined;
    passport.authenticate('spotify', (err: unknown, user: Express.User | false, info: { message?: string } | undefined) => {
      if (err) {
        req.log.warn({ err }, 'spotify login failed');
        if (req.session) delete req.session.pendingPlaylist;
        return res.redirect(waiting ? '/playlists/declined?reason=failed' : '/?error=login_failed');
      }
      if (!user) {
        // access_denied (the person pressed Cancel) or a state mismatch (stale or forged callback).
        const denied = req.query.error === 'access_denied';
        req.log.info({ reason: denied ? 'denied' : info?.message }, 'spotify login not completed');
        if (waiting) {
          delete req.session.pendingPlaylist;
          return res.redirect(`/playlists/declined?reason=${denied ? 'denied' : 'state'}&back=${encodeURIComponent(waiting.returnTo)}`);
        }
        return res.redirect(denied ? '/?error=denied' : '/?error=state');
      }
      // passport >= 0.6 regenerates the session here, so a pre-login session id is never reused.
      req.logIn(user, (loginErr) => {
        if (loginErr) return next(loginErr);
        // Only the person who asked gets their playlist made (the consent page lets anyone log in).
        if (!waiting || waiting.userId !== (user as { id: string }).id) {
          // Came from a friend's invitation link while logged out: back to it (routes/friends.ts).
          const invite = inviteFromCookie(req.cookies as Record<string, unknown> | undefined);
          if (invite) {
            res.clearCookie(INVITE_COOKIE, { path: '/' });
            return res.redirect(`/friends/invite/${invite}`);
          }
          return res.redirect('/dashboard');
        }
        req.session.pendingPlaylist = waiting;
        req.session.save((saveErr) => (saveErr ? next(saveErr) : res.redirect('/playlists/resume')));
      });
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
