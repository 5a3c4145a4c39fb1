import request from 'supertest';
import { buildExportZip, exportFixtureBytes, loadExportFixture } from '../helpers/fixtures';
import { createApiToken, csrfFrom, login, startTestApp, type TestApp } from '../helpers/harness';
import { stats, upload } from '../helpers/history';

jest.setTimeout(60_000);

const SHOW = 'The Tidewater Hour';

describe('podcasts in old account data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('mixed-podcasts: entries of StreamingHistoryN.json whose artist is a show of the person\'s own podcast files are episodes, and the page says how many', async () => {
    const agent = t.agent();
    await login(t, agent, 'ava.demo');
    const token = await createApiToken(agent, 'podcasts');
    const mixed = loadExportFixture('mixed-podcasts');
    const showEntries = mixed.filter((e) => e.artistName === SHOW);
    expect(showEntries.length).toBeGreaterThan(0);

    // Alone, the old file cannot tell: the show counts as an artist.
    await upload(t, token, 'StreamingHistory0.json', exportFixtureBytes('mixed-podcasts'));
    const alone = await stats(t, token);
    expect(alone.top_artists.map((a: { name: string }) => a.name)).toContain(SHOW);
    expect(alone.reclassified).toEqual({ entries: 0, names: [] });

    // With the person's podcast file (the same upload or a later one), the show is known: its entries are episodes.
    const job = await upload(t, token, 'my_spotify_data.zip', buildExportZip(['mixed-podcasts', 'split-podcast']));
    expect(job.status).toBe('done');
    const s = await stats(t, token);
    expect(s.reclassified).toEqual({ entries: showEntries.length, names: [{ name: SHOW, entries: showEntries.length, source: 'podcast_files' }] });
    expect(s.top_artists.map((a: { name: string }) => a.name)).not.toContain(SHOW);
    expect(s.entries).toBe(mixed.length - showEntries.length);
    const podcastMs = loadExportFixture('split-podcast').reduce((sum, e) => sum + Number(e.msPlayed), 0);
    expect(s.episodes.ms_played).toBe(podcastMs + showEntries.reduce((sum, e) => sum + Number(e.msPlayed), 0));
    const page = (await agent.get('/history').expect(200)).text;
    expect(page).toContain(`${showEntries.length} entries that came as music are counted as podcast episodes`);

    // The person moves it back to music, and again to podcasts: every statistic follows.
    await request(t.url).put('/api/me/history/podcasts').set('Authorization', `Bearer ${token}`).send({ name: SHOW, as: 'music' }).expect(200);
    const back = await stats(t, token);
    expect(back.reclassified.entries).toBe(0);
    expect(back.top_artists.map((a: { name: string }) => a.name)).toContain(SHOW);
    expect(back.entries).toBe(mixed.length);
    const form = (await agent.get('/history').expect(200)).text;
    await agent.post('/history/podcasts').type('form').send({ _csrf: csrfFrom(form), name: SHOW, as: 'podcast' }).expect(303);
    expect((await stats(t, token)).reclassified).toEqual({ entries: showEntries.length, names: [{ name: SHOW, entries: showEntries.length, source: 'you' }] });
  });

  it('any "artist" can be moved to podcasts by the person, even without podcast files, and back', async () => {
    const token = await (async () => {
      const agent = t.agent();
      await login(t, agent, 'marcus.demo');
      return createApiToken(agent, 'podcasts');
    })();
    await upload(t, token, 'StreamingHistory_music_0.json', exportFixtureBytes('split-music'));
    const before = await stats(t, token);
    await request(t.url).put('/api/me/history/podcasts').set('Authorization', `Bearer ${token}`).send({ name: 'Odile Brennan', as: 'podcast' }).expect(200);
    const moved = await stats(t, token);
    expect(moved.entries).toBe(before.entries - 1);
    expect(moved.episodes.top_shows.map((x: { name: string }) => x.name)).toEqual(['Odile Brennan']);
    await request(t.url).put('/api/me/history/podcasts').set('Authorization', `Bearer ${token}`).send({ name: 'Odile Brennan', as: 'music' }).expect(200);
    const { reclassified: _r, ...restored } = await stats(t, token);
    const { reclassified: _b, ...original } = before;
    expect(restored).toEqual(original);
    await request(t.url).put('/api/me/history/podcasts').set('Authorization', `Bearer ${token}`).send({ name: '', as: 'podcast' }).expect(400);
  });
});
