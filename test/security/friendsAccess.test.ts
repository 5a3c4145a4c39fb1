import request from 'supertest';
import { accountId } from '../../src/sandbox/objects';
import { createApiToken, csrfFrom, login, startTestApp, type TestApp } from '../helpers/harness';

jest.setTimeout(120_000);

/**
 * Issue #15: a person who is not a friend (never was, or no longer is) gets 404 from every friend
 * endpoint, pages and API alike, exactly as for an id that does not exist; logged out, the pages
 * send to the login and the API answers 401. One table, every endpoint.
 */
type Endpoint = { name: string; kind: 'page' | 'api'; method: 'get' | 'post' | 'delete'; path: (friend: string) => string; body?: (friend: string) => object };

const ENDPOINTS: Endpoint[] = [
  { name: 'comparison page', kind: 'page', method: 'get', path: (f) => `/friends/${encodeURIComponent(f)}` },
  { name: 'comparison page, a period', kind: 'page', method: 'get', path: (f) => `/friends/${encodeURIComponent(f)}?period=2024` },
  { name: 'end the friendship (form)', kind: 'page', method: 'post', path: (f) => `/friends/${encodeURIComponent(f)}/end` },
  { name: 'blend playlist (form)', kind: 'page', method: 'post', path: () => '/playlists', body: (f) => ({ source: 'blend', friend: f, n: '10' }) },
  { name: 'comparison JSON', kind: 'api', method: 'get', path: (f) => `/api/me/friends/${encodeURIComponent(f)}` },
  { name: 'comparison JSON, a period', kind: 'api', method: 'get', path: (f) => `/api/me/friends/${encodeURIComponent(f)}?period=all` },
  { name: 'end the friendship (API)', kind: 'api', method: 'delete', path: (f) => `/api/me/friends/${encodeURIComponent(f)}` },
  { name: 'blend playlist (API)', kind: 'api', method: 'post', path: () => '/api/me/playlists', body: (f) => ({ source: 'blend', friend: f, n: 10 }) },
];

describe('friend endpoints: 404 for anyone who is not a friend', () => {
  let t: TestApp;
  const people: Record<string, { agent: ReturnType<TestApp['agent']>; token: string; id: string }> = {};

  beforeAll(async () => {
    t = await startTestApp();
    for (const listener of ['ava.demo', 'marcus.demo', 'rin.demo']) {
      const agent = t.agent();
      await login(t, agent, listener);
      people[listener] = { agent, token: await createApiToken(agent, 'access'), id: accountId(listener) };
    }
    // Marcus was Ava's friend and ended it; Rin never was.
    const { url } = (await request(t.url).post('/api/me/friends/invites').set('Authorization', `Bearer ${people['ava.demo'].token}`).expect(201)).body;
    await request(t.url).post('/api/me/friends/accept').set('Authorization', `Bearer ${people['marcus.demo'].token}`).send({ token: url.split('/').pop() }).expect(200);
    await request(t.url).get(`/api/me/friends/${people['ava.demo'].id}`).set('Authorization', `Bearer ${people['marcus.demo'].token}`).expect(200);
    await request(t.url).delete(`/api/me/friends/${people['ava.demo'].id}`).set('Authorization', `Bearer ${people['marcus.demo'].token}`).expect(204);
  });
  afterAll(() => t.close());

  const send = async (who: 'marcus.demo' | 'rin.demo', e: Endpoint, target: string) => {
    const p = people[who];
    if (e.kind === 'api') {
      const req = request(t.url)[e.method](e.path(target)).set('Authorization', `Bearer ${p.token}`);
      return e.body ? req.send(e.body(target)) : req;
    }
    if (e.method === 'get') return p.agent.get(e.path(target)).set('Accept', 'text/html');
    const csrf = csrfFrom((await p.agent.get('/friends').expect(200)).text);
    return p.agent.post(e.path(target)).type('form').set('Accept', 'text/html').send({ _csrf: csrf, ...(e.body?.(target) ?? {}) });
  };

  const cases = ENDPOINTS.flatMap((e) => [
    { ...e, who: 'rin.demo' as const, why: 'never a friend' },
    { ...e, who: 'marcus.demo' as const, why: 'a former friend' },
  ]);

  it.each(cases)('$name, $why: 404, nothing of Ava shown', async (c) => {
    const res = await send(c.who, c, people['ava.demo'].id);
    expect(res.status).toBe(404);
    expect(res.text).not.toMatch(/Ava/);
    // The same answer as for an id that never existed.
    const none = await send(c.who, c, 'nobody-at-all');
    expect(none.status).toBe(404);
    if (c.kind === 'api') expect(res.body.error.code).toBe(none.body.error.code);
  });

  it.each(ENDPOINTS)('$name, logged out: login (page) or 401 (API)', async (e) => {
    const target = people['ava.demo'].id;
    const req = request(t.url)[e.method](e.path(target));
    const res = e.body ? await req.send(e.body(target)) : await req;
    if (e.kind === 'api') expect(res.status).toBe(401);
    else if (e.method === 'get') expect([res.status, res.headers.location]).toEqual([302, '/?error=login_required']);
    // A form posted without a session carries no authority: refused before any friend is looked up.
    else expect([302, 403]).toContain(res.status);
  });

  it('the friendship is checked on every request: ended between two requests, the second is a 404', async () => {
    const ava = people['ava.demo'];
    const rin = people['rin.demo'];
    const { url } = (await request(t.url).post('/api/me/friends/invites').set('Authorization', `Bearer ${ava.token}`).expect(201)).body;
    await request(t.url).post('/api/me/friends/accept').set('Authorization', `Bearer ${rin.token}`).send({ token: url.split('/').pop() }).expect(200);
    await request(t.url).get(`/api/me/friends/${ava.id}`).set('Authorization', `Bearer ${rin.token}`).expect(200);
    await request(t.url).delete(`/api/me/friends/${rin.id}`).set('Authorization', `Bearer ${ava.token}`).expect(204);
    await request(t.url).get(`/api/me/friends/${ava.id}`).set('Authorization', `Bearer ${rin.token}`).expect(404);
  });
});
