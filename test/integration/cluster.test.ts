import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startServer } from '../../src/bootstrap';
import { ConfigError, readEnvironment } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startEmbeddedDynamo } from '../../src/store/embedded';
import { startSandbox } from '../../src/sandbox';
import { login, startTestApp } from '../helpers/harness';

describe('the server as npm start runs it', () => {
  it('starts in demo mode with the sandbox and embedded DynamoDB on disk, serves, and shuts down cleanly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sda-boot-'));
    const config = readEnvironment({ DATA_DIR: dir, PORT: '0', SANDBOX_PORT: '0', LOG_LEVEL: 'silent' });
    const running = await startServer(config, { logger: createLogger('silent') });
    try {
      expect(running.config.demoMode).toBe(true);
      await request(running.url).get('/readyz').expect(200);
      const landing = await request(running.url).get('/').expect(200);
      expect(landing.text).toContain('Spotify sandbox');
      const start = await request(running.url).get('/auth/spotify').expect(302);
      expect(start.headers.location).toMatch(new RegExp(`^${running.config.spotify.accountsUrl}/authorize\\?`));
    } finally {
      await running.close();
    }
    expect(fs.existsSync(path.join(dir, 'dynamodb'))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'session-secret'), 'utf8').trim().length).toBeGreaterThanOrEqual(32);
    await expect(request(running.url).get('/healthz')).rejects.toThrow(); // no longer listening
  });
});

describe('several workers', () => {
  it('a session made on one worker is valid on another (sessions live in DynamoDB)', async () => {
    const sandbox = await startSandbox({ port: 0 });
    const dynamo = await startEmbeddedDynamo();
    const a = await startTestApp({ sandbox, dynamo });
    const b = await startTestApp({ sandbox, dynamo });
    try {
      const agent = a.agent();
      await login(a, agent, 'marcus.demo');
      const cookie = String((await agent.get('/dashboard')).request.getHeader?.('cookie') ?? '');
      const sid = /sda\.sid=[^;]+/.exec(agent.jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false } as never).toValueString())?.[0] ?? cookie;
      expect(sid).toMatch(/sda\.sid=/);
      const onB = await request(b.url).get('/settings').set('Cookie', sid).expect(200);
      expect(onB.text).toContain('Personal API tokens');
    } finally {
      await a.close();
      await b.close();
      await dynamo.close();
      await sandbox.close();
    }
  });

  it('the embedded database refuses pm2 cluster mode with a clear message; an endpoint allows it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sda-cluster-'));
    const embedded = readEnvironment({ DATA_DIR: dir, PORT: '0', SANDBOX_PORT: '0', LOG_LEVEL: 'silent' });
    await expect(startServer(embedded, { clusterWorkers: 2, logger: createLogger('silent') })).rejects.toThrow(ConfigError);
    await expect(startServer(embedded, { clusterWorkers: 2, logger: createLogger('silent') })).rejects.toThrow(/single-process.*cluster mode/);

    const dynamo = await startEmbeddedDynamo();
    try {
      const external = readEnvironment({ DATA_DIR: dir, PORT: '0', SANDBOX_PORT: '0', LOG_LEVEL: 'silent', DYNAMODB_ENDPOINT: dynamo.endpoint });
      const running = await startServer(external, { clusterWorkers: 2, logger: createLogger('silent') });
      try {
        await request(running.url).get('/healthz').expect(200);
        await request(running.url).get('/readyz').expect(200);
      } finally {
        await running.close();
      }
    } finally {
      await dynamo.close();
    }
  });
});
