import request from 'supertest';
import { csrfFrom, login, startTestApp, type TestApp } from '../helpers/harness';
import { ext, stats, tokenFor, upload } from '../helpers/history';

jest.setTimeout(60_000);

/** One entry per rule, each a minute long unless the rule is about length. */
const ENTRIES = [
  ext('2024-05-01T10:00:00Z', 'Plain', 'Rule Band', 60_000),
  ext('2024-05-01T11:00:00Z', 'Short', 'Rule Band', 20_000),
  ext('2024-05-01T12:00:00Z', 'Skipped', 'Rule Band', 60_000, { skipped: true, reason_end: 'fwdbtn' }),
  ext('2024-05-01T13:00:00Z', 'Offline', 'Rule Band', 60_000, { offline: true, offline_timestamp: 1714561200 }),
  ext('2024-05-01T14:00:00Z', 'Private', 'Rule Band', 60_000, { incognito_mode: true }),
];

describe('counting rules, per user, used by every statistic', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = await tokenFor(t, 'rin.demo');
    expect((await upload(t, token, 'Streaming_History_Audio_2024.json', JSON.stringify(ENTRIES))).status).toBe('done');
  });
  afterAll(() => t.close());

  const put = (body: unknown) => request(t.url).put('/api/me/counting-rules').set('Authorization', `Bearer ${token}`).send(body as object);

  it('default rules: the private-session play is left out, the short one adds time only', async () => {
    const s = await stats(t, token);
    expect(s.counting_rules).toEqual({ min_play_seconds: 30, skipped: 'count', offline: 'count', incognito: 'exclude' });
    expect(s.plays).toBe(3); // plain, skipped, offline
    expect(s.entries).toBe(4);
    expect(s.ms_played).toBe(60_000 * 3 + 20_000);
  });

  it('each rule changes the numbers as it says', async () => {
    const base = { min_play_seconds: 30, skipped: 'count', offline: 'count', incognito: 'exclude' };
    await put({ ...base, min_play_seconds: 15 }).expect(200);
    expect((await stats(t, token)).plays).toBe(4); // the 20 s play now counts

    await put({ ...base, skipped: 'time_only' }).expect(200);
    let s = await stats(t, token);
    expect(s.plays).toBe(2);
    expect(s.ms_played).toBe(60_000 * 3 + 20_000); // still listening time

    await put({ ...base, offline: 'exclude' }).expect(200);
    s = await stats(t, token);
    expect(s.plays).toBe(2);
    expect(s.ms_played).toBe(60_000 * 2 + 20_000); // left out entirely

    await put({ ...base, incognito: 'count' }).expect(200);
    s = await stats(t, token);
    expect(s.plays).toBe(4);
    expect(s.top_tracks.map((x: { name: string }) => x.name)).toContain('Private');
    await put(base).expect(200);
  });

  it('rejects invalid rules with a clear 400 and keeps the old ones', async () => {
    const res = await put({ min_play_seconds: -1, skipped: 'count', offline: 'count', incognito: 'exclude' }).expect(400);
    expect(res.body.error.code).toBe('invalid_counting_rules');
    expect(res.body.error.message).toMatch(/min_play_seconds/);
    await put({ min_play_seconds: 30, skipped: 'maybe', offline: 'count', incognito: 'exclude' }).expect(400);
    await put({ min_play_seconds: 30, skipped: 'count', offline: 'count', incognito: 'exclude', extra: 1 }).expect(400);
    expect((await stats(t, token)).counting_rules.min_play_seconds).toBe(30);
  });

  it('the How we count page states the person’s rules and changes them through a CSRF-protected form', async () => {
    const agent = t.agent();
    await login(t, agent, 'rin.demo');
    const page = await agent.get('/how-we-count').expect(200);
    expect(page.text).toMatch(/at least 30 seconds/);
    await agent.post('/settings/counting-rules').type('form').send({ min_play_seconds: '45', skipped: 'count', offline: 'count', incognito: 'exclude' }).expect(403);
    await agent
      .post('/settings/counting-rules')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), min_play_seconds: '45', skipped: 'count', offline: 'count', incognito: 'exclude' })
      .expect(303);
    expect((await agent.get('/how-we-count').expect(200)).text).toMatch(/at least 45 seconds/);
    expect((await stats(t, token)).plays).toBe(3);
    expect((await stats(t, token)).rules[0]).toMatch(/at least 45 seconds/);
    // Anonymous visitors see the defaults and no form.
    const anon = await request(t.url).get('/how-we-count').expect(200);
    expect(anon.text).toMatch(/at least 30 seconds/);
    expect(anon.text).not.toMatch(/counting-rules/);
  });
});
