import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Services } from '../buildServices';
import { AppError, BadRequest, NotFound } from '../errors';
import { countingRulesSchema, DEFAULT_RULES, describeRules } from '../history/countingRules';
import { isTimeZone } from '../history/timeZones';
import { HistoryImportService } from '../history/import/HistoryImportService';
import { apiUser } from './authn';
import { parseOr400, periodQuery, periodSelection, spotifyId } from './params';
import { periodFromQuery } from './personal';
import { requireLogin } from './pages';

export const statsQuery = periodQuery;
export const tasteQuery = periodQuery.extend({ granularity: z.enum(['month', 'week']).optional() });

/**
 * Streams a multipart upload (field `file`) to disk with a size limit. Nothing is buffered in
 * memory; an oversized or missing file is a 4xx and the partial file is removed.
 */
function receiveUpload(req: Request, target: string, maxBytes: number): Promise<{ originalName: string }> {
  return new Promise((resolve, reject) => {
    const type = req.headers['content-type'] ?? '';
    if (!type.startsWith('multipart/form-data')) return reject(new BadRequest('Send the file as multipart/form-data in a field named "file".', 'expected_multipart'));
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes, fields: 5, fieldSize: 1024 } });
    } catch {
      return reject(new BadRequest('The upload could not be read.', 'bad_multipart'));
    }
    let got: Promise<{ originalName: string }> | undefined;
    bb.on('file', (field, stream, info) => {
      if (field !== 'file' || got) {
        stream.resume();
        return;
      }
      try {
        HistoryImportService.validateUploadName(info.filename ?? '');
      } catch (err) {
        stream.resume();
        got = Promise.reject(err);
        got.catch(() => undefined);
        return;
      }
      let truncated = false;
      stream.on('limit', () => (truncated = true));
      const written = pipeline(stream, fs.createWriteStream(target, { highWaterMark: 1 << 20 })).then(() => {
        if (truncated) throw new AppError(413, 'file_too_large', `The file is larger than ${Math.round(maxBytes / 2 ** 20)} MB.`);
        return { originalName: info.filename ?? 'upload' };
      });
      written.catch(() => undefined);
      got = written;
    });
    bb.on('error', () => reject(new BadRequest('The upload was cut off or malformed.', 'bad_multipart')));
    bb.on('close', () => {
      if (!got) return reject(new BadRequest('No file: send it in a field named "file".', 'missing_file'));
      got.then(resolve, (err) => {
        fs.rm(target, { force: true }, () => undefined);
        reject(err);
      });
    });
    req.pipe(bb);
  });
}

export function historyRouter(
  services: Pick<Services, 'historyImports' | 'importUndo' | 'podcastChoices' | 'historyStats' | 'personal' | 'taste' | 'config' | 'profiles' | 'artists' | 'demoExports'>,
): Router {
  const { historyImports, importUndo, podcastChoices, historyStats, config, profiles, demoExports } = services;
  const podcastChoice = z.object({ name: z.string().min(1).max(500), as: z.enum(['podcast', 'music']) });
  const jobId = (req: { params: Record<string, unknown> }) => {
    const id = String(req.params.id);
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new NotFound('No such import');
    return id;
  };
  const router = Router();
  const maxBytes = config.historyUploadMaxMb * 2 ** 20;

  const upload = async (req: Request) => {
    const target = historyImports.uploadPath();
    const { originalName } = await receiveUpload(req, target, maxBytes);
    return historyImports.start(req.user!.id, { path: target, originalName });
  };

  router.post('/api/me/history/imports', apiUser(), async (req, res) => {
    const job = await upload(req);
    res.status(202).location(`/api/me/history/imports/${job.id}`).json({ id: job.id, status: job.status });
  });

  router.get('/api/me/history/imports', apiUser(), async (req, res) => {
    res.json({ imports: await historyImports.jobs(req.user!.id) });
  });

  router.get('/api/me/history/imports/:id', apiUser(), async (req, res) => {
    if (!/^[0-9a-f-]{36}$/.test(String(req.params.id))) throw new NotFound('No such import');
    const job = await historyImports.job(req.user!.id, String(req.params.id));
    res.json({
      id: job.id, status: job.status, plays_read: job.plays_read, plays_added: job.plays_added, episodes_read: job.episodes_read, files: job.files, skipped: job.skipped ?? [],
      error: job.error, created_at: job.created_at, finished_at: job.finished_at,
      confirmation: job.status === 'needs_confirmation' ? (job.confirmation ?? null) : null, undone_at: job.undone_at ?? null, plays_removed: job.plays_removed ?? null,
      phase: job.phase ?? null, resume_at: job.resume_at ?? null, checkpoint: job.checkpoint ?? 0, rows: job.spool_rows ?? null,
      bytes_read: job.bytes_read ?? 0, bytes_total: job.bytes_total ?? null, files_done: job.files_done ?? 0, files_total: job.files_total ?? null, rows_read: job.rows_read ?? 0,
    });
  });

  /** A restore of another account's backup, confirmed: it is written now. */
  router.post('/api/me/history/imports/:id/confirm', apiUser(), async (req, res) => {
    const job = await historyImports.confirm(req.user!.id, jobId(req));
    res.status(202).json({ id: job.id, status: job.status });
  });

  /** Undoes a finished import (removes exactly the plays it added), or drops a restore waiting for confirmation. */
  router.delete('/api/me/history/imports/:id', apiUser(), async (req, res) => {
    const id = jobId(req);
    const job = await historyImports.job(req.user!.id, id);
    if (job.status === 'needs_confirmation') {
      await historyImports.decline(req.user!.id, id);
      return res.json({ id, status: 'declined', plays_removed: 0 });
    }
    const { music } = await importUndo.undo(req.user!.id, id);
    res.json({ id, status: 'undone', plays_removed: music });
  });

  /** Moves a name of the history to podcasts or back to music, for every statistic. */
  router.put('/api/me/history/podcasts', apiUser(), async (req, res) => {
    const body = parseOr400(podcastChoice, req.body, 'invalid_podcast_choice', 'Send {"name": "<as in your history>", "as": "podcast" | "music"}.');
    res.json(await podcastChoices.set(req.user!.id, body.name, body.as));
  });

  router.get('/api/me/history/stats', apiUser(), async (req, res) => {
    const q = parseOr400(statsQuery, req.query, 'invalid_query', 'from and to are dates (YYYY-MM-DD); tz is an IANA time zone.');
    res.json(await historyStats.stats(req.user!.id, q));
  });

  router.get('/api/me/history/taste', apiUser(), async (req, res) => {
    const q = parseOr400(tasteQuery, req.query, 'invalid_query', 'from and to are dates (YYYY-MM-DD); granularity is month or week; tz is an IANA time zone.');
    res.json(await services.taste.taste(req.user!.id, q));
  });

  // ---- pages ----
  router.get('/history', requireLogin, async (req, res) => {
    const user = await profiles.user(req.user!.id);
    const q = parseOr400(periodSelection, periodFromQuery(req.query), 'invalid_query', 'Pick a period from the list, or dates as YYYY-MM-DD.');
    let error: string | null = null;
    let stats = null;
    let tops = null;
    let period = null;
    try {
      ({ period } = await services.personal.period(user.id, q));
      [stats, tops] = await Promise.all([historyStats.stats(user.id, { from: period.from ?? undefined, to: period.to ?? undefined }), services.personal.tops(user.id, q)]);
    } catch (err) {
      if (!(err instanceof BadRequest)) throw err;
      error = err.message;
    }
    period ??= { choice: 'custom', label: 'the dates given', from: q.from ?? null, to: q.to ?? null, previous: null };
    const [jobs, years, choices] = await Promise.all([historyImports.jobs(user.id), services.personal.years(user.id), podcastChoices.choices(user.id)]);
    const range = { from: period.from ?? undefined, to: period.to ?? undefined };
    res.status(error ? 400 : 200).render('history', { title: 'Listening history', user, stats, tops, jobs, choices, period, years, range, error, demo: config.demoMode, pickerPath: '/history' });
  });

  router.post('/history/imports', requireLogin, async (req, res) => {
    await upload(req);
    res.redirect(303, '/history#imports');
  });

  router.post('/history/podcasts', requireLogin, async (req, res) => {
    const body = parseOr400(podcastChoice, req.body, 'invalid_podcast_choice', 'Give a name and whether it is a podcast or music.');
    await podcastChoices.set(req.user!.id, body.name, body.as);
    res.redirect(303, '/history#podcasts');
  });

  router.post('/history/imports/:id/confirm', requireLogin, async (req, res) => {
    await historyImports.confirm(req.user!.id, jobId(req));
    res.redirect(303, '/history#imports');
  });

  router.post('/history/imports/:id/decline', requireLogin, async (req, res) => {
    await historyImports.decline(req.user!.id, jobId(req));
    res.redirect(303, '/history#imports');
  });

  router.post('/history/imports/:id/undo', requireLogin, async (req, res) => {
    await importUndo.undo(req.user!.id, jobId(req));
    res.redirect(303, '/history#imports');
  });

  /** Demo mode: imports the demo listener's generated export from the sandbox, one click. */
  router.post('/history/demo-import', requireLogin, async (req, res) => {
    if (!config.demoMode) throw new NotFound('Demo imports exist only in demo mode');
    const target = historyImports.uploadPath();
    await pipeline(await demoExports.extendedHistory(req.user!.id), fs.createWriteStream(target));
    await historyImports.start(req.user!.id, { path: target, originalName: 'Streaming_History_Audio_demo.json' });
    res.redirect(303, '/history#imports');
  });

  // ---- counting rules ----
  router.get('/how-we-count', async (req, res) => {
    const rules = req.user ? (await profiles.user(req.user.id)).countingRules : DEFAULT_RULES;
    res.render('how-we-count', { title: 'How we count', rules, sentences: describeRules(rules), defaults: DEFAULT_RULES, saved: req.query.saved === '1' });
  });

  router.post('/settings/counting-rules', requireLogin, async (req, res) => {
    const body = req.body as Record<string, unknown> | undefined;
    const parsed = countingRulesSchema.safeParse(body?.reset ? DEFAULT_RULES : body);
    if (!parsed.success) throw new BadRequest('The minimum is a whole number of seconds from 0 to 600; pick one option for each rule.', 'invalid_counting_rules');
    await profiles.setCountingRules(req.user!.id, parsed.data);
    res.redirect(303, '/how-we-count?saved=1');
  });

  router.get('/api/me/counting-rules', apiUser(), async (req, res) => {
    const rules = (await profiles.user(req.user!.id)).countingRules;
    res.json({ rules, sentences: describeRules(rules), defaults: DEFAULT_RULES });
  });

  router.put('/api/me/counting-rules', apiUser(), async (req, res) => {
    const parsed = countingRulesSchema.strict().safeParse(req.body);
    if (!parsed.success) throw new BadRequest(`Counting rules: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}.`, 'invalid_counting_rules');
    await profiles.setCountingRules(req.user!.id, parsed.data);
    res.json({ rules: parsed.data, sentences: describeRules(parsed.data) });
  });

  router.post('/settings/time-zone', requireLogin, async (req, res) => {
    const tz = typeof req.body?.time_zone === 'string' ? req.body.time_zone : '';
    if (!isTimeZone(tz)) throw new BadRequest('Pick a time zone from the list.', 'invalid_time_zone');
    await profiles.setTimeZone(req.user!.id, tz);
    res.redirect(303, '/settings#time-zone');
  });

  /** Track links in the history: Spotify tells which artist a track id belongs to. */
  router.get('/tracks/:id', async (req, res) => {
    const id = parseOr400(spotifyId, req.params.id, 'invalid_track_id', 'Track ids are 22 characters of letters and digits.');
    const artistId = await services.artists.artistOfTrack(id);
    res.redirect(302, `/artists/${artistId}`);
  });

  return router;
}
