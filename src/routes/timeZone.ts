import { Router } from 'express';
import { z } from 'zod';
import type { Services } from '../buildServices';
import { apiUser } from './authn';
import { parseOr400, timeZone } from './params';

export const timeZoneBody = z.object({
  time_zone: timeZone,
  /** true: store it only when none is stored yet (the browser's zone, sent once after the first login). */
  only_if_unset: z.boolean().optional(),
});

/** The one time zone of a person: every page, chart and the API's default use it. */
export function timeZoneRouter(services: Pick<Services, 'profiles'>): Router {
  const { profiles } = services;
  const router = Router();

  router.get('/api/me/time-zone', apiUser(), async (req, res) => {
    const user = await profiles.user(req.user!.id);
    res.json({ time_zone: user.timeZone, chosen: user.timeZoneChosen });
  });

  router.post('/api/me/time-zone', apiUser(), async (req, res) => {
    const body = parseOr400(timeZoneBody, req.body ?? {}, 'invalid_time_zone');
    if (body.only_if_unset) {
      const { stored, timeZone: tz } = await profiles.adoptBrowserTimeZone(req.user!.id, body.time_zone);
      return res.json({ time_zone: tz, stored });
    }
    await profiles.setTimeZone(req.user!.id, body.time_zone);
    res.json({ time_zone: body.time_zone, stored: true });
  });

  return router;
}
