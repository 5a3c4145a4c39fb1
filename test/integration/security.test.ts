import request from 'supertest';
import { startTestApp } from '../helpers/harness';

describe('rate limits', () => {
  it('answers 429 with Retry-After over the per-minute limit, per IP on /api and /auth', async () => {
    const t = await startTestApp({ env: { RATE_LIMIT_API_PER_MINUTE: '5', RATE_LIMIT_AUTH_PER_MINUTE: '3' } });
    try {
      for (let i = 0; i < 5; i++) await request(t.url).get('/api/search').query({ q: 'a' }).expect(200);
      const limited = await request(t.url).get('/api/search').query({ q: 'a' }).expect(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // The per-IP limit holds whatever the request carries: a Bearer value opens no fresh budget.
      await request(t.url).get('/api/me/summary').set('Authorization', 'Bearer sda_someone-else').expect(429);
      for (let i = 0; i < 3; i++) await request(t.url).get('/auth/spotify').expect(302);
      await request(t.url).get('/auth/spotify').expect(429);
      // Health checks are not limited.
      await request(t.url).get('/healthz').expect(200);
    } finally {
      await t.close();
    }
  });
});

describe('cookies and headers', () => {
  it('marks cookies Secure when PUBLIC_URL is https, and sets HSTS', async () => {
    const t = await startTestApp({ env: { PUBLIC_URL: 'https://stats.example.org', TRUST_PROXY: 'loopback' } });
    try {
      const res = await request(t.url).get('/auth/spotify').set('X-Forwarded-Proto', 'https').expect(302);
      expect(String(res.headers['set-cookie'])).toMatch(/sda\.sid=.*; Secure/i);
      expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    } finally {
      await t.close();
    }
  });

  it('refuses oversized bodies with 413 and never shows a stack trace', async () => {
    const t = await startTestApp();
    try {
      const res = await request(t.url).post('/logout').type('form').send(`a=${'x'.repeat(50_000)}`);
      expect(res.status).toBe(413);
      expect(res.text).toContain('The request body is too large.');
      expect(res.text).toContain('<html'); // the app's own error page
      expect(res.text).not.toMatch(/at .*\.(js|ts):\d+/);
    } finally {
      await t.close();
    }
  });
});
