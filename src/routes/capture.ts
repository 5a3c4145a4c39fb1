import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Services } from '../app';
import { BadRequest } from '../errors';
import { LiveCaptureService, type LiveCaptureOptions } from '../services/LiveCaptureService';
import { CaptureRepository } from '../store/CaptureRepository';
import { HistoryRepository } from '../store/HistoryRepository';
import { apiUser } from './authn';
import { requireLogin } from './pages';

const captureServices = new WeakMap<Services, LiveCaptureService>();

/** Builds a capture service over an app's services (tests pass a short tick and interval). */
export function createCaptureService(services: Services, opts: Partial<LiveCaptureOptions> = {}): LiveCaptureService {
  const { config, store, spotify, userTokens, historyStats, historyImports } = services;
  return new LiveCaptureService(
    {
      repo: new CaptureRepository(store),
      history: new HistoryRepository(store),
      importWriting: (userId) => historyImports.writing(userId),
      spotify,
      userTokens,
      onHistoryChanged: (userId) => historyStats.forget(userId),
    },
    { intervalMs: config.capture.intervalMinutes * 60_000, tickMs: config.capture.tickSeconds * 1000, ...opts },
  );
}

/** The app's capture service (one per app), for bootstrap to start and stop its scheduler. */
export function captureServiceOf(services: Services): LiveCaptureService {
  let service = captureServices.get(services);
  if (!service) {
    service = createCaptureService(services);
    captureServices.set(services, service);
  }
  return service;
}

const enabledBody = z.object({ enabled: z.boolean() });
const enabledForm = z.object({ enabled: z.enum(['true', 'false', 'on', 'off']) });

/** Live capture of recently played tracks into the history store (issue #7, item 3). */
export function captureRouter(services: Services): Router {
  const capture = captureServiceOf(services);
  const router = Router();

  // Capture is on by default: a logged-in person's first dashboard or history visit enrolls them.
  const enroll: RequestHandler = (req, _res, next) => {
    const p = req.path;
    if (req.method !== 'GET' || !req.user || !(p === '/dashboard' || p === '/history' || p.startsWith('/history/'))) return next();
    capture.ensureEnrolled(req.user.id).then(() => next(), next);
  };
  router.use(enroll);

  services.settingsSections.push(async (userId) => {
    await capture.ensureEnrolled(userId);
    return { capture: await capture.view(userId) };
  });

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

  router.get('/api/me/capture', apiUser(services), async (req, res) => {
    await capture.ensureEnrolled(req.user!.id);
    res.json(await capture.view(req.user!.id));
  });

  router.put('/api/me/capture', apiUser(services), async (req, res) => {
    const body = enabledBody.safeParse(req.body ?? {});
    if (!body.success) throw new BadRequest('Send {"enabled": true} or {"enabled": false}.', 'invalid_body');
    res.json(await capture.setEnabled(req.user!.id, body.data.enabled));
  });

  return router;
}
