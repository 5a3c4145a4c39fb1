/**
 * The accounts service stand-in: GET/POST /authorize (consent page) and POST /api/token
 * (authorization_code, refresh_token, client_credentials), plus Bearer checking for /v1.
 *
 * Like Spotify: redirect URIs must match exactly between authorize and token exchange; codes are
 * single-use and live 10 minutes; refreshing returns a new access token and no new refresh token
 * (the old one stays valid); refresh tokens expire after 6 months or when revoked (invalid_grant).
 */
import express, { type Request, type Response, type Router } from 'express';
import { DEMO_LISTENERS, findListener } from './listeners';
import { type AccessToken, ApiError, type SandboxState, escapeHtml, randomToken } from './state';

const CODE_TTL_MS = 10 * 60_000;

/** Spotify's scopes; a token carries exactly the ones its authorization asked for (and was granted). */
export const KNOWN_SCOPES = new Set([
  'ugc-image-upload', 'user-read-playback-state', 'user-modify-playback-state', 'user-read-currently-playing', 'app-remote-control', 'streaming',
  'playlist-read-private', 'playlist-read-collaborative', 'playlist-modify-private', 'playlist-modify-public', 'user-follow-modify', 'user-follow-read',
  'user-read-playback-position', 'user-top-read', 'user-read-recently-played', 'user-library-modify', 'user-library-read', 'user-read-email', 'user-read-private',
  'user-personalized', 'user-soa-link', 'user-soa-unlink', 'soa-manage-entitlements', 'soa-manage-partner', 'soa-create-partner',
]);
const REFRESH_TTL_MS = 182 * 24 * 3600_000;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);

export function redirectUriAllowed(state: SandboxState, uri: string | undefined): boolean {
  if (!uri) return false;
  if (state.opts.redirectUris) return state.opts.redirectUris.includes(uri);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.hash) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]');
}

function errorPage(res: Response, status: number, message: string): void {
  res.status(status).type('html').send(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sandbox Spotify — Error</title></head>` +
    `<body><h1>Error</h1><p id="error">${escapeHtml(message)}</p></body></html>`,
  );
}

function consentPage(params: { clientId: string; redirectUri: string; scope: string; state?: string }): string {
  const scopes = params.scope.split(/\s+/).filter(Boolean);
  const listeners = DEMO_LISTENERS.map((l, i) =>
    `<li><label><input type="radio" name="listener" value="${escapeHtml(l.id)}" id="listener-${escapeHtml(l.id)}"${i === 0 ? ' checked' : ''}>` +
    ` <img src="/images/user/${encodeURIComponent(l.id)}.svg?size=64" alt="" width="32" height="32">` +
    ` <strong class="listener-name">${escapeHtml(l.displayName)}</strong> <span class="listener-taste">${escapeHtml(l.description)}</span></label></li>`).join('\n');
  const hidden = (name: string, value: string | undefined) =>
    value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox Spotify — Log in</title>
<style>
body{font-family:system-ui,sans-serif;background:#121212;color:#eee;max-width:40rem;margin:2rem auto;padding:0 1rem}
h1{color:#1db954} ul{list-style:none;padding:0} li{margin:.6rem 0} label{cursor:pointer}
img{vertical-align:middle;border-radius:50%} .listener-taste{color:#aaa}
button{font-size:1rem;padding:.6rem 1.4rem;border-radius:2rem;border:0;margin-right:.6rem;cursor:pointer}
#approve{background:#1db954;color:#000} #deny{background:#333;color:#eee}
</style></head>
<body>
<h1>Sandbox Spotify — Log in</h1>
<p>This is the Spotify sandbox. Pick a demo listener to log in as.</p>
<form method="post" action="/authorize" id="consent">
<fieldset><legend>Listener</legend><ul id="listeners">
${listeners}
</ul></fieldset>
<h2>The app asks to</h2>
<ul id="scopes">${scopes.map((s) => `<li class="scope">${escapeHtml(s)}</li>`).join('') || '<li class="scope">(no scopes)</li>'}</ul>
${hidden('client_id', params.clientId)}
${hidden('redirect_uri', params.redirectUri)}
${hidden('scope', params.scope)}
${hidden('state', params.state)}
<button type="submit" name="decision" value="approve" id="approve">Agree</button>
<button type="submit" name="decision" value="deny" id="deny">Cancel</button>
</form>
</body></html>`;
}

function redirectWith(res: Response, redirectUri: string, params: Record<string, string | undefined>): void {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  res.redirect(302, url.toString());
}

export function createAccountsRouter(state: SandboxState): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  const validateClient = (req: Request, res: Response, src: Record<string, unknown>) => {
    const clientId = str(src.client_id);
    const redirectUri = str(src.redirect_uri);
    if (!clientId || clientId !== state.opts.clientId) {
      errorPage(res, 400, 'INVALID_CLIENT: Invalid client');
      return null;
    }
    if (!redirectUriAllowed(state, redirectUri)) {
      errorPage(res, 400, 'INVALID_CLIENT: Invalid redirect URI');
      return null;
    }
    return { clientId, redirectUri: redirectUri! };
  };

  router.get('/authorize', (req, res) => {
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'");
    res.set('X-Frame-Options', 'DENY');
    const q = req.query as Record<string, unknown>;
    const client = validateClient(req, res, q);
    if (!client) return;
    const stateParam = str(q.state);
    if (str(q.response_type) !== 'code') {
      redirectWith(res, client.redirectUri, { error: 'unsupported_response_type', state: stateParam });
      return;
    }
    const scope = str(q.scope) ?? '';
    if (scope.split(/\s+/).some((s) => s !== '' && !KNOWN_SCOPES.has(s))) {
      redirectWith(res, client.redirectUri, { error: 'invalid_scope', state: stateParam });
      return;
    }
    res.type('html').send(consentPage({ ...client, scope, state: stateParam }));
  });

  router.post('/authorize', form, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const client = validateClient(req, res, body);
    if (!client) return;
    const stateParam = str(body.state);
    if (str(body.decision) !== 'approve') {
      redirectWith(res, client.redirectUri, { error: 'access_denied', state: stateParam });
      return;
    }
    const listener = findListener(str(body.listener) ?? '');
    const scope = str(body.scope) ?? '';
    if (scope.split(/\s+/).some((s) => s !== '' && !KNOWN_SCOPES.has(s))) {
      redirectWith(res, client.redirectUri, { error: 'invalid_scope', state: stateParam });
      return;
    }
    if (!listener) {
      errorPage(res, 400, 'Unknown listener');
      return;
    }
    const code = randomToken('AQ', 96);
    state.codes.set(code, {
      clientId: client.clientId, listenerId: listener.id, redirectUri: client.redirectUri,
      scope, expiresAt: Date.now() + CODE_TTL_MS, used: false,
    });
    redirectWith(res, client.redirectUri, { code, state: stateParam });
  });

  router.post('/api/token', form, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const fail = (status: number, error: string, description: string) =>
      res.status(status).json({ error, error_description: description });

    let clientId = str(body.client_id);
    let clientSecret = str(body.client_secret);
    const auth = req.get('authorization');
    if (auth?.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      clientId = i >= 0 ? decoded.slice(0, i) : decoded;
      clientSecret = i >= 0 ? decoded.slice(i + 1) : '';
    }
    if (!clientId || clientId !== state.opts.clientId) return fail(400, 'invalid_client', 'Invalid client');
    if (clientSecret !== state.opts.clientSecret) return fail(400, 'invalid_client', 'Invalid client secret');

    const ttl = state.opts.tokenTtlSeconds;
    const issue = (token: AccessToken) => {
      const accessToken = randomToken('BQ');
      state.tokens.set(accessToken, token);
      return accessToken;
    };
    const grant = str(body.grant_type);
    if (grant === 'client_credentials') {
      const accessToken = issue({ kind: 'app', clientId, scopes: new Set(), expiresAt: Date.now() + ttl * 1000 });
      return res.json({ access_token: accessToken, token_type: 'Bearer', expires_in: ttl });
    }
    if (grant === 'authorization_code') {
      const code = state.codes.get(str(body.code) ?? '');
      if (!code || code.used || code.expiresAt <= Date.now() || code.clientId !== clientId) {
        return fail(400, 'invalid_grant', 'Invalid authorization code');
      }
      if (str(body.redirect_uri) !== code.redirectUri) return fail(400, 'invalid_grant', 'Invalid redirect URI');
      code.used = true;
      const scopes = new Set(code.scope.split(/\s+/).filter(Boolean));
      const accessToken = issue({ kind: 'user', clientId, listenerId: code.listenerId, scopes, expiresAt: Date.now() + ttl * 1000 });
      const refreshToken = randomToken('AQ', 96);
      state.refreshTokens.set(refreshToken, {
        clientId, listenerId: code.listenerId, scope: code.scope, expiresAt: Date.now() + REFRESH_TTL_MS, revoked: false,
      });
      return res.json({ access_token: accessToken, token_type: 'Bearer', expires_in: ttl, refresh_token: refreshToken, scope: code.scope });
    }
    if (grant === 'refresh_token') {
      const rt = state.refreshTokens.get(str(body.refresh_token) ?? '');
      if (!rt || rt.clientId !== clientId) return fail(400, 'invalid_grant', 'Invalid refresh token');
      if (rt.revoked) return fail(400, 'invalid_grant', 'Refresh token revoked');
      if (rt.expiresAt <= Date.now()) return fail(400, 'invalid_grant', 'Refresh token expired');
      const scopes = new Set(rt.scope.split(/\s+/).filter(Boolean));
      const accessToken = issue({ kind: 'user', clientId, listenerId: rt.listenerId, scopes, expiresAt: Date.now() + ttl * 1000 });
      // Spotify may omit refresh_token here; the sandbox always does, so clients must keep the old one.
      return res.json({ access_token: accessToken, token_type: 'Bearer', expires_in: ttl, scope: rt.scope });
    }
    return fail(400, 'unsupported_grant_type', grant ? `grant_type ${grant} is not supported` : 'grant_type parameter is missing');
  });

  return router;
}

/** Resolves the Bearer token of a /v1 request or throws the 401 Spotify would send. */
export function authenticate(state: SandboxState, req: Request): AccessToken {
  const header = req.get('authorization');
  if (!header || !/^Bearer\s+\S+/i.test(header)) throw new ApiError(401, 'No token provided');
  const token = state.tokens.get(header.replace(/^Bearer\s+/i, '').trim());
  if (!token) throw new ApiError(401, 'Invalid access token');
  if (token.expiresAt <= Date.now()) throw new ApiError(401, 'The access token expired');
  return token;
}

export function revokeRefreshToken(state: SandboxState, token: string): boolean {
  const rt = state.refreshTokens.get(token);
  if (!rt) return false;
  rt.revoked = true;
  return true;
}

export function revokeListener(state: SandboxState, listenerId: string): number {
  let n = 0;
  for (const rt of state.refreshTokens.values()) {
    if (rt.listenerId === listenerId && !rt.revoked) {
      rt.revoked = true;
      n++;
    }
  }
  return n;
}
