import type { RequestHandler } from 'express';
import type { Services } from '../buildServices';
import { Unauthorized } from '../errors';

/**
 * /api/me/* accepts the session cookie or `Authorization: Bearer <personal API token>`.
 * No credentials: 401 `unauthorized`; an unknown or revoked token: 401 `invalid_token`.
 */
export function apiUser({ apiTokens }: Pick<Services, 'apiTokens'>): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const userId = m ? await apiTokens.authenticate(m[1]) : null;
      if (!userId) return next(new Unauthorized('The API token is unknown or has been revoked.', 'invalid_token'));
      req.user = { id: userId };
      return next();
    }
    if (req.user) return next();
    next(new Unauthorized('Log in, or send a personal API token: Authorization: Bearer <token> (create one on /settings).', 'unauthorized'));
  };
}
