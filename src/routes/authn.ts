import type { Request, RequestHandler } from 'express';
import { Unauthorized } from '../errors';
import type { Services } from '../buildServices';
import { hashToken } from '../services/ApiTokenService';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by `bearerAuthentication` when the request's personal API token authenticated. */
      apiToken?: { userId: string; hash: string };
    }
  }
}

const bearer = (req: Request) => /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];

/**
 * Checks `Authorization: Bearer <personal API token>` once per request, before CSRF and the
 * per-token rate limit: both must know whether the token is real, not merely present. An unknown
 * token is left unmarked here; `apiUser` answers it with 401.
 */
export function bearerAuthentication({ apiTokens }: Pick<Services, 'apiTokens'>): RequestHandler {
  return async (req, _res, next) => {
    const token = bearer(req);
    if (token) {
      const userId = await apiTokens.authenticate(token);
      if (userId) req.apiToken = { userId, hash: hashToken(token) };
    }
    next();
  };
}

/** The hash of the token that authenticated this request, if one did. */
export function apiTokenHash(req: Request): string | undefined {
  return req.apiToken?.hash;
}

/** True when a personal API token (not a header merely present) authenticated this request. */
export function authenticatedByToken(req: Request): boolean {
  return req.apiToken !== undefined;
}

/**
 * /api/me/* accepts the session cookie or `Authorization: Bearer <personal API token>`.
 * No credentials: 401 `unauthorized`; an unknown or revoked token: 401 `invalid_token`.
 */
export function apiUser(): RequestHandler {
  // The token itself was checked by `bearerAuthentication`, which the app mounts on all of /api.
  return (req, _res, next) => {
    if (req.headers.authorization) {
      if (!req.apiToken) return next(new Unauthorized('The API token is unknown or has been revoked.', 'invalid_token'));
      req.user = { id: req.apiToken.userId };
      return next();
    }
    if (req.user) return next();
    next(new Unauthorized('Log in, or send a personal API token: Authorization: Bearer <token> (create one on /settings).', 'unauthorized'));
  };
}
