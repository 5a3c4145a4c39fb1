import crypto from 'node:crypto';
import path from 'node:path';
import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { createPassport } from './auth/passport';
import type { Services } from './buildServices';
import type { Config } from './config';
import { AppError } from './errors';
import { isTransientStoreError } from './store/storeErrors';
import { redactUrl } from './logger';
import { Metrics } from './metrics';
import { compressResponses, staticAssets } from './routes/assets';
import { authRouter } from './routes/auth';
import { opsRouter } from './routes/ops';
import { loadShedding } from './routes/loadShedding';
import { rateLimits, SPOTIFY_PAGES } from './routes/rateLimits';
import { authenticatedByToken, bearerAuthentication } from './routes/authn';
import { pagesRouter } from './routes/pages';
import { safeJson } from './routes/artistCharts';
import { fmt, formatFor, supportedLocale } from './routes/format';
import { meLink } from './routes/personalLinks';
import { artistApiRouter, artistsRouter } from './routes/artists';
import { artistFastPath } from './routes/artistFastPath';
import { historyRouter } from './routes/history';
import { personalRouter } from './routes/personal';
import { timeZoneRouter } from './routes/timeZone';
import { meRouter } from './routes/me';
import { accountRouter } from './routes/account';
import { captureRouter } from './routes/capture';
import { compareRouter } from './routes/compare';
import { shareRouter } from './routes/share';
import { openApiRouter } from './routes/openapi';
import { friendsRouter } from './routes/friends';
import { playlistRouter } from './routes/playlists';

export interface AppDeps {
  config: Config;
  logger: Logger;
  /** Built once by `buildServices` (the composition root); the app only routes to them. */
  services: Services;
}

export const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');

/** Builds the Express app without listening, so the server and supertest share it. */
export function createApp(deps: AppDeps): { app: express.Express; services: Services } {
  const { config, services } = deps;
  const { metrics } = services;
  const app = express();
  app.locals.safeJson = safeJson;
  app.locals.fmt = fmt;
  app.locals.meLink = meLink;
  const plotlyFile = path.join(ROOT, 'node_modules/plotly.js-dist-min/plotly.min.js');
  const assets = staticAssets(path.join(ROOT, 'public'), { 'vendor/plotly.min.js': plotlyFile });
  app.locals.asset = assets.asset;
  app.set('trust proxy', config.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', path.join(ROOT, 'views'));
  app.disable('x-powered-by');

  const spotifyImages = ['https://i.scdn.co', 'https://mosaic.scdn.co', 'https://image-cdn-ak.spotifycdn.com', 'https://image-cdn-fa.spotifycdn.com', 'https://*.spotifycdn.com'];
  const imageOrigins = [...spotifyImages];
  if (config.demoMode || config.spotify.apiUrl.startsWith('http://127.0.0.1')) imageOrigins.push(new URL(config.spotify.apiUrl).origin);
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', ...imageOrigins],
        connectSrc: ["'self'"],
        // A form may end on Spotify's consent page: the playlist form redirects there when a scope is missing,
        // and browsers check form-action on every redirect of a form's navigation.
        formAction: ["'self'", new URL(config.spotify.accountsUrl).origin],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: config.publicUrl.startsWith('https:') ? [] : null,
      },
    },
    strictTransportSecurity: config.publicUrl.startsWith('https:'),
  });

  const limits = rateLimits(config);
  // The cached artist JSON, answered from memory before Express routes anything (see artistFastPath):
  // the same security headers, rate limit, request id, log line and metrics, without the chain.
  // Every other request (and a cached one memory cannot answer) goes to Express as before.
  const fast = artistFastPath({ artists: services.artists, logger: deps.logger, metrics, helmet: securityHeaders, apiCounter: limits.apiCounter, app });
  const routed = app as unknown as { handle(req: express.Request, res: express.Response, cb?: (err?: unknown) => void): void };
  const handle = routed.handle.bind(app);
  routed.handle = (req, res, cb) => fast(req, res, () => handle(req, res, cb));

  // View locals every page needs, set first so even an error page for a request that failed early
  // (a body too large, say) renders.
  app.use((req, res, next) => {
    res.locals.user = null;
    res.locals.config = { demoMode: config.demoMode, publicUrl: config.publicUrl };
    res.locals.csrfToken = () => '';
    res.locals.currentPath = req.path;
    res.locals.currentUrl = req.originalUrl;
    res.locals.timeZoneUnset = false;
    next();
  });
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const id = crypto.randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    }),
  );
  app.use(httpMetrics(metrics));
  app.use(loadShedding({ ...config.shedding, metrics }));
  app.use(securityHeaders);

  app.use(compressResponses());
  app.use('/static', assets.fingerprinted);
  app.use('/static', express.static(path.join(ROOT, 'public'), { maxAge: '1h' }));
  app.use('/static/vendor/plotly.min.js', (req, res) => res.sendFile(plotlyFile, { maxAge: '7d' }));
  app.use(opsRouter(services));
  app.use('/api', limits.api);
  app.use('/auth', limits.auth);
  // Public, sessionless, and the hottest read: ahead of body parsers, session, passport and CSRF.
  app.use(artistApiRouter(services));

  const secure = config.publicUrl.startsWith('https:');
  app.use(express.urlencoded({ extended: false, limit: '20kb' }));
  app.use(express.json({ limit: '100kb' }));
  app.use(
    session({
      name: 'sda.sid',
      // The first secret signs; earlier ones still verify cookies during a rotation.
      secret: [config.sessionSecret, ...config.previousSecrets],
      store: services.sessions,
      resave: false,
      saveUninitialized: false,
      rolling: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure, maxAge: 14 * 24 * 3600 * 1000 },
    }),
  );
  app.use(cookieParser());
  const passport = createPassport(config, services.users);
  app.use(passport.initialize());
  app.use(passport.session());
  app.use('/api', bearerAuthentication(services), limits.token);
  app.use(SPOTIFY_PAGES, ...limits.spotifyPages);

  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => config.sessionSecret,
    getSessionIdentifier: (req) => req.session?.id ?? '',
    cookieName: secure ? '__Host-sda.csrf' : 'sda.csrf',
    cookieOptions: { sameSite: 'lax', secure, httpOnly: true, path: '/' },
    // Forms send the token as a field; fetch() as a header; multipart uploads (whose body is streamed
    // to disk, not parsed) in the form's action URL.
    getCsrfTokenFromRequest: (req) =>
      (req.body as { _csrf?: string } | undefined)?._csrf ??
      req.headers['x-csrf-token'] ??
      (req.is('multipart/form-data') && typeof req.query._csrf === 'string' ? req.query._csrf : undefined),
    // Scripts authenticate with a bearer token, which a browser never sends on its own; and a request
    // without a logged-in session carries no authority to forge. Neither needs a CSRF token. Only a
    // token that authenticated counts: a header merely present proves nothing.
    skipCsrfProtection: (req) => authenticatedByToken(req) || !req.user,
  });
  // Dates on every page in one locale-aware format (Accept-Language), in the person's stored zone.
  app.use((req, res, next) => {
    if (!req.user || req.path.startsWith('/api/') || req.path.startsWith('/static/')) return next();
    services.profiles.displayZone(req.user.id).then((zone) => {
      res.locals.fmt = formatFor(supportedLocale(req.acceptsLanguages()[0]), zone.timeZone);
      res.locals.timeZoneUnset = !zone.chosen;
      next();
    }, next);
  });
  app.use((req, res, next) => {
    res.locals.user = req.user ?? null;
    // One token per response: each call without a cookie would mint a new one and only the last cookie sticks.
    let csrfToken: string | undefined;
    res.locals.csrfToken = () => (csrfToken ??= generateCsrfToken(req, res));
    next();
  });
  app.use(doubleCsrfProtection);

  app.use(authRouter(passport));
  // Before the pages: its middleware enrols a person in live capture on their first visit, then passes on.
  app.use(captureRouter(services));
  app.use(pagesRouter(services));
  app.use(artistsRouter(services));
  app.use(personalRouter(services));
  app.use(timeZoneRouter(services));
  app.use(historyRouter(services));
  app.use(meRouter(services));
  app.use(compareRouter(services));
  app.use(shareRouter(services));
  app.use(playlistRouter(services, limits.playlists));
  app.use(friendsRouter(services, limits.invites));
  app.use(accountRouter(services));
  app.use(openApiRouter(services));

  app.use((req, _res, next) => next(new AppError(404, 'not_found', `No page at ${req.path}`)));
  app.use(errorHandler(deps.logger));
  return { app, services };
}

function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = (req.route?.path as string | undefined) ? `${req.baseUrl}${req.route.path}` : req.baseUrl || 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}

function wantsJson(req: express.Request): boolean {
  return req.path.startsWith('/api/') || (!req.accepts('html') && Boolean(req.accepts('json')));
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    // An error after the answer began (a client gone, a store closed mid-stream): Express's own
    // handler ends the connection; a second answer cannot be sent.
    if (res.headersSent) {
      (req.log ?? logger).warn({ err }, 'error after the response was sent');
      return next(err);
    }
    const e = err as Error & { code?: string; status?: number; statusCode?: number; type?: string };
    let status = 500;
    let code = 'internal_error';
    let message = 'Something went wrong on our side. It has been logged.';
    let retryAfter: number | undefined;
    if (e instanceof AppError) {
      ({ status, code, message } = e);
      retryAfter = (e as { retryAfterSeconds?: number }).retryAfterSeconds;
    } else if (isTransientStoreError(e)) {
      // DynamoDB stayed throttled through every retry, or did not answer: a temporary condition, not a bug.
      status = 503;
      code = 'database_busy';
      message = 'The database is busy right now; try again in a moment.';
      retryAfter = 2;
    } else if (e.code === 'EBADCSRFTOKEN' || e.message === 'invalid csrf token') {
      status = 403;
      code = 'invalid_csrf_token';
      message = 'The form expired or was sent from another site. Reload the page and try again.';
    } else if (typeof (e.status ?? e.statusCode) === 'number' && (e.status ?? e.statusCode)! < 500) {
      // body-parser and friends: payload too large, malformed JSON...
      status = (e.status ?? e.statusCode)!;
      code = e.type ? e.type.replace(/\./g, '_') : 'bad_request';
      message = status === 413 ? 'The request body is too large.' : 'The request could not be read.';
    }
    if (status >= 500) (req.log ?? logger).error({ err: e }, 'request failed');
    if (retryAfter) res.setHeader('Retry-After', String(retryAfter));
    if (code === 'reauth_required' && req.isAuthenticated?.() && !/^Bearer /i.test(req.headers.authorization ?? '')) {
      // The refresh token is gone: end the session; a page sends the person to log in again.
      return req.logout(() => (wantsJson(req) ? res.status(401).json({ error: { code, message } }) : res.redirect('/?error=reauth')));
    }
    res.status(status);
    if (wantsJson(req)) return res.json({ error: { code, message } });
    res.render('error', { title: status === 404 ? 'Not found' : 'Error', status, message, code }, (renderErr, html) => {
      if (res.headersSent) return;
      if (renderErr) {
        (req.log ?? logger).error({ err: renderErr }, 'error page failed to render');
        return res.type('text/plain').send(message);
      }
      res.send(html);
    });
  };
}
