import crypto from 'node:crypto';
import fs from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { createApp } from './app';
import { buildServices } from './buildServices';
import { ConfigError, resolveConfig, type Config, type Settings, type StartupFacts } from './config';
import { createLogger } from './logger';
import { Metrics } from './metrics';
import { startEmbeddedDynamo, type EmbeddedDynamo } from './store/embedded';
import { Store } from './store/Store';

/** How long a stopping server keeps answering (with `Connection: close`) before it stops listening. */
const DRAIN_MS = 1000;

export interface RunningServer {
  url: string;
  config: Config;
  logger: Logger;
  close(): Promise<void>;
}

/**
 * Starts everything the configuration asks for: the Spotify sandbox (demo mode), embedded
 * DynamoDB (no endpoint or region), the tables, and the HTTP server. `close()` shuts down in
 * reverse order: stop accepting, finish in-flight requests, then the store and embedded servers.
 */
export async function startServer(settings: Settings, opts: { logger?: Logger; clusterWorkers?: number } = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(settings.logLevel);
  if (settings.dynamo.embedded && (opts.clusterWorkers ?? 1) > 1) {
    throw new ConfigError(
      'Embedded DynamoDB (dynalite) is single-process and cannot run under pm2 cluster mode with more than one instance: set DYNAMODB_ENDPOINT or AWS_REGION, or run one instance',
    );
  }
  const closers: (() => Promise<void>)[] = [];
  const facts: StartupFacts = {};
  try {
    if (!settings.sessionSecret) facts.generatedSecret = keptSecret(settings.dataDir);
    if (settings.demoMode) {
      // Loaded only in demo mode: production with real credentials never builds the sandbox catalog.
      const { startSandbox } = await import('./sandbox');
      const sandbox = await startSandbox({ port: settings.sandbox.port, host: '127.0.0.1', profile: settings.sandbox.profile, catalogFile: settings.sandbox.catalogFile, quirks: settings.sandbox.quirks });
      closers.push(() => sandbox.close());
      facts.sandboxUrl = sandbox.url;
      logger.info({ url: sandbox.url, profile: settings.sandbox.profile }, 'Spotify sandbox listening (demo mode)');
    }

    let endpoint = settings.dynamo.endpoint;
    let embedded: EmbeddedDynamo | undefined;
    if (settings.dynamo.embedded) {
      embedded = await startEmbeddedDynamo({ path: path.join(settings.dataDir, 'dynamodb') });
      endpoint = embedded.endpoint;
      closers.push(() => embedded!.close());
      logger.info({ dataDir: settings.dataDir }, 'embedded DynamoDB (dynalite) started');
    }

    const metrics = new Metrics({ defaultMetrics: true });
    const store = new Store({ endpoint, region: settings.dynamo.region, tablePrefix: settings.dynamo.tablePrefix, metrics, embedded: Boolean(embedded) });
    closers.push(async () => store.destroy());
    const created = await store.ensureTables();
    if (created.length) logger.info({ tables: created }, 'created DynamoDB tables');

    // Listen first, then build the app: with PORT=0 the OAuth callback must name the port chosen.
    const server: Server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.host, () => resolve());
    });
    server.keepAliveTimeout = 65_000; // longer than common load balancer idle timeouts
    const { port } = server.address() as AddressInfo;
    const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
    const url = `http://${host}:${port}`;
    facts.listenUrl = url;
    const config = resolveConfig(settings, facts);
    // While shutting down, answers carry `Connection: close`, so keep-alive clients (load
    // balancers, pm2's cluster master) move to other workers instead of writing to a closing socket.
    let draining = false;
    server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      if (draining) res.setHeader('Connection', 'close');
    });
    const services = buildServices(config, { store, logger, metrics });
    const { app } = createApp({ config, logger, services });
    server.on('request', app);
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          // Drain first: for a second every answer carries `Connection: close`, so each keep-alive
          // socket ends cleanly after one more request; only then stop listening. (server.close()
          // also closes idle sockets at once, which races a client writing its next request.)
          draining = true;
          setTimeout(() => server.close(() => resolve()), DRAIN_MS).unref();
        }),
    );
    logger.info({ url, demoMode: config.demoMode }, `Spotify Data App listening on ${url}`);
    // Imports interrupted by a crash or a deploy, or paused while the database was busy, continue.
    const { historyImports, capture } = services;
    historyImports.startResuming();
    closers.push(async () => historyImports.stopResuming());
    if (config.capture.enabled) {
      // Every worker ticks; a DynamoDB lease lets one of them poll. Stopped before the server (closers run in reverse).
      capture.start({ logger });
      closers.push(() => capture.stop());
    }

    let closing: Promise<void> | undefined;
    return {
      url,
      config,
      logger,
      close: () => (closing ??= runClosers(closers)),
    };
  } catch (err) {
    await runClosers(closers);
    throw err;
  }
}

async function runClosers(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of [...closers].reverse()) {
    await close().catch(() => undefined);
  }
}

/**
 * Demo mode without SESSION_SECRET: a random secret generated at the first start and kept in
 * DATA_DIR (mode 0600), so sessions and stored tokens survive restarts.
 */
export function keptSecret(dataDir: string): string {
  const file = path.join(dataDir, 'session-secret');
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch {
    // first start: fall through and create it
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = crypto.randomBytes(32).toString('base64url');
  fs.writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
