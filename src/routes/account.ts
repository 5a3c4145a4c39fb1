import { pipeline } from 'node:stream/promises';
import { Router, type Response } from 'express';
import type { Services } from '../buildServices';
import { BadRequest } from '../errors';
import { apiUser } from './authn';
import { requireLogin } from './pages';

/**
 * The person's data as theirs: a lossless export (restored by uploading it as a history import,
 * which recognises the backup) and account deletion.
 */
export function accountRouter(services: Pick<Services, 'backups' | 'account'>): Router {
  const { backups, account } = services;
  const router = Router();

  const sendExport = async (userId: string, res: Response) => {
    const zip = await backups.exportZip(userId);
    res.type('application/zip').attachment(`spotify-data-app-backup-${new Date().toISOString().slice(0, 10)}.zip`);
    await pipeline(zip, res);
  };
  router.get('/settings/export', requireLogin, async (req, res) => sendExport(req.user!.id, res));
  router.get('/api/me/export', apiUser(), async (req, res) => sendExport(req.user!.id, res));

  router.post('/settings/delete-account', requireLogin, async (req, res, next) => {
    if ((req.body as { confirm?: unknown } | undefined)?.confirm !== 'DELETE') {
      throw new BadRequest('Type DELETE in capitals to confirm that everything should be deleted.', 'confirmation_required');
    }
    await account.delete(req.user!.id);
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(() => {
        res.clearCookie('sda.sid');
        res.redirect(303, '/?deleted=1');
      });
    });
  });

  router.delete('/api/me', apiUser(), async (req, res) => {
    if ((req.body as { confirm?: unknown } | undefined)?.confirm !== 'DELETE') {
      throw new BadRequest('Send {"confirm":"DELETE"} to delete the account and all its data.', 'confirmation_required');
    }
    const { items } = await account.delete(req.user!.id);
    res.json({ deleted: true, items });
  });

  return router;
}
