import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { CookieAccessInfo } from 'cookiejar';
import request from 'supertest';
import { csrfFrom, login, startTestApp, type TestApp } from '../helpers/harness';

/** Every item of both tables, as one string to search for secrets in. */
async function everythingStored(t: TestApp): Promise<string> {
  const items: unknown[] = [];
  for (const table of [t.store.tables.app, t.store.tables.catalog]) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await t.store.doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return JSON.stringify(items);
}

describe('attack: reading a new personal API token from the database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('a token just created is not in plaintext in any stored item (the session included) before or after it is shown, and is shown once', async () => {
    const agent = t.agent();
    await login(t, agent);
    const page = await agent.get('/settings').expect(200);
    await agent.post('/settings/tokens').type('form').send({ _csrf: csrfFrom(page.text), name: 'script' }).expect(303);
    const storedBeforeShown = await everythingStored(t);
    const shown = await agent.get('/settings').expect(200);
    const token = /value="(sda_[^"]+)"/.exec(shown.text)?.[1];
    expect(token).toMatch(/^sda_/);
    expect(storedBeforeShown).not.toContain(token!);
    expect(await everythingStored(t)).not.toContain(token!);
    // Nor kept by the browser's cache (back button, disk cache).
    expect(shown.headers['cache-control']).toMatch(/no-store/);
    expect((await agent.get('/settings').expect(200)).text).not.toContain(token!);
  });

  it('the session item alone (without the browser\'s one-minute flash cookie) does not reveal the token', async () => {
    const agent = t.agent();
    await login(t, agent);
    const page = await agent.get('/settings').expect(200);
    const created = await agent.post('/settings/tokens').type('form').send({ _csrf: csrfFrom(page.text), name: 'stolen' }).expect(303);
    // The same session (its cookie copied) without the flash cookie: the page shows no token.
    const sid = agent.jar.getCookie('sda.sid', new CookieAccessInfo('127.0.0.1', '/', false, false));
    expect(sid).toBeTruthy();
    const without = await request(t.url).get('/settings').set('Cookie', `sda.sid=${sid!.value}`).expect(200);
    expect(without.text).not.toMatch(/value="sda_/);
    // What the browser holds instead: a key that lives one minute, out of reach of scripts.
    const flashCookie = [created.headers['set-cookie'] ?? []].flat().find((c: string) => c.startsWith('sda.new-token=')) ?? '';
    expect(flashCookie).toMatch(/HttpOnly/i);
    expect(flashCookie).toMatch(/Max-Age=60\b/i);
  });
});

describe('attack: reading /metrics without credentials', () => {
  it('with METRICS_TOKEN set, /metrics answers 401 without the token or with a wrong one, and 200 with it', async () => {
    const t = await startTestApp({ env: { METRICS_TOKEN: 'scraper-secret-0123456789' } });
    try {
      const denied = await request(t.url).get('/metrics').expect(401);
      expect(denied.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(denied.text).not.toMatch(/http_request_duration_seconds/);
      await request(t.url).get('/metrics').set('Authorization', 'Bearer scraper-secret-012345678X').expect(401);
      // A personal API token or a session is not the scraper's token either.
      await request(t.url).get('/metrics').set('Authorization', 'Bearer sda_anything').expect(401);
      const ok = await request(t.url).get('/metrics').set('Authorization', 'Bearer scraper-secret-0123456789').expect(200);
      expect(ok.text).toMatch(/^# TYPE http_request_duration_seconds histogram/m);
    } finally {
      await t.close();
    }
  });

  it('without METRICS_TOKEN, /metrics does not exist (404)', async () => {
    const t = await startTestApp({ env: { METRICS_TOKEN: '' } });
    try {
      const res = await request(t.url).get('/metrics').expect(404);
      expect(res.text).not.toMatch(/http_request_duration_seconds/);
    } finally {
      await t.close();
    }
  });
});
