import request from 'supertest';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { hashToken } from '../../src/services/ApiTokenService';
import { DashboardRepository } from '../../src/store/DashboardRepository';
import { getStats, resetStats, webApiCount } from '../helpers/catalog';
import { createApiToken, csrfFrom, login, startTestApp, type TestApp } from '../helpers/harness';

jest.setTimeout(60_000);

const RANGES = ['short_term', 'medium_term', 'long_term'] as const;

/** A token made on /settings is shown once only. */
async function createToken(agent: ReturnType<TestApp['agent']>, name: string): Promise<string> {
  const token = await createApiToken(agent, name);
  const again = await agent.get('/settings').expect(200);
  expect(again.text).not.toContain(token);
  return token;
}

describe.each(['development', 'extended'] as const)('dashboard and /api/me, %s profile', (profile) => {
  let t: TestApp;
  let agent: ReturnType<TestApp['agent']>;
  const listener = 'ava.demo';
  beforeAll(async () => {
    t = await startTestApp({ sandboxOptions: { profile } });
    agent = t.agent();
    await login(t, agent, listener);
  });
  afterAll(() => t.close());

  it('builds the summary with 7 parallel Spotify requests, then serves reloads from the DynamoDB cache', async () => {
    await resetStats(t.sandbox.url);
    const res = await agent.get('/api/me/summary').expect(200).expect('content-type', /json/);
    const s = res.body;
    const stats = await getStats(t.sandbox.url);
    for (const type of ['artists', 'tracks']) expect(stats.by_endpoint[`GET /v1/me/top/${type}`]).toBe(3);
    expect(stats.by_endpoint['GET /v1/me/player/recently-played']).toBe(1);
    for (const r of RANGES) {
      expect(s.ranges[r].artists).toHaveLength(50);
      expect(s.ranges[r].tracks).toHaveLength(50);
      expect(s.ranges[r].artists[0].rank).toBe(1);
    }
    expect(s.recent).toHaveLength(50);
    expect(s.user.id).toBeTruthy();

    await resetStats(t.sandbox.url);
    await agent.get('/api/me/summary').expect(200);
    for (const r of RANGES) {
      await agent.get('/dashboard').query({ range: r }).expect(200);
      await agent.get('/api/me/top').query({ type: 'tracks', range: r }).expect(200);
    }
    expect(webApiCount(await getStats(t.sandbox.url))).toBe(0);
  });

  it('gives genres weighted by rank, from Spotify (extended) or MusicBrainz (development)', async () => {
    const res = await agent.get('/api/me/genres').query({ range: 'medium_term' }).expect(200);
    expect(res.body.method).toMatch(/rank/);
    expect(res.body.source).toBe(profile === 'extended' ? 'spotify' : 'musicbrainz');
    const genres = res.body.genres as { name: string; weight: number; share: number }[];
    expect(genres.length).toBeGreaterThan(3);
    for (let i = 1; i < genres.length; i++) expect(genres[i - 1].weight).toBeGreaterThanOrEqual(genres[i].weight);
    const total = genres.reduce((sum, g) => sum + g.share, 0);
    expect(total).toBeLessThanOrEqual(1.0000001);
  });

  it('shows the taste profile, hides popularity where the profile drops it, and suggests new artists', async () => {
    const s = (await agent.get('/api/me/summary').expect(200)).body;
    expect(s.features.available).toBe(true);
    expect(s.ranges.short_term.taste.energy).toBeGreaterThan(0);
    expect(s.ranges.short_term.taste.tracks_with_features).toBeGreaterThan(40);
    if (profile === 'development') {
      expect(s.ranges.medium_term.mainstream).toBeNull();
      expect(s.popularity.available).toBe(false);
      expect(s.ranges.medium_term.artists[0].popularity).toBeNull();
    } else {
      expect(s.ranges.medium_term.mainstream).toBeGreaterThan(0);
      expect(s.popularity.available).toBe(true);
    }
    const tops = new Set(RANGES.flatMap((r) => s.ranges[r].artists.map((a: { id: string }) => a.id)));
    const suggested = s.discovery.flatMap((d: { artists: { id: string }[] }) => d.artists.map((a) => a.id));
    expect(suggested.length).toBeGreaterThan(0);
    for (const id of suggested) expect(tops.has(id)).toBe(false);
    expect(s.ranges.medium_term.decades.length).toBeGreaterThan(0);
  });

  it('answers every /api/me endpoint and range, and rejects bad parameters with 400', async () => {
    for (const r of RANGES) {
      for (const type of ['artists', 'tracks']) {
        const res = await agent.get('/api/me/top').query({ type, range: r }).expect(200);
        expect(res.body.items).toHaveLength(50);
        expect(res.body.range).toBe(r);
      }
      await agent.get('/api/me/genres').query({ range: r }).expect(200);
    }
    const recent = await agent.get('/api/me/recent').expect(200);
    expect(recent.body.items[0]).toMatchObject({ played_at: expect.any(String), track: { name: expect.any(String) } });
    const bad = await agent.get('/api/me/top').query({ range: 'forever' }).expect(400);
    expect(bad.body.error.code).toBe('invalid_query');
    await agent.get('/api/me/top').query({ type: 'albums' }).expect(400);
  });

  it('renders the dashboard for each range with the listener’s top items', async () => {
    const s = (await agent.get('/api/me/summary').expect(200)).body;
    for (const r of RANGES) {
      const page = await agent.get('/dashboard').query({ range: r }).expect(200);
      expect(page.text).toContain(`data-range="${r}" aria-current="page"`);
      const first = s.ranges[r].artists[0];
      expect(page.text).toContain(`href="/artists/${first.id}"`);
      expect(page.text).toContain('id="chart-genres"');
    }
  });
});

describe('movement between visits', () => {
  it('keeps a daily snapshot and shows rank changes since the last visit and what is new this month', async () => {
    const t = await startTestApp();
    try {
      const agent = t.agent();
      await login(t, agent, 'ava.demo');
      const first = (await agent.get('/api/me/summary').expect(200)).body;
      expect(first.movement.previous_date).toBeNull();
      const userId = first.user.id;
      const repo = new DashboardRepository(t.store);
      const [today] = await repo.recentDaily(userId, 1);
      expect(today.date).toBe(new Date().toISOString().slice(0, 10));
      const day = (n: number) => new Date(Date.now() - n * 86400_000).toISOString().slice(0, 10);
      const mid = first.ranges.medium_term.artists.map((a: { id: string; name: string }) => ({ id: a.id, name: a.name }));
      // Yesterday the first two were swapped; three weeks ago only the back half of today's short-term list was known.
      await repo.putDaily(userId, { date: day(1), ranges: { ...today.ranges, medium_term: { artists: [mid[1], mid[0], ...mid.slice(2)], tracks: [] } } });
      const short = first.ranges.short_term.artists.map((a: { id: string; name: string }) => ({ id: a.id, name: a.name }));
      await repo.putDaily(userId, { date: day(21), ranges: { short_term: { artists: short.slice(25), tracks: first.ranges.short_term.tracks.map((x: { id: string; name: string }) => ({ id: x.id, name: x.name })) }, medium_term: { artists: [], tracks: [] }, long_term: { artists: [], tracks: [] } } });

      const s = (await agent.get('/api/me/summary').query({ refresh: 1 }).expect(200)).body;
      expect(s.movement.previous_date).toBe(day(1));
      expect(s.movement.month_ago_date).toBe(day(21));
      const changes = s.movement.rank_changes.medium_term;
      expect(changes[0]).toMatchObject({ id: mid[0].id, rank: 1, previous_rank: 2 });
      expect(changes[1]).toMatchObject({ id: mid[1].id, rank: 2, previous_rank: 1 });
      expect(s.movement.new_this_month.artists.map((a: { id: string }) => a.id)).toEqual(short.slice(0, 25).map((a: { id: string }) => a.id));
      const page = await agent.get('/dashboard').query({ range: 'medium_term' }).expect(200);
      expect(page.text).toContain('Since your last visit');
      expect(page.text).toMatch(/class="move up">▲ 1</);
    } finally {
      await t.close();
    }
  });
});

describe('personal API tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('creates a token shown once, stores only its hash, lets a script read the summary, and revokes it', async () => {
    const agent = t.agent();
    await login(t, agent, 'marcus.demo');
    const token = await createToken(agent, 'my script');
    expect(token).toMatch(/^sda_/);

    const items = (await t.store.doc.send(new ScanCommand({ TableName: t.store.tables.app }))).Items ?? [];
    expect(JSON.stringify(items)).not.toContain(token);
    const byHash = await t.store.doc.send(new GetCommand({ TableName: t.store.tables.app, Key: { pk: `APITOKEN#${hashToken(token)}`, sk: 'TOKEN' } }));
    expect(byHash.Item).toBeDefined();

    const res = await request(t.url).get('/api/me/summary').set('Authorization', `Bearer ${token}`).expect(200);
    expect(res.body.user.display_name).toMatch(/Marcus/);
    const page = await agent.get('/settings').expect(200);
    expect(page.text).toContain('my script');
    expect(page.text).not.toMatch(/<td>never<\/td>\s*<td>/); // last used is set now

    const wrong = await request(t.url).get('/api/me/summary').set('Authorization', 'Bearer sda_not-a-real-token').expect(401);
    expect(wrong.body.error.code).toBe('invalid_token');

    const tokenId = /action="\/settings\/tokens\/([0-9a-f-]+)\/revoke"/.exec(page.text)![1];
    await agent.post(`/settings/tokens/${tokenId}/revoke`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    const revoked = await request(t.url).get('/api/me/summary').set('Authorization', `Bearer ${token}`).expect(401);
    expect(revoked.body.error.code).toBe('invalid_token');
  });

  it('answers 401 with a code when no credentials are given', async () => {
    const res = await request(t.url).get('/api/me/top').expect(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('keeps two listeners’ data apart', async () => {
    const ava = t.agent();
    const rin = t.agent();
    await login(t, ava, 'ava.demo');
    await login(t, rin, 'rin.demo');
    const a = (await ava.get('/api/me/top').query({ type: 'artists', range: 'long_term' }).expect(200)).body.items;
    const r = (await rin.get('/api/me/top').query({ type: 'artists', range: 'long_term' }).expect(200)).body.items;
    expect(a.map((x: { id: string }) => x.id)).not.toEqual(r.map((x: { id: string }) => x.id));
    const ra = (await ava.get('/api/me/summary').expect(200)).body;
    const rr = (await rin.get('/api/me/summary').expect(200)).body;
    expect(ra.user.id).not.toBe(rr.user.id);
    const rinToken = await createToken(rin, 'rin');
    const viaToken = (await request(t.url).get('/api/me/summary').set('Authorization', `Bearer ${rinToken}`).expect(200)).body;
    expect(viaToken.user.id).toBe(rr.user.id);
  });

  it('shows an empty state for a new account with no top items', async () => {
    const agent = t.agent();
    await login(t, agent, 'newcomer.demo');
    const s = (await agent.get('/api/me/summary').expect(200)).body;
    expect(s.ranges.medium_term.artists).toEqual([]);
    const page = await agent.get('/dashboard').expect(200);
    expect(page.text).toContain('id="empty-state"');
  });

  it('gives API callers 401 reauth_required when Spotify rejects the refresh token', async () => {
    const tt = await startTestApp({ sandboxOptions: { tokenTtlSeconds: 1 } });
    try {
      const agent = tt.agent();
      await login(tt, agent, 'ava.demo');
      const token = await createToken(agent, 'cron');
      tt.sandbox.revokeListener('ava.demo');
      await new Promise((r) => setTimeout(r, 1100));
      const res = await request(tt.url).get('/api/me/summary').query({ refresh: 1 }).set('Authorization', `Bearer ${token}`).expect(401);
      expect(res.body.error.code).toBe('reauth_required');
    } finally {
      await tt.close();
    }
  });
});
