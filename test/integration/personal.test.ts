import request from 'supertest';
import { albumKey, artistKey, trackNameKey } from '../../src/history/personalKeys';
import { login, startTestApp, type TestApp } from '../helpers/harness';
import { ext, tokenFor, upload } from '../helpers/history';

jest.setTimeout(60_000);

const MIN = 60_000;
// Band A's "Alpha" is in the extended history (with a Spotify id) and in account data (without one).
const EXTENDED = [
  ext('2024-01-01T10:00:00Z', 'Alpha', 'Band A', 4 * MIN),
  ext('2024-01-02T10:00:00Z', 'Alpha', 'Band A', 4 * MIN, { skipped: true }),
  ext('2024-01-02T11:00:00Z', 'Other', 'Band A', 2 * MIN),
  ext('2024-01-03T12:00:00Z', 'Beta', 'Band B', 12 * MIN),
  ext('2024-02-10T12:00:00Z', 'Beta', 'Band B', 10 * MIN),
  ext('2024-02-11T12:00:00Z', 'Alpha', 'Band A', 20 * MIN),
];
const ACCOUNT = [{ endTime: '2024-02-12 08:00', artistName: 'Band A', trackName: 'Alpha', msPlayed: 3 * MIN }];
const ALPHA_ID = (EXTENDED[0].spotify_track_uri as string).split(':')[2];

describe('personal artist, track and album pages', () => {
  let t: TestApp;
  let token: string;
  const api = (path: string) => request(t.url).get(path).set('Authorization', `Bearer ${token}`);
  beforeAll(async () => {
    t = await startTestApp();
    token = await tokenFor(t, 'ava.demo');
    expect(await upload(t, token, 'Streaming_History_Audio_2024_0.json', JSON.stringify(EXTENDED))).toMatchObject({ status: 'done', plays_added: 6 });
    expect(await upload(t, token, 'StreamingHistory_music_0.json', JSON.stringify(ACCOUNT))).toMatchObject({ status: 'done', plays_added: 1 });
  });
  afterAll(() => t.close());

  it('GET /api/me/history/artists/:key: totals, months with rank and share, top tracks and albums, skips with coverage, streak', async () => {
    const res = await api(`/api/me/history/artists/${artistKey('Band A')}`).expect(200);
    const a = res.body;
    expect(a).toMatchObject({ kind: 'artist', name: 'Band A', plays: 5, ms_played: 33 * MIN, rank: 1, first_listen: '2024-01-01T10:00:00.000Z', last_listen: '2024-02-12T08:00:00.000Z' });
    expect(a.per_month).toEqual([
      { month: '2024-01', plays: 3, ms: 10 * MIN, rank: 2, share: 10 / 22 },
      { month: '2024-02', plays: 2, ms: 23 * MIN, rank: 1, share: 23 / 33 },
    ]);
    expect(a.top_tracks.map((x: { name: string; plays: number }) => [x.name, x.plays])).toEqual([['Alpha', 4], ['Other', 1]]);
    expect(a.top_tracks[0].key).toBe(ALPHA_ID);
    expect(a.top_albums).toEqual([{ key: albumKey('Band A', 'Band A LP'), name: 'Band A LP', plays: 4, ms_played: 30 * MIN }]);
    // Four extended entries say whether they were skipped; the account-data one does not.
    expect(a.skips).toEqual({ rate: 0.25, skipped: 1, known: 4, entries: 5, coverage: 0.8 });
    expect(a.longest_streak).toEqual({ days: 2, from: '2024-01-01', to: '2024-01-02' });
    expect(a.catalog).toEqual({ artist_id: null, via_track_id: ALPHA_ID });
    expect(a.period).toMatchObject({ choice: 'all', previous: null });
  });

  it('a month or a custom range narrows the page; an artist key with a Spotify id links the catalog directly', async () => {
    const jan = (await api(`/api/me/history/artists/${artistKey('Band A')}?period=2024-01&tz=UTC`).expect(200)).body;
    expect(jan).toMatchObject({ plays: 3, ms_played: 10 * MIN, rank: 2, period: { from: '2024-01-01', to: '2024-01-31', previous: { from: '2023-12-01', to: '2023-12-31' } } });
    const custom = (await api(`/api/me/history/artists/${artistKey('Band A')}?from=2024-02-11&to=2024-02-11`).expect(200)).body;
    expect(custom).toMatchObject({ plays: 1, ms_played: 20 * MIN });
    const withId = (await api(`/api/me/history/artists/${artistKey('Band A')}-0123456789abcdefABCDEF`).expect(200)).body;
    expect(withId.catalog).toEqual({ artist_id: '0123456789abcdefABCDEF', via_track_id: null });
  });

  it('a track by its Spotify id or by its name key is the same track, plays with and without an id together', async () => {
    const byId = (await api(`/api/me/history/tracks/${ALPHA_ID}`).expect(200)).body;
    const byName = (await api(`/api/me/history/tracks/${trackNameKey('Band A', 'Alpha')}`).expect(200)).body;
    expect(byId).toMatchObject({ kind: 'track', name: 'Alpha', artist: 'Band A', artist_key: artistKey('Band A'), plays: 4, ms_played: 31 * MIN, track_ids: [ALPHA_ID] });
    expect(byName).toEqual(byId);
    const album = (await api(`/api/me/history/albums/${albumKey('Band A', 'Band A LP')}`).expect(200)).body;
    expect(album).toMatchObject({ kind: 'album', name: 'Band A LP', plays: 4 });
  });

  it('unknown keys are 404, malformed keys and periods 400, and the API needs a login', async () => {
    expect((await api(`/api/me/history/artists/${artistKey('Nobody')}`).expect(404)).body.error.code).toBe('artist_not_in_history');
    expect((await api('/api/me/history/artists/not-a-key').expect(400)).body.error.code).toBe('invalid_key');
    expect((await api('/api/me/history/tracks/short').expect(400)).body.error.code).toBe('invalid_key');
    expect((await api(`/api/me/history/artists/${artistKey('Band A')}?period=2024-13`).expect(400)).body.error.code).toBe('invalid_query');
    expect((await api(`/api/me/history/artists/${artistKey('Band A')}?from=2024-03-01&to=2024-01-01`).expect(400)).body.error.code).toBe('invalid_range');
    await request(t.url).get(`/api/me/history/artists/${artistKey('Band A')}`).expect(401);
  });

  it('top lists carry the change of rank against the previous period of the same length', async () => {
    const feb = (await api('/api/me/history/tops?period=2024-02').expect(200)).body;
    expect(feb.artists.map((a: { name: string; rank: number; change: unknown }) => [a.name, a.rank, a.change])).toEqual([['Band A', 1, 1], ['Band B', 2, -1]]);
    const jan = (await api('/api/me/history/tops?period=2024-01').expect(200)).body;
    expect(jan.artists.map((a: { change: unknown }) => a.change)).toEqual(['new', 'new']);
  });

  it('pages: history links its lists to the personal pages, which show the story and link on', async () => {
    const agent = t.agent();
    await login(t, agent, 'ava.demo');
    const history = await agent.get('/history?period=2024-02').expect(200);
    expect(history.text).toContain(`href="/me/artists/${artistKey('Band A')}"`);
    expect(history.text).toContain(`href="/me/tracks/${ALPHA_ID}"`);
    expect(history.text).toContain(`href="/me/albums/${albumKey('Band A', 'Band A LP')}"`);
    expect(history.text).toMatch(/rank-up" title="Up 1 since the period before">▲ 1</);
    expect(history.text).toContain('id="period-month" value="2024-02"');
    const page = await agent.get(`/me/artists/${artistKey('Band A')}`).expect(200);
    expect(page.text).toContain('id="personal-name">Band A<');
    expect(page.text).toContain(`href="/tracks/${ALPHA_ID}"`); // to the catalog artist, through the track
    expect(page.text).toContain(`href="/me/tracks/${ALPHA_ID}"`);
    expect(page.text).toContain('id="chart-personal-months"');
    expect(page.text).toMatch(/Skip rate over the 4 of 5 entries \(80%\)/);
    const track = await agent.get(`/me/tracks/${ALPHA_ID}?period=2024`).expect(200);
    expect(track.text).toContain(`href="/me/artists/${artistKey('Band A')}"`);
    expect(track.text).toContain('data-period="2024"');
    const missing = await agent.get(`/me/artists/${artistKey('Nobody')}`).expect(404);
    expect(missing.text).toContain('No plays of this artist in your imported history yet');
    await request(t.url).get(`/me/artists/${artistKey('Band A')}`).expect(302);
  });
});
