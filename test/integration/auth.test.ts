import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { TokenCipher } from '../../src/security/TokenCipher';
import { startSandbox } from '../../src/sandbox';
import { startEmbeddedDynamo } from '../../src/store/embedded';
import { UserRepository } from '../../src/store/UserRepository';
import { csrfFrom, login, startTestApp, type RunningSandbox, type TestApp } from '../helpers/harness';

async function listeners(sandboxUrl: string): Promise<{ id: string; display_name: string }[]> {
  const res = await request(sandboxUrl).get('/_sandbox/listeners').expect(200);
  return (res.body.listeners ?? res.body) as { id: string; display_name: string }[];
}

describe('login with Spotify through the sandbox', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('walks authorize → consent → callback → session, and the dashboard shows the listener’s name', async () => {
    const [first, second] = await listeners(t.sandbox.url);
    const agent = t.agent();
    expect(await login(t, agent, second.id)).toBe('/dashboard');
    const page = await agent.get('/dashboard').expect(200);
    expect(page.text).toContain(escapeHtml(second.display_name));
    expect(page.text).not.toContain(escapeHtml(first.display_name));
    // The session cookie is HttpOnly and SameSite=Lax.
    const other = t.agent();
    const start = await other.get('/auth/spotify').expect(302);
    expect(new URL(start.headers.location).searchParams.get('state')).toMatch(/.{8,}/);
    expect(String(start.headers['set-cookie'])).toMatch(/sda\.sid=.*HttpOnly.*SameSite=Lax/i);
  });

  it('regenerates the session id at login', async () => {
    const agent = t.agent();
    const start = await agent.get('/auth/spotify').expect(302);
    const before = /sda\.sid=([^;]+)/.exec(String(start.headers['set-cookie']))?.[1];
    const authorizeUrl = new URL(start.headers.location);
    const consent = await request(authorizeUrl.origin).post('/authorize').type('form').send({
      ...Object.fromEntries(authorizeUrl.searchParams),
      listener: (await listeners(t.sandbox.url))[0].id,
      decision: 'approve',
    });
    const callback = new URL(consent.headers.location);
    const done = await agent.get(callback.pathname + callback.search).expect(302);
    const after = /sda\.sid=([^;]+)/.exec(String(done.headers['set-cookie']))?.[1];
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it('rejects a callback whose state does not match the one in the session', async () => {
    const agent = t.agent();
    const start = await agent.get('/auth/spotify').expect(302);
    const authorizeUrl = new URL(start.headers.location);
    authorizeUrl.searchParams.set('state', 'forged-state-value');
    const consent = await request(authorizeUrl.origin).post('/authorize').type('form').send({
      ...Object.fromEntries(authorizeUrl.searchParams),
      listener: (await listeners(t.sandbox.url))[0].id,
      decision: 'approve',
    });
    const callback = new URL(consent.headers.location);
    const res = await agent.get(callback.pathname + callback.search).expect(302);
    expect(res.headers.location).toBe('/?error=state');
    await agent.get('/dashboard').expect(302).expect('location', '/?error=login_required');
    const landing = await agent.get('/?error=state').expect(200);
    expect(landing.text).toContain('stale or did not come from this browser');
  });

  it('sends a person who cancels on the consent page back with a clear message and no session', async () => {
    const agent = t.agent();
    expect(await login(t, agent, undefined, 'deny')).toBe('/?error=denied');
    await agent.get('/dashboard').expect(302);
    const landing = await agent.get('/?error=denied').expect(200);
    expect(landing.text).toContain('Login was cancelled');
  });

  it('logs out with POST /logout (CSRF-protected) and ends the session', async () => {
    const agent = t.agent();
    await login(t, agent);
    const page = await agent.get('/dashboard').expect(200);
    await agent.post('/logout').type('form').send({}).expect(403);
    await agent.get('/dashboard').expect(200);
    await agent.post('/logout').type('form').send({ _csrf: csrfFrom(page.text) }).expect(302).expect('location', '/');
    await agent.get('/dashboard').expect(302).expect('location', '/?error=login_required');
  });

  it('stores Spotify tokens encrypted and never writes tokens or secrets to the logs', async () => {
    const agent = t.agent();
    const [listener] = await listeners(t.sandbox.url);
    await login(t, agent, listener.id);
    await agent.get('/dashboard').expect(200);
    const users = new UserRepository(t.store, new TokenCipher([t.config.sessionSecret]));
    const raw = await t.store.doc.send(
      new (await import('@aws-sdk/lib-dynamodb')).ScanCommand({ TableName: t.store.tables.app }),
    );
    const userItems = (raw.Items ?? []).filter((i) => String(i.pk).startsWith('USER#') && i.sk === 'PROFILE');
    expect(userItems.length).toBeGreaterThan(0);
    const tokens = (await Promise.all(userItems.map((i) => users.getTokens(String(i.id))))).filter(Boolean);
    expect(tokens.length).toBe(userItems.length);
    const secrets = [t.config.sessionSecret, t.config.spotify.clientSecret];
    for (const tk of tokens) secrets.push(tk!.accessToken, tk!.refreshToken);
    const stored = JSON.stringify(raw.Items);
    const logs = t.logs.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const s of secrets) {
      expect(logs).not.toContain(s);
      if (s !== t.config.sessionSecret && s !== t.config.spotify.clientSecret) expect(stored).not.toContain(s);
    }
    expect(logs).not.toMatch(/code=(?!\[redacted\])[A-Za-z0-9_-]{8,}/);
  });
});

describe('token life', () => {
  it('refreshes an expired access token transparently', async () => {
    const t = await startTestApp({ sandboxOptions: { tokenTtlSeconds: 1 } });
    try {
      const agent = t.agent();
      await login(t, agent);
      await request(t.sandbox.url).post('/_sandbox/stats/reset').expect(200);
      await new Promise((r) => setTimeout(r, 1100));
      await agent.get('/dashboard?refresh=1').expect(200);
      const stats = (await request(t.sandbox.url).get('/_sandbox/stats').expect(200)).body;
      expect(stats.by_endpoint['POST /api/token']).toBeGreaterThanOrEqual(1);
      expect(stats.by_endpoint['GET /v1/me/top/artists']).toBeGreaterThanOrEqual(3);
    } finally {
      await t.close();
    }
  });

  it('sends the person to log in again when Spotify rejects the refresh token', async () => {
    const t = await startTestApp({ sandboxOptions: { tokenTtlSeconds: 1 } });
    try {
      const [listener] = await listeners(t.sandbox.url);
      const agent = t.agent();
      await login(t, agent, listener.id);
      t.sandbox.revokeListener(listener.id);
      await new Promise((r) => setTimeout(r, 1100));
      await agent.get('/dashboard?refresh=1').expect(302).expect('location', '/?error=reauth');
      const landing = await agent.get('/?error=reauth').expect(200);
      expect(landing.text).toContain('log in again');
      await agent.get('/dashboard').expect(302).expect('location', '/?error=login_required');
    } finally {
      await t.close();
    }
  });
});

describe('sessions live in DynamoDB', () => {
  it('survive an app and database restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sda-restart-'));
    const sandbox: RunningSandbox = await startSandbox({ port: 0 });
    let dynamo = await startEmbeddedDynamo({ path: dir });
    let t = await startTestApp({ sandbox, dynamo });
    const port = t.config.port;
    const agent = request.agent(t.url);
    await login(t, agent);
    await agent.get('/dashboard').expect(200);
    await t.close();
    await dynamo.close();

    dynamo = await startEmbeddedDynamo({ path: dir });
    t = await startTestApp({ sandbox, dynamo, env: { PORT: String(port) } });
    try {
      await agent.get('/dashboard').expect(200);
    } finally {
      await t.close();
      await dynamo.close();
      await sandbox.close();
    }
  });
});

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}
