import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Services } from '../buildServices';
import { apiUser } from './authn';
import { requireLogin } from './pages';
import { parseOr400, periodSelection } from './params';

/** Holds an invitation link's token while its visitor logs in (this browser only, 15 minutes). */
export const INVITE_COOKIE = 'sda.invite';
const INVITE_COOKIE_MS = 15 * 60_000;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const PERIOD_MESSAGE = 'period is 7d, 30d, 90d, this_year, last_year, all, a year (2024) or a month (2024-05); from and to are dates (YYYY-MM-DD).';
const friendId = (v: unknown) => parseOr400(z.string().min(1).max(200), v, 'invalid_friend', 'friend: an id from GET /api/me/friends');
const inviteId = (v: unknown) => parseOr400(z.string().regex(/^[0-9a-f]{16}$/), v, 'invalid_invite', 'invite: an id from GET /api/me/friends');

/** The token an invitation cookie holds, when it is one (auth.ts sends the person back to the link after logging in). */
export function inviteFromCookie(cookies: Record<string, unknown> | undefined): string | null {
  const v = cookies?.[INVITE_COOKIE];
  return typeof v === 'string' && TOKEN.test(v) ? v : null;
}

/**
 * Friends on one instance (issue #15): invitation links, accepting, the comparison page, ending a
 * friendship, and the same as JSON. Every route about one friend asks FriendService, which checks
 * the friendship on every request (404 otherwise).
 */
export function friendsRouter(services: Pick<Services, 'friends' | 'personal'>, inviteLimit: RequestHandler): Router {
  const { friends, personal } = services;
  const router = Router();

  const friendsPage = async (userId: string) => ({
    title: 'Friends',
    friends: await friends.friends(userId),
    invites: await friends.invites(userId),
  });

  // ---- pages ----
  router.get('/friends', requireLogin, async (req, res) => {
    res.render('friends', { ...(await friendsPage(req.user!.id)), newInvite: null });
  });

  // The new link is shown once, in this answer; only its hash is stored (nothing in the session).
  router.post('/friends/invites', requireLogin, inviteLimit, async (req, res) => {
    const invite = await friends.createInvite(req.user!.id);
    res.status(201).set('Cache-Control', 'no-store').render('friends', { ...(await friendsPage(req.user!.id)), newInvite: invite });
  });

  router.post('/friends/invites/:id/revoke', requireLogin, async (req, res) => {
    await friends.revokeInvite(req.user!.id, inviteId(req.params.id));
    res.redirect(303, '/friends');
  });

  router.get('/friends/invite/:token', async (req, res) => {
    const token = String(req.params.token);
    res.set({ 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex', 'Referrer-Policy': 'no-referrer' });
    if (!req.user) {
      // Nothing about the inviter before logging in; the link comes back after login (auth.ts).
      if (TOKEN.test(token)) res.cookie(INVITE_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: req.secure, maxAge: INVITE_COOKIE_MS, path: '/' });
      return res.render('friend-invite', { title: 'An invitation', invitation: null, token: null });
    }
    res.clearCookie(INVITE_COOKIE, { path: '/' });
    const invitation = await friends.invitation(token, req.user.id);
    res.render('friend-invite', { title: 'An invitation', invitation, token });
  });

  router.post('/friends/invite/:token/accept', requireLogin, async (req, res) => {
    const { friend_id } = await friends.accept(String(req.params.token), req.user!.id);
    res.redirect(303, `/friends/${encodeURIComponent(friend_id)}`);
  });

  router.get('/friends/:id', requireLogin, async (req, res) => {
    const q = parseOr400(periodSelection, req.query, 'invalid_query', PERIOD_MESSAGE);
    const id = friendId(req.params.id);
    const comparison = await friends.comparison(req.user!.id, id, q);
    res.set('Cache-Control', 'private, no-store');
    res.render('friend', { title: `You & ${comparison.friend.display_name}`, comparison, period: comparison.period, years: await personal.years(req.user!.id), pickerPath: req.path });
  });

  router.post('/friends/:id/end', requireLogin, async (req, res) => {
    await friends.end(req.user!.id, friendId(req.params.id));
    res.redirect(303, '/friends');
  });

  // ---- JSON API ----
  router.get('/api/me/friends', apiUser(), async (req, res) => {
    res.json({ friends: await friends.friends(req.user!.id), invites: await friends.invites(req.user!.id) });
  });

  router.post('/api/me/friends/invites', apiUser(), inviteLimit, async (req, res) => {
    const invite = await friends.createInvite(req.user!.id);
    res.status(201).set('Cache-Control', 'no-store').json(invite);
  });

  router.delete('/api/me/friends/invites/:id', apiUser(), async (req, res) => {
    await friends.revokeInvite(req.user!.id, inviteId(req.params.id));
    res.status(204).end();
  });

  router.post('/api/me/friends/accept', apiUser(), async (req, res) => {
    const { token } = parseOr400(z.object({ token: z.string().max(100) }), req.body ?? {}, 'invalid_invite', 'token: the last part of the invitation link');
    res.json(await friends.accept(token, req.user!.id));
  });

  router.get('/api/me/friends/:id', apiUser(), async (req, res) => {
    const q = parseOr400(periodSelection, req.query, 'invalid_query', PERIOD_MESSAGE);
    res.set('Cache-Control', 'private, no-store').json(await friends.comparison(req.user!.id, friendId(req.params.id), q));
  });

  router.delete('/api/me/friends/:id', apiUser(), async (req, res) => {
    await friends.end(req.user!.id, friendId(req.params.id));
    res.status(204).end();
  });

  return router;
}
