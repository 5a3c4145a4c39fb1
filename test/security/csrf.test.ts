import { createApiToken, login, startTestApp, type TestApp } from '../helpers/harness';

describe('attack: a made-up Authorization header to skip CSRF', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('a cookie session with "Authorization: Bearer <anything>" still needs the CSRF token on a form post', async () => {
    const agent = t.agent();
    await login(t, agent);
    const res = await agent.post('/settings/time-zone').set('Authorization', 'Bearer forged').type('form').send({ time_zone: 'Europe/Berlin' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('The form expired or was sent from another site');
    const settings = await agent.get('/settings').expect(200);
    expect(settings.text).not.toMatch(/<option[^>]*value="Europe\/Berlin"[^>]*selected/);
  });

  it('an unknown Bearer token beside a cookie session cannot change data under /api without the CSRF token', async () => {
    const agent = t.agent();
    await login(t, agent);
    const res = await agent.put('/api/me/counting-rules').set('Authorization', 'Bearer sda_made-up').send({});
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('invalid_csrf_token');
  });

  it('a personal token that authenticates needs no CSRF token (scripts)', async () => {
    const agent = t.agent();
    await login(t, agent);
    const token = await createApiToken(agent, 'script');
    const current = await agent.get('/api/me/counting-rules').set('Authorization', `Bearer ${token}`).expect(200);
    await agent.put('/api/me/counting-rules').set('Authorization', `Bearer ${token}`).send(current.body.rules).expect(200);
  });
});
