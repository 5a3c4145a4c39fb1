import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp } from '../../src/app';
import { buildServices, type ServiceDeps, type Services } from '../../src/buildServices';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { Metrics } from '../../src/metrics';
import { startSandbox, type SandboxOptions } from '../../src/sandbox';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../src/store/embedded';
import { Store } from '../../src/store/Store';

export type RunningSandbox = Awaited<ReturnType<typeof startSandbox>>;

export interface TestApp {
  url: string;
  config: Config;
  store: Store;
  sandbox: RunningSandbox;
  dynamo: EmbeddedDynamo;
  logs: string[];
  app: ReturnType<typeof createApp>['app'];
  /** The app's services, as the composition root built them. */
  services: Services;
  agent(): ReturnType<typeof request.agent>;
  /** Stops the app (and the sandbox and database unless they were passed in). */
  close(): Promise<void>;
}

export interface TestAppOptions {
  sandbox?: RunningSandbox;
  sandboxOptions?: SandboxOptions;
  dynamo?: EmbeddedDynamo;
  env?: Record<string, string>;
  tuning?: ServiceDeps['tuning'];
}

/** The real app over HTTP on 127.0.0.1, wired to a real sandbox and a real (in-memory) dynalite. */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const sandbox = opts.sandbox ?? (await startSandbox({ port: 0, ...opts.sandboxOptions }));
  const dynamo = opts.dynamo ?? (await startEmbeddedDynamo());
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(Number(opts.env?.PORT ?? 0), '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    PUBLIC_URL: url,
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sda-test-')),
    SESSION_SECRET: 'test-secret-that-is-long-enough-for-hkdf-0123456789',
    SPOTIFY_ACCOUNTS_URL: sandbox.url,
    SPOTIFY_API_URL: `${sandbox.url}/v1`,
    RECCOBEATS_URL: `${sandbox.url}/reccobeats`,
    MUSICBRAINZ_URL: `${sandbox.url}/musicbrainz`,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    LOG_LEVEL: 'info',
    // Tests make many requests a minute from one address; the limits have a test of their own.
    MUSICBRAINZ_INTERVAL_MS: '0', // the sandbox's stand-in needs no pacing (and apps built from this config inherit it)
    RATE_LIMIT_API_PER_MINUTE: '100000',
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    // A busy CI machine can lag; shedding has a test of its own (test/unit/loadShedding.test.ts).
    SHED_MAX_LAG_MS: '60000',
    RATE_LIMIT_TOKEN_PER_MINUTE: '100000',
    RATE_LIMIT_PAGES_PER_MINUTE: '100000',
    RATE_LIMIT_PAGES_SESSION_PER_MINUTE: '100000',
    // /metrics needs a scraper token (tests send it as `Bearer ${t.config.metricsToken}`).
    METRICS_TOKEN: 'test-metrics-token-0123456789',
    // Tests that ingest and read an artist in one request expect its 200 however busy the machine;
    // the 202 progress answer for long ingests has tests of its own (artistCache.test.ts).
    ARTIST_API_WAIT_SECONDS: '300',
    ...opts.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const metrics = new Metrics();
  const store = new Store({ endpoint: dynamo.endpoint, tablePrefix: config.dynamo.tablePrefix, metrics, embedded: true });
  await store.ensureTables();
  const services = buildServices(config, { store, logger, metrics, tuning: { leaseMs: 2000, musicbrainzIntervalMs: 0, ...opts.tuning } });
  const { app } = createApp({ config, logger, services });
  server.on('request', app);
  return {
    url,
    config,
    store,
    sandbox,
    dynamo,
    logs,
    app,
    services,
    agent: () => request.agent(url),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.destroy();
      if (!opts.dynamo) await dynamo.close();
      if (!opts.sandbox) await sandbox.close();
    },
  };
}

/** Reads the consent page's form: its action and every named input's default value. */
export function parseForm(html: string): { action: string; fields: Record<string, string>; listeners: string[] } {
  const action = /<form[^>]*action="([^"]*)"/i.exec(html)?.[1] ?? '';
  const fields: Record<string, string> = {};
  const listeners: string[] = [];
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const tag = m[0];
    const name = /name="([^"]*)"/.exec(tag)?.[1];
    const value = decodeEntities(/value="([^"]*)"/.exec(tag)?.[1] ?? '');
    if (!name) continue;
    if (/type="radio"/i.test(tag)) {
      listeners.push(value);
      if (/checked/i.test(tag)) fields[name] = value;
    } else {
      fields[name] = value;
    }
  }
  return { action: decodeEntities(action), fields, listeners };
}

function decodeEntities(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Walks the whole OAuth authorization code flow as a browser would: app → sandbox consent page →
 * approve (or deny) as `listener` → app callback. Returns the callback's redirect location.
 */
export async function login(
  t: TestApp,
  agent: ReturnType<typeof request.agent>,
  listener?: string,
  decision: 'approve' | 'deny' = 'approve',
): Promise<string> {
  const start = await agent.get('/auth/spotify').expect(302);
  const authorizeUrl = new URL(start.headers.location);
  const consent = await request(authorizeUrl.origin).get(authorizeUrl.pathname + authorizeUrl.search).expect(200);
  const form = parseForm(consent.text);
  const fields = { ...form.fields, decision, ...(listener ? { listener } : {}) };
  const action = new URL(form.action || '/authorize', authorizeUrl);
  const answer = await request(action.origin).post(action.pathname).type('form').send(fields).expect(302);
  const callback = new URL(answer.headers.location);
  expect(callback.origin).toBe(t.url);
  const done = await agent.get(callback.pathname + callback.search).expect(302);
  return done.headers.location as string;
}

/** The CSRF token of the first form on a page. */
export function csrfFrom(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token on the page');
  return token;
}

/** Creates a personal API token on /settings as a person would, and reads it off the page (shown once). */
export async function createApiToken(agent: ReturnType<typeof request.agent>, name: string): Promise<string> {
  const page = await agent.get('/settings').expect(200);
  await agent.post('/settings/tokens').type('form').send({ _csrf: csrfFrom(page.text), name }).expect(303);
  const shown = await agent.get('/settings').expect(200);
  const token = /value="(sda_[^"]+)"/.exec(shown.text)?.[1];
  if (!token) throw new Error('token not shown');
  return token;
}
