import request from 'supertest';
import { getStats, resetStats } from '../helpers/catalog';
import { csrfFrom, login, startTestApp, type TestApp } from '../helpers/harness';
import { tokenFor, upload } from '../helpers/history';

jest.setTimeout(120_000);

type Entry = { ts: string; ms_played: number; spotify_track_uri: string | null; master_metadata_track_name: string | null; incognito_mode?: boolean };

async function importDemo(t: TestApp, listener: string) {
  const agent = t.agent();
  await login(t, agent, listener);
  const page = await agent.get('/history').expect(200);
  await agent.post('/history/demo-import').type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
  await t.services.historyImports.idle();
  return agent;
}

describe('taste over time', () => {
  let t: TestApp;
  let agent: ReturnType<TestApp['agent']>;
  let entries: Entry[];
  beforeAll(async () => {
    t = await startTestApp();
    agent = await importDemo(t, 'ava.demo');
    entries = (await request(t.sandbox.url).get('/_sandbox/listeners/ava.demo/export.json').expect(200)).body;
  });
  afterAll(() => t.close());

  it('joins the history with features fetched in full batches and genres, per month weighted by listening time', async () => {
    await resetStats(t.sandbox.url);
    await agent.get('/api/me/history/taste').expect(200);
    await t.services.taste.settled('ava.demo');
    const body = (await agent.get('/api/me/history/taste').expect(200)).body;
    expect(body.enrichment).toMatchObject({ status: 'done', tracks_pending: 0, artists_pending: 0, provider: 'reccobeats' });

    // Independently: music entries the default rules keep (private sessions left out; only exact
    // duplicate entries are one play), in UTC months.
    const seen = new Set<string>();
    const music = entries.filter((e) => {
      const key = JSON.stringify(e);
      if (!e.master_metadata_track_name || seen.has(key)) return false;
      seen.add(key);
      return !e.incognito_mode;
    });
    const ids = new Set(music.map((e) => e.spotify_track_uri!.split(':')[2]));
    const stats = await getStats(t.sandbox.url);
    expect(stats.by_endpoint['GET /reccobeats/v1/audio-features']).toBe(Math.ceil(new Set(entries.filter((e) => e.spotify_track_uri).map((e) => e.spotify_track_uri)).size / 40));

    const featuresOf = (e: Entry) => t.sandbox.catalog.tracks.get(e.spotify_track_uri!.split(':')[2])?.features ?? null;
    const total = music.reduce((s, e) => s + e.ms_played, 0);
    const withFeatures = music.filter((e) => featuresOf(e)).reduce((s, e) => s + e.ms_played, 0);
    expect(body.coverage.ms_played).toBe(total);
    expect(body.coverage.features_ms).toBe(withFeatures);
    expect(body.coverage.features_share).toBeCloseTo(withFeatures / total, 3);
    expect(body.coverage.features_share).toBeLessThan(1); // the catalog has tracks without features: reported, not dropped
    expect(body.coverage.tracks).toBe(ids.size);

    const busiest = body.periods.reduce((a: { ms: number }, b: { ms: number }) => (b.ms > a.ms ? b : a));
    const inMonth = music.filter((e) => e.ts.startsWith(busiest.period) && featuresOf(e));
    const energy = inMonth.reduce((s, e) => s + featuresOf(e)!.energy * e.ms_played, 0) / inMonth.reduce((s, e) => s + e.ms_played, 0);
    const tempo = inMonth.reduce((s, e) => s + featuresOf(e)!.tempo * e.ms_played, 0) / inMonth.reduce((s, e) => s + e.ms_played, 0);
    expect(busiest.energy).toBeCloseTo(energy, 3);
    expect(busiest.tempo).toBeCloseTo(tempo, 1);
    expect(body.periods.reduce((s: number, p: { ms: number }) => s + p.ms, 0)).toBe(total);

    // Genre shares: each month's shares add up to 1; the chart's genres are the largest overall.
    expect(body.genres.length).toBeGreaterThan(2);
    expect(body.coverage.genres_share).toBeGreaterThan(0.5);
    for (const p of body.periods.filter((x: { genres_ms: number }) => x.genres_ms > 0)) {
      expect(Object.values(p.genres as Record<string, number>).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 2);
    }
    // Most upbeat / calmest: the extremes among months with enough feature coverage.
    const solid = body.periods.filter((p: { features_ms: number; ms: number }) => p.features_ms >= 0.5 * p.ms && p.features_ms >= 1_800_000);
    expect(body.most_upbeat.valence).toBe(Math.max(...solid.map((p: { valence: number }) => p.valence)));
    expect(body.calmest.energy).toBe(Math.min(...solid.map((p: { energy: number }) => p.energy)));
  });

  it('weeks start on Mondays and add up to the same listening time; bad parameters are 400', async () => {
    const months = (await agent.get('/api/me/history/taste?from=2025-01-01&to=2025-12-31').expect(200)).body;
    const weeks = (await agent.get('/api/me/history/taste?granularity=week&from=2025-01-01&to=2025-12-31').expect(200)).body;
    for (const w of weeks.periods) expect(new Date(`${w.period}T00:00:00Z`).getUTCDay()).toBe(1);
    const sum = (b: { periods: { ms: number }[] }) => b.periods.reduce((s, p) => s + p.ms, 0);
    expect(sum(weeks)).toBe(sum(months));
    expect(months.periods.map((p: { period: string }) => p.period)).toEqual(expect.arrayContaining(['2025-01', '2025-12']));
    expect((await agent.get('/api/me/history/taste?granularity=day').expect(400)).body.error.code).toBe('invalid_query');
    expect((await agent.get('/api/me/history/taste?from=2025-13-01').expect(400)).body.error.code).toBe('invalid_date');
    await request(t.url).get('/api/me/history/taste').expect(401);
  });

  it('a second server finds every fact in DynamoDB and asks no service again', async () => {
    const other = await startTestApp({ sandbox: t.sandbox, dynamo: t.dynamo });
    try {
      const token = await tokenFor(other, 'ava.demo');
      await resetStats(t.sandbox.url);
      const first = (await request(other.url).get('/api/me/history/taste').set('Authorization', `Bearer ${token}`).expect(200)).body;
      await other.services.taste.settled('ava.demo');
      const stats = await getStats(t.sandbox.url);
      const enrichment = Object.entries(stats.by_endpoint).filter(([k]) => /reccobeats|musicbrainz|search/.test(k));
      expect(enrichment).toEqual([]);
      expect(first.coverage.features_share).toBeGreaterThan(0.9);
    } finally {
      await other.close();
    }
  });

  it('plays without a track id (account-data export) are counted as not covered', async () => {
    const token = await tokenFor(t, 'rin.demo');
    const account = [
      { endTime: '2024-02-01 10:00', artistName: 'Nobody Known', trackName: 'Untitled', msPlayed: 200_000 },
      { endTime: '2024-02-02 10:00', artistName: 'Nobody Known', trackName: 'Untitled 2', msPlayed: 100_000 },
    ];
    expect((await upload(t, token, 'StreamingHistory_music_0.json', JSON.stringify(account))).status).toBe('done');
    const get = () => request(t.url).get('/api/me/history/taste').set('Authorization', `Bearer ${token}`).expect(200);
    await get();
    await t.services.taste.settled('rin.demo');
    const body = (await get()).body;
    expect(body.coverage).toMatchObject({ ms_played: 300_000, features_ms: 0, features_share: 0, tracks: 2, tracks_without_id: 2, genres_ms: 0 });
    expect(body.periods).toEqual([expect.objectContaining({ period: '2024-02', ms: 300_000, energy: null, genres: {} })]);
    expect(body.most_upbeat).toBeNull();
  });
});

describe('taste over time without a feature provider', () => {
  it('says features are off and stores nothing', async () => {
    const t = await startTestApp({ env: { FEATURES_PROVIDER: 'none', GENRES_PROVIDER: 'none' } });
    try {
      const agent = await importDemo(t, 'marcus.demo');
      await agent.get('/api/me/history/taste').expect(200);
      await t.services.taste.settled('marcus.demo');
      const body = (await agent.get('/api/me/history/taste').expect(200)).body;
      expect(body.coverage.features_share).toBe(0);
      expect(body.enrichment.note).toMatch(/FEATURES_PROVIDER=none/);
      expect(body.periods.length).toBeGreaterThan(12);
      const facts = await t.services.store.doc.send(
        new (await import('@aws-sdk/lib-dynamodb')).ScanCommand({ TableName: t.store.tables.catalog, FilterExpression: 'begins_with(artist_id, :p)', ExpressionAttributeValues: { ':p': '#track#' } }),
      );
      expect(facts.Items).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
