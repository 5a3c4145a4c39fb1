/**
 * Operational errors: expected failures with a status and a stable code. The error handler in
 * app.ts maps them to JSON or an HTML page; anything else is a programmer error (500).
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequest extends AppError {
  constructor(message: string, code = 'bad_request') {
    super(400, code, message);
  }
}

export class Unauthorized extends AppError {
  constructor(message = 'Log in or send a personal API token', code = 'unauthorized') {
    super(401, code, message);
  }
}

export class NotFound extends AppError {
  constructor(message = 'Not found', code = 'not_found') {
    super(404, code, message);
  }
}

/** Spotify (or an enrichment service) failed after retries, or answered something unusable. */
export class UpstreamError extends AppError {
  constructor(
    message: string,
    readonly upstreamStatus?: number,
    code = 'upstream_error',
  ) {
    super(502, code, message);
  }
}

/** Spotify said 403: the endpoint is not available to this app (Development Mode, 2024 restrictions). */
export class UpstreamForbidden extends UpstreamError {
  constructor(message: string) {
    super(message, 403, 'upstream_forbidden');
  }
}

/**
 * A request that is not safe to repeat (creating a playlist) got no clear answer: a 5xx, a timeout,
 * a reset. It may or may not have taken effect, so it is not re-sent blindly.
 */
export class UpstreamUncertain extends UpstreamError {
  constructor(message: string, upstreamStatus?: number) {
    super(message, upstreamStatus, 'upstream_uncertain');
  }
}

export class UpstreamNotFound extends AppError {
  constructor(message = 'Not found on Spotify') {
    super(404, 'not_found', message);
  }
}

/** Rate limited with a Retry-After longer than we are willing to wait inside a request. */
export class RateLimited extends AppError {
  constructor(readonly retryAfterSeconds: number, service = 'Spotify') {
    super(503, 'rate_limited', `${service} is rate limiting us; try again in ${retryAfterSeconds} s`);
  }
}

/** The user's Spotify refresh token was rejected (revoked or older than six months): log in again. */
export class ReauthRequired extends AppError {
  constructor(message = 'Your Spotify login has expired or was revoked. Please log in again.') {
    super(401, 'reauth_required', message);
  }
}

/**
 * The stored Spotify token lacks a scope a feature needs (incremental consent: login asks for the
 * minimum). A page sends the person through Spotify's consent again; the API answers 403 with the
 * URL to open (`details.consent_url`), since a script cannot be redirected through OAuth.
 */
export class ConsentRequired extends AppError {
  constructor(readonly scope: string, readonly consentUrl: string, message = `Spotify has not granted ${scope} yet: open the consent URL in a browser, approve, then try again.`) {
    super(403, 'consent_required', message, { consent_url: consentUrl, scope });
  }
}
