import request from 'supertest';
import { createApiToken, login, startTestApp, type TestApp } from '../helpers/harness';

/** Spotify Web API requests the sandbox has answered so far. */
async function spotifyCalls(t: TestApp, endpoint?: string): Promise<number> {
  const stats = (await request(t.sandbox.url).get('/_sandbox/stats').expect(200)).body as { total: number; by_endpoint: Record<string, number> };
  return endpoint ? Object.entries(stats.by_endpoint).filter(([k]) => k.includes(endpoint)).reduce((n, [, v]) => n + v, 0) : stats.total;
}

describe('attack: dodging the /api limit', () => {
  it('a random Bearer value on each request does not escape the per-IP /api limit', async () => {
    const t = await startTestApp({ env: { RATE_LIMIT_API_PER_MINUTE: '5' } });
    try {
      for (let i = 0; i < 5; i++) await request(t.url).get('/api/search').query({ q: 'a' }).expect(200);
      for (let i = 0; i < 20; i++) {
        const res = await request(t.url).get('/api/search').query({ q: 'a' }).set('Authorization', `Bearer x${i}`);
        expect(res.status).toBe(429);
        expect(res.body.error.code).toBe('rate_limited');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    } finally {
      await t.close();
    }
  });

  it('a valid personal token has its own per-token budget once it has authenticated', async () => {
    const t = await startTestApp({ env: { RATE_LIMIT_API_PER_MINUTE: '1000', RATE_LIMIT_TOKEN_PER_MINUTE: '3' } });
    try {
      const agent = t.agent();
      await login(t, agent);
      const token = await createApiToken(agent, 'script');
      for (let i = 0; i < 3; i++) await request(t.url).get('/api/me/counting-rules').set('Authorization', `Bearer ${token}`).expect(200);
      const limited = await request(t.url).get('/api/me/counting-rules').set('Authorization', `Bearer ${token}`).expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Unknown tokens are not counted per token (their values are the attacker's choice); the IP limit covers them.
      await request(t.url).get('/api/me/counting-rules').set('Authorization', 'Bearer sda_unknown').expect(401);
      // The session of the same person is not the token: it is still served.
      await agent.get('/api/me/counting-rules').expect(200);
    } finally {
      await t.close();
    }
  });
});

describe('attack: flooding the pages that call Spotify', () => {
  it('/search, /artists/:id, /compare and /tracks/:id are limited per IP with 429 and Retry-After', async () => {
    const t = await startTestApp({ env: { RATE_LIMIT_PAGES_PER_MINUTE: '4', RATE_LIMIT_PAGES_SESSION_PER_MINUTE: '1000' } });
    try {
      await request(t.url).get('/search').query({ q: 'a' }).expect(200);
      await request(t.url).get('/artists/not-an-id').expect(400);
      await request(t.url).get('/tracks/not-an-id').expect(400);
      await request(t.url).get('/compare').expect(200);
      for (const path of ['/search?q=a', '/artists/not-an-id', '/tracks/not-an-id', '/compare']) {
        const res = await request(t.url).get(path);
        expect(res.status).toBe(429);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      // Pages that do not call Spotify stay reachable.
      await request(t.url).get('/').expect(200);
    } finally {
      await t.close();
    }
  });

  it('a logged-in person is limited per session as well, below the per-IP limit', async () => {
    const t = await startTestApp({ env: { RATE_LIMIT_PAGES_PER_MINUTE: '1000', RATE_LIMIT_PAGES_SESSION_PER_MINUTE: '3' } });
    try {
      const agent = t.agent();
      await login(t, agent);
      for (let i = 0; i < 3; i++) await agent.get('/search').query({ q: `a${i}` }).expect(200);
      const limited = await agent.get('/search').query({ q: 'b' }).expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Another visitor from the same address has budget left.
      await request(t.url).get('/search').query({ q: 'b' }).expect(200);
    } finally {
      await t.close();
    }
  });

  it('repeating a search (any case or spacing) is served from a short cache, not by Spotify again', async () => {
    const t = await startTestApp();
    try {
      await request(t.url).get('/search').query({ q: 'Nova' }).expect(200);
      const first = await spotifyCalls(t, 'search');
      expect(first).toBeGreaterThan(0);
      for (const q of ['Nova', 'nova', '  NOVA ', 'nova']) await request(t.url).get('/search').query({ q }).expect(200);
      await Promise.all(Array.from({ length: 10 }, () => request(t.url).get('/api/search').query({ q: 'nova', limit: 20 }).expect(200)));
      expect(await spotifyCalls(t, 'search')).toBe(first);
      // A different query is a different entry.
      await request(t.url).get('/search').query({ q: 'Other' }).expect(200);
      expect(await spotifyCalls(t, 'search')).toBeGreaterThan(first);
    } finally {
      await t.close();
    }
  });
});
