import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { createApp, type Services } from './app';
import { ConfigError, type Config } from './config';
import { createLogger } from './logger';
import { Metrics } from './metrics';
import { captureServiceOf } from './routes/capture';
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
export async function startServer(config: Config, opts: { logger?: Logger; clusterWorkers?: number } = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  if (config.dynamo.embedded && (opts.clusterWorkers ?? 1) > 1) {
    throw new ConfigError(
      'Embedded DynamoDB (dynalite) is single-process and cannot run under pm2 cluster mode with more than one instance: set DYNAMODB_ENDPOINT or AWS_REGION, or run one instance',
    );
  }
  const closers: (() => Promise<void>)[] = [];
  try {
    if (config.demoMode) {
      // Loaded only in demo mode: production with real credentials never builds the sandbox catalog.
      const { startSandbox } = await import('./sandbox');
      const sandbox = await startSandbox({ port: config.sandbox.port, host: '127.0.0.1', profile: config.sandbox.profile, catalogFile: config.sandbox.catalogFile });
      closers.push(() => sandbox.close());
      // SANDBOX_PORT=0 picks a free port: point the default sandbox URLs at the one chosen.
      const configured = `http://127.0.0.1:${config.sandbox.port}`;
      const rebase = (u: string) => (u.startsWith(`${configured}/`) || u === configured ? sandbox.url + u.slice(configured.length) : u);
      config.spotify.accountsUrl = rebase(config.spotify.accountsUrl);
      config.spotify.apiUrl = rebase(config.spotify.apiUrl);
      config.features.reccobeatsUrl = rebase(config.features.reccobeatsUrl);
      config.genres.musicbrainzUrl = rebase(config.genres.musicbrainzUrl);
      logger.info({ url: sandbox.url, profile: config.sandbox.profile }, 'Spotify sandbox listening (demo mode)');
    }

    let endpoint = config.dynamo.endpoint;
    let embedded: EmbeddedDynamo | undefined;
    if (config.dynamo.embedded) {
      embedded = await startEmbeddedDynamo({ path: path.join(config.dataDir, 'dynamodb') });
      endpoint = embedded.endpoint;
      closers.push(() => embedded!.close());
      logger.info({ dataDir: config.dataDir }, 'embedded DynamoDB (dynalite) started');
    }

    const metrics = new Metrics({ defaultMetrics: true });
    const store = new Store({ endpoint, region: config.dynamo.region, tablePrefix: config.dynamo.tablePrefix, metrics });
    closers.push(async () => store.destroy());
    const created = await store.ensureTables();
    if (created.length) logger.info({ tables: created }, 'created DynamoDB tables');

    // Listen first, then build the app: with PORT=0 the OAuth callback must name the port chosen.
    const server: Server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    server.keepAliveTimeout = 65_000; // longer than common load balancer idle timeouts
    const { port } = server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}`;
    if (config.port === 0 && config.publicUrl === `http://${host}:0`) {
      config.publicUrl = url;
      config.callbackUrl = `${url}/auth/spotify/callback`;
    }
    // While shutting down, answers carry `Connection: close`, so keep-alive clients (load
    // balancers, pm2's cluster master) move to other workers instead of writing to a closing socket.
    let draining = false;
    server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      if (draining) res.setHeader('Connection', 'close');
    });
    const app = createApp({ config, store, logger, metrics });
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
    const { historyImports } = app.locals.services as Services;
    historyImports.startResuming();
    closers.push(async () => historyImports.stopResuming());
    if (config.capture.enabled) {
      // Every worker ticks; a DynamoDB lease lets one of them poll. Stopped before the server (closers run in reverse).
      const capture = captureServiceOf(app.locals.services as Services);
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
