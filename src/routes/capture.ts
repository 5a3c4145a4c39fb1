import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Services } from '../buildServices';
import { BadRequest } from '../errors';
import { apiUser } from './authn';
import { requireLogin } from './pages';

const enabledBody = z.object({ enabled: z.boolean() });
const enabledForm = z.object({ enabled: z.enum(['true', 'false', 'on', 'off']) });

/** Live capture of recently played tracks into the history store. */
export function captureRouter(services: Pick<Services, 'capture'>): Router {
  const { capture } = services;
  const router = Router();

  // Capture is on by default: a logged-in person's first dashboard or history visit enrolls them.
  const enroll: RequestHandler = (req, _res, next) => {
    const p = req.path;
    if (req.method !== 'GET' || !req.user || !(p === '/dashboard' || p === '/history' || p.startsWith('/history/'))) return next();
    capture.ensureEnrolled(req.user.id).then(() => next(), next);
  };
  router.use(enroll);

  router.post('/settings/capture', requireLogin, async (req, res) => {
    const form = enabledForm.safeParse(req.body ?? {});
    if (!form.success) throw new BadRequest('enabled must be true or false.', 'invalid_body');
    await capture.setEnabled(req.user!.id, form.data.enabled === 'true' || form.data.enabled === 'on');
    res.redirect(303, '/settings#capture');
  });

  router.post('/settings/capture/now', requireLogin, async (req, res) => {
    await capture.captureNow(req.user!.id);
    res.redirect(303, '/settings#capture');
  });

  router.get('/api/me/capture', apiUser(), async (req, res) => {
    await capture.ensureEnrolled(req.user!.id);
    res.json(await capture.view(req.user!.id));
  });

  router.put('/api/me/capture', apiUser(), async (req, res) => {
    const body = enabledBody.safeParse(req.body ?? {});
    if (!body.success) throw new BadRequest('Send {"enabled": true} or {"enabled": false}.', 'invalid_body');
    res.json(await capture.setEnabled(req.user!.id, body.data.enabled));
  });

  return router;
}
