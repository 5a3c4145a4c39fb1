import { Router, type Request } from 'express';
import type { Services } from '../buildServices';
import { AppError } from '../errors';
import type { PersonalKind } from '../history/personalIndex';
import { apiUser } from './authn';
import { parseOr400, periodSelection, personalAlbumKey, personalArtistKey, personalTrackKey, playLogQuery } from './params';
import { requireLogin } from './pages';

const KEYS = { artist: personalArtistKey, track: personalTrackKey, album: personalAlbumKey } as const;
const PLURAL: Record<PersonalKind, string> = { artist: 'artists', track: 'tracks', album: 'albums' };
const PERIOD_MESSAGE = 'period is 7d, 30d, 90d, this_year, last_year, all, a year (2024) or a month (2024-05); from and to are dates (YYYY-MM-DD).';

/** The old /history?range= links keep working: they become the picker's period choices. */
export function periodFromQuery(query: Request['query']): Record<string, unknown> {
  const q: Record<string, unknown> = { ...query };
  if (q.period === undefined && typeof q.range === 'string') {
    if (q.range === 'custom') delete q.period;
    else q.period = q.range;
  }
  delete q.range;
  return q;
}

/**
 * Your own story with an artist, track or album (/me/artists/:key ...) and the play log
 * (/history/plays), as pages and as JSON under /api/me/history/.
 */
export function personalRouter(services: Pick<Services, 'personal' | 'profiles'>): Router {
  const { personal, profiles } = services;
  const router = Router();

  for (const kind of ['artist', 'track', 'album'] as const) {
    router.get(`/api/me/history/${PLURAL[kind]}/:key`, apiUser(), async (req, res) => {
      const key = parseOr400(KEYS[kind], req.params.key, 'invalid_key');
      const q = parseOr400(periodSelection, req.query, 'invalid_query', PERIOD_MESSAGE);
      res.json(await personal.page(req.user!.id, kind, key, q));
    });

    router.get(`/me/${PLURAL[kind]}/:key`, requireLogin, async (req, res) => {
      const key = parseOr400(KEYS[kind], req.params.key, 'invalid_key');
      const q = parseOr400(periodSelection, req.query, 'invalid_query', PERIOD_MESSAGE);
      const user = await profiles.user(req.user!.id);
      const years = await personal.years(user.id);
      try {
        const page = await personal.page(user.id, kind, key, q);
        res.render('personal', { title: page.name, user, page, period: page.period, years, kind, pickerPath: req.path });
      } catch (err) {
        // An artist never played (linked from the dashboard, say) is a page that says so, not a dead end.
        if (!(err instanceof AppError) || err.status !== 404) throw err;
        res.status(404).render('personal', { title: 'Not in your history yet', user, page: null, message: err.message, period: null, years, kind, pickerPath: req.path });
      }
    });
  }

  router.get('/api/me/history/plays', apiUser(), async (req, res) => {
    const q = parseOr400(playLogQuery, req.query, 'invalid_query');
    res.json(await personal.plays(req.user!.id, q));
  });

  router.get('/api/me/history/tops', apiUser(), async (req, res) => {
    const q = parseOr400(periodSelection, req.query, 'invalid_query', PERIOD_MESSAGE);
    res.json(await personal.tops(req.user!.id, q));
  });

  router.get('/history/plays', requireLogin, async (req, res) => {
    const q = parseOr400(playLogQuery, periodFromQuery(req.query), 'invalid_query');
    const user = await profiles.user(req.user!.id);
    const [log, years, platforms] = await Promise.all([personal.plays(user.id, q), personal.years(user.id), personal.platforms(user.id)]);
    const filters = { q: q.q ?? '', artist: q.artist ?? '', skipped: req.query.skipped ?? '', shuffle: req.query.shuffle ?? '', platform: q.platform ?? '', kind: q.kind ?? '' };
    res.render('plays', { title: 'Play log', user, log, period: log.period, years, platforms, filters, pickerPath: '/history/plays' });
  });

  return router;
}
