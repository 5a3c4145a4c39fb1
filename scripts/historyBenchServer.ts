/**
 * A server for the history benchmark, in a process of its own so its peak RSS is measured alone:
 * embedded DynamoDB (dynalite on LevelDB in a temp dir), the real app, one user with a personal token;
 * BENCH_SANDBOX_URL points it at a sandbox for track features and genres (taste over time).
 * Prints {"url","token"} on stdout, then {"maxRssMb"} when it receives SIGTERM.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app';
import { buildServices } from '../src/buildServices';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { startEmbeddedDynamo } from '../src/store/embedded';
import { Store } from '../src/store/Store';

async function main(): Promise<void> {
  const sandboxUrl = process.env.BENCH_SANDBOX_URL;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sda-hist-bench-'));
  const dynamo = await startEmbeddedDynamo({ path: path.join(dir, 'db') });
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const config = loadConfig({
    NODE_ENV: 'production', PORT: String(port), DATA_DIR: dir, SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0000',
    DYNAMODB_ENDPOINT: dynamo.endpoint, LOG_LEVEL: 'silent', HISTORY_UPLOAD_MAX_MB: '1024', RATE_LIMIT_API_PER_MINUTE: '100000000', RATE_LIMIT_TOKEN_PER_MINUTE: '100000000',
    ...(sandboxUrl
      ? { SPOTIFY_ACCOUNTS_URL: sandboxUrl, SPOTIFY_API_URL: `${sandboxUrl}/v1`, RECCOBEATS_URL: `${sandboxUrl}/reccobeats`, MUSICBRAINZ_URL: `${sandboxUrl}/musicbrainz`, MUSICBRAINZ_INTERVAL_MS: '0' }
      : {}),
  });
  const store = new Store({ endpoint: dynamo.endpoint, tablePrefix: '', embedded: true });
  await store.ensureTables();
  const logger = createLogger('silent');
  const services = buildServices(config, { store, logger });
  const { app } = createApp({ config, logger, services });
  server.on('request', app);
  await services.users.upsertFromLogin(
    { id: 'bench-user', displayName: 'Bench', imageUrl: null, country: null, product: null },
    { accessToken: 'x', refreshToken: 'y', expiresAt: Date.now() + 3600_000, scope: '' },
  );
  const { token } = await services.apiTokens.create('bench-user', 'bench');
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${port}`, token }) + '\n');
  // The peak so far, on request: the bench asks after the import, before any statistics.
  process.on('SIGUSR2', () => {
    process.stdout.write(JSON.stringify({ maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
  });
  process.on('SIGTERM', () => {
    const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    process.stdout.write(JSON.stringify({ maxRssMb }) + '\n');
    server.closeAllConnections();
    server.close();
    void dynamo.close().finally(() => {
      fs.rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
