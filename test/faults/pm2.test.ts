import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { startSandbox } from '../../src/sandbox';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../src/store/embedded';
import { Store } from '../../src/store/Store';

jest.setTimeout(180_000);
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const PM2 = path.join(ROOT, 'node_modules/.bin/pm2');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

interface Pm2Process {
  pid: number;
  pm_id: number;
  pm2_env: { status: string; restart_time: number };
}

describe('pm2 cluster mode (2 workers on AWS-style DynamoDB)', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let dynamo: EmbeddedDynamo;
  let env: NodeJS.ProcessEnv;
  let url: string;
  const pm2 = (...args: string[]) => run(PM2, args, { cwd: ROOT, env, timeout: 60_000 });
  const list = async (): Promise<Pm2Process[]> => JSON.parse((await pm2('jlist')).stdout) as Pm2Process[];
  const healthy = async () => {
    for (let i = 0; i < 150; i++) {
      const procs = await list();
      if (procs.length === 2 && procs.every((p) => p.pm2_env.status === 'online' && p.pid > 0)) {
        const ok = await request(url).get('/healthz').then((r) => r.status === 200, () => false);
        if (ok) return procs;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('workers did not come up');
  };

  beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT, 'dist/src/server.js'))) throw new Error('dist/src/server.js is missing: npm test builds it first');
    sandbox = await startSandbox({ port: 0 });
    dynamo = await startEmbeddedDynamo();
    const store = new Store({ endpoint: dynamo.endpoint, tablePrefix: '' });
    await store.ensureTables();
    store.destroy();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = {
      ...process.env,
      PM2_HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'sda-pm2-')),
      PM2_INSTANCES: '2',
      PORT: String(port), HOST: '127.0.0.1',
      SPOTIFY_CLIENT_ID: 'sandbox-client', SPOTIFY_CLIENT_SECRET: 'sandbox-secret', SESSION_SECRET: 'pm2-test-secret-pm2-test-secret-0123456789',
      SPOTIFY_ACCOUNTS_URL: sandbox.url, SPOTIFY_API_URL: `${sandbox.url}/v1`,
      RECCOBEATS_URL: `${sandbox.url}/reccobeats`, MUSICBRAINZ_URL: `${sandbox.url}/musicbrainz`,
      DYNAMODB_ENDPOINT: dynamo.endpoint, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sda-pm2-data-')),
      LOG_LEVEL: 'warn', RATE_LIMIT_API_PER_MINUTE: '1000000',
    };
    await pm2('start', 'ecosystem.config.js');
  });

  afterAll(async () => {
    await pm2('kill').catch(() => undefined);
    await dynamo?.close();
    await sandbox?.close();
  });

  it('restarts a killed worker', async () => {
    const before = await healthy();
    expect(before).toHaveLength(2);
    process.kill(before[0].pid, 'SIGKILL');
    let after = before;
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = await list();
      const again = after.find((p) => p.pm_id === before[0].pm_id);
      if (again && again.pid !== before[0].pid && again.pm2_env.status === 'online') break;
    }
    const restarted = after.find((p) => p.pm_id === before[0].pm_id)!;
    expect(restarted.pid).not.toBe(before[0].pid);
    expect(restarted.pm2_env.restart_time).toBeGreaterThanOrEqual(1);
    await healthy();
  });

  it('drops no request during pm2 reload under load', async () => {
    await healthy();
    // Ten keep-alive clients in a loop for 12 s, as a load balancer's connections behave: they honour
    // `Connection: close`. (autocannon writes its next request on a socket the server has announced
    // it will close, which no proxy does.)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    const stopAt = Date.now() + 12_000;
    const outcome = { ok: 0, failed: 0, non2xx: 0, kinds: {} as Record<string, number> };
    const one = () =>
      new Promise<void>((resolve) => {
        const req = http.get(`${url}/api/search?q=a&limit=5`, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) outcome.ok++;
            else outcome.non2xx++;
            resolve();
          });
        });
        req.on('error', (err: NodeJS.ErrnoException) => {
          outcome.failed++;
          outcome.kinds[err.code ?? err.message] = (outcome.kinds[err.code ?? err.message] ?? 0) + 1;
          resolve();
        });
      });
    const clients = Array.from({ length: 10 }, async () => {
      while (Date.now() < stopAt) await one();
    });
    await new Promise((r) => setTimeout(r, 2000));
    await pm2('reload', 'spotify-data-app');
    await Promise.all(clients);
    agent.destroy();
    console.log(`pm2 reload under load: ${outcome.ok} requests answered 200, ${outcome.non2xx} other statuses, ${outcome.failed} failed ${JSON.stringify(outcome.kinds)}`);
    expect(outcome.ok).toBeGreaterThan(100);
    expect(outcome.failed).toBe(0);
    expect(outcome.non2xx).toBe(0);
    await healthy();
  });
});
