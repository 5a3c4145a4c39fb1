import request from 'supertest';
import { artistKey } from '../../src/history/personalKeys';
import { FAULT_PASS, type SandboxProfile } from '../../src/sandbox';
import type { CatalogTrack } from '../../src/sandbox/catalog';
import { accountId } from '../../src/sandbox/objects';
import { createApiToken, csrfFrom, login, parseForm, startTestApp, type TestApp } from '../helpers/harness';
import { ext, upload } from '../helpers/history';

jest.setTimeout(120_000);

const MIN = 60_000;
type Agent = ReturnType<TestApp['agent']>;
interface SandboxList { id: string; owner: string; name: string; description: string; public: boolean; tracks: { id: string; name: string }[] }

/** The sandbox's playlists, newest first. */
const sandboxPlaylists = async (t: TestApp): Promise<SandboxList[]> => (await request(t.sandbox.url).get('/_sandbox/playlists').expect(200)).body.playlists;
const calls = async (t: TestApp) => (await request(t.sandbox.url).get('/_sandbox/stats').expect(200)).body.by_endpoint as Record<string, number>;
const resetCalls = (t: TestApp) => request(t.sandbox.url).post('/_sandbox/stats/reset').expect(200);

/** Follows the consent round trip a page starts: app → sandbox consent page → approve (or cancel) → app callback. */
async function consent(t: TestApp, agent: Agent, consentPath: string, decision: 'approve' | 'deny' = 'approve', listener = 'ava.demo') {
  const start = await agent.get(consentPath).expect(302);
  const authorize = new URL(start.headers.location as string);
  const page = await request(authorize.origin).get(authorize.pathname + authorize.search).expect(200);
  const form = parseForm(page.text);
  const answer = await request(authorize.origin).post('/authorize').type('form').send({ ...form.fields, decision, listener }).expect(302);
  const callback = new URL(answer.headers.location as string);
  const back = await agent.get(callback.pathname + callback.search).expect(302);
  return { scopeAsked: authorize.searchParams.get('scope') ?? '', state: authorize.searchParams.get('state'), next: back.headers.location as string };
}

describe.each(['development', 'extended'] as SandboxProfile[])('playlists from your listening (%s profile)', (profile) => {
  let t: TestApp;
  let agent: Agent;
  let token: string;
  const userId = accountId('ava.demo');
  // Catalog tracks (real ids and names, so Spotify's add and search know them), single-artist and uniquely named.
  let withIds: CatalogTrack[];
  let byName: CatalogTrack[];
  const artistOf = (tr: CatalogTrack) => t.sandbox.catalog.artists.get(tr.artistIds[0])!.name;

  beforeAll(async () => {
    t = await startTestApp({ sandboxOptions: { profile }, env: { SPOTIFY_API_PROFILE: profile } });
    const names = new Map<string, number>();
    for (const tr of t.sandbox.catalog.tracks.values()) names.set(tr.name.toLowerCase(), (names.get(tr.name.toLowerCase()) ?? 0) + 1);
    const usable = [...t.sandbox.catalog.tracks.values()].filter((tr) => tr.artistIds.length === 1 && names.get(tr.name.toLowerCase()) === 1 && /^[\w .'-]+$/.test(tr.name));
    withIds = usable.slice(0, 160);
    byName = usable.slice(160, 162);
    agent = t.agent();
    await login(t, agent, 'ava.demo');
    token = await createApiToken(agent, 'playlists');
    // January 2024: 160 tracks with ids, one play each, longer plays first (so the order is known).
    const extended = withIds.map((tr, i) => ({
      ...ext(new Date(Date.UTC(2024, 0, 1) + i * 3 * MIN * 60).toISOString().replace('.000', ''), tr.name, artistOf(tr), (400 - i) * 1000),
      spotify_track_uri: `spotify:track:${tr.id}`,
    }));
    expect(await upload(t, token, 'Streaming_History_Audio_2024_0.json', JSON.stringify(extended))).toMatchObject({ status: 'done', plays_added: 160 });
    // March 2024, account data (no ids): two catalog tracks and one Spotify has never heard of, five plays each.
    const account = [...byName.map((tr) => ({ trackName: tr.name, artistName: artistOf(tr) })), { trackName: 'No Such Song Anywhere', artistName: 'Nobody Band' }]
      .flatMap((x, k) => Array.from({ length: 5 }, (_, j) => ({ endTime: `2024-03-0${k + 1} 1${j}:00`, ...x, msPlayed: (5 - k) * MIN })));
    expect(await upload(t, token, 'StreamingHistory_music_0.json', JSON.stringify(account))).toMatchObject({ status: 'done', plays_added: 15 });
  });
  afterAll(() => t.close());

  it('the forms: dashboard, history period, personal artist page and taste section each post their source and fields', async () => {
    const formOf = (html: string, id: string) => {
      const m = new RegExp(`<form method="post" action="/playlists" class="playlist-form" id="${id}">([\\s\\S]*?)</form>`).exec(html);
      if (!m) throw new Error(`no form ${id}`);
      return m[1];
    };
    const dash = formOf((await agent.get('/dashboard?range=long_term&loaded=1').expect(200)).text, 'playlist-form-dashboard');
    expect(dash).toContain('name="source" value="dashboard"');
    expect(dash).toContain('name="range" value="long_term"');
    expect(dash).toContain('name="return_to" value="/dashboard?range=long_term&amp;loaded=1"');
    expect(dash).not.toContain('name="by"');
    const history = (await agent.get('/history?period=2024').expect(200)).text;
    const top = formOf(history, 'playlist-form-history');
    expect(top).toContain('name="source" value="history"');
    expect(top).toContain('name="period" value="2024"');
    expect(top).toContain('<option value="minutes">minutes</option>');
    const taste = formOf(history, 'playlist-form-taste');
    expect(taste).toContain('name="source" value="taste"');
    expect(taste).toContain('type="month" name="month" value="2024-12"');
    expect(taste).toContain('<option value="energy" selected>energy</option>');
    const key = artistKey(artistOf(withIds[0]));
    const artist = formOf((await agent.get(`/me/artists/${key}?period=2024-01`).expect(200)).text, 'playlist-form-artist');
    expect(artist).toContain(`name="key" value="${key}"`);
    expect(artist).toContain('name="period" value="2024-01"');
  });

  it('login asks only for the minimal scope; the form needs a CSRF token and valid parameters', async () => {
    expect((await t.services.users.getTokens(userId))!.scope.split(' ')).not.toContain('playlist-modify-private');
    await agent.post('/playlists').type('form').send({ source: 'history', n: 10, period: 'all' }).expect(403);
    const csrf = csrfFrom((await agent.get('/history?period=all').expect(200)).text);
    const bad = async (fields: Record<string, string>, code: string) => {
      const res = await agent.post('/playlists').type('form').set('Accept', 'text/html').send({ _csrf: csrf, ...fields }).expect(400);
      expect(res.type).toBe('text/html');
      expect(res.text).toContain(code);
    };
    await bad({ source: 'nope', n: '10' }, 'unknown_source');
    await bad({ source: 'history', n: '0' }, 'invalid_playlist_request');
    await bad({ source: 'history', n: '201' }, 'invalid_playlist_request');
    await bad({ source: 'history', n: 'ten' }, 'invalid_playlist_request');
    await bad({ source: 'history', n: '10', by: 'loudness' }, 'invalid_playlist_request');
    await bad({ source: 'history', n: '10', period: '2024-13' }, 'invalid_playlist_params');
    await bad({ source: 'artist', n: '10', key: 'not-a-key' }, 'invalid_playlist_params');
    await bad({ source: 'taste', n: '10', feature: 'energy' }, 'invalid_playlist_params');
    await bad({ source: 'history', n: '10', return_to: '//evil.example/' }, 'invalid_playlist_request');
    await bad({ source: 'history', n: '10', period: '2023' }, 'empty_selection');
    // Nothing was sent to Spotify's playlist endpoints.
    expect(await sandboxPlaylists(t)).toEqual([]);
  });

  it('missing scope: the form goes through consent for playlist-modify-private and comes back to make the playlist (150 tracks: 2 add requests; 2 matched by name, 1 skipped)', async () => {
    const csrf = csrfFrom((await agent.get('/history?period=all').expect(200)).text);
    const posted = await agent.post('/playlists').type('form')
      .send({ _csrf: csrf, source: 'history', n: '150', by: 'plays', period: 'all', return_to: '/history?period=all' }).expect(303);
    expect(posted.headers.location).toBe(`${t.url}/auth/spotify/consent?scope=playlist-modify-private`);
    expect(await sandboxPlaylists(t)).toEqual([]);
    await resetCalls(t);

    const round = await consent(t, agent, '/auth/spotify/consent?scope=playlist-modify-private');
    expect(round.scopeAsked.split(' ').sort()).toEqual(['playlist-modify-private', 'user-read-email', 'user-read-private', 'user-read-recently-played', 'user-top-read']);
    expect(round.state).toEqual(expect.any(String));
    expect(round.next).toBe('/playlists/resume');
    // The stored scope is what Spotify granted this time.
    expect((await t.services.users.getTokens(userId))!.scope.split(' ')).toContain('playlist-modify-private');

    const resumed = await agent.get('/playlists/resume').expect(303);
    expect(resumed.headers.location).toMatch(/^\/playlists\/made\/[\w-]+\?back=%2Fhistory%3Fperiod%3Dall$/);
    const page = await agent.get(resumed.headers.location as string).expect(200);
    expect(page.text).toContain('id="playlist-name">My top 150 · all time<');
    expect(page.text).toContain('Made by Spotify Data App from your listening history: your most played tracks by plays, all time');
    expect(page.text).toMatch(/id="playlist-added">149</);
    expect(page.text).toMatch(/id="playlist-matched">2</);
    expect(page.text).toMatch(/id="playlist-skipped">1</);
    expect(page.text).toContain('No Such Song Anywhere');
    expect(page.text).toContain('href="/history?period=all" id="playlist-back"');

    const [made] = await sandboxPlaylists(t);
    expect(made).toMatchObject({ owner: 'ava.demo', name: 'My top 150 · all time', public: false });
    // Most played first: the three March tracks (five plays each; the unknown one skipped), then January's by play length.
    expect(made.tracks.map((x) => x.id)).toEqual([...byName.map((x) => x.id), ...withIds.slice(0, 147).map((x) => x.id)]);
    expect(page.text).toContain(`/sandbox/playlists/${made.id}`);
    const by = await calls(t);
    expect(by['POST /v1/me/playlists']).toBe(1);
    expect(by['POST /v1/playlists/{id}/items']).toBe(2);
    expect(by['GET /v1/search']).toBe(3);

    // The pending request was used once: coming back again makes nothing.
    await agent.get('/playlists/resume').expect(404);
    // With the scope granted, the next playlist is made at once.
    const csrf2 = csrfFrom((await agent.get('/dashboard?range=short_term&loaded=1').expect(200)).text);
    const direct = await agent.post('/playlists').type('form').send({ _csrf: csrf2, source: 'dashboard', range: 'short_term', n: '10', return_to: '/dashboard?range=short_term' }).expect(303);
    expect(direct.headers.location).toMatch(/^\/playlists\/made\//);
    const [dash] = await sandboxPlaylists(t);
    expect(dash.name).toBe('My top 10 · last 4 weeks');
    expect(dash.description).toMatch(/^Made by Spotify Data App from your top tracks, 4 weeks to \d{4}-\d{2}-\d{2}$/);
    expect(dash.tracks).toHaveLength(10);
  });

  it('cancelling on the consent page makes nothing and says so', async () => {
    const other = t.agent();
    await login(t, other, 'marcus.demo');
    const csrf = csrfFrom((await other.get('/dashboard?range=long_term&loaded=1').expect(200)).text);
    const before = (await sandboxPlaylists(t)).length;
    const posted = await other.post('/playlists').type('form').send({ _csrf: csrf, source: 'dashboard', range: 'long_term', n: '25', return_to: '/dashboard' }).expect(303);
    const round = await consent(t, other, new URL(posted.headers.location as string).pathname + '?scope=playlist-modify-private', 'deny', 'marcus.demo');
    expect(round.next).toBe('/playlists/declined?reason=denied&back=%2Fdashboard');
    const page = await other.get(round.next).expect(403);
    expect(page.text).toContain('You cancelled on the Spotify consent page, so no playlist was made.');
    expect(await sandboxPlaylists(t)).toHaveLength(before);
  });

  it('the API: 403 consent_required with a consent URL for a token without the scope; 201 with counts once granted; 400s for bad input', async () => {
    const marcusAgent = t.agent();
    await login(t, marcusAgent, 'marcus.demo');
    const marcus = await createApiToken(marcusAgent, 'script');
    const api = (tok: string, body: Record<string, unknown>) => request(t.url).post('/api/me/playlists').set('Authorization', `Bearer ${tok}`).send(body);
    const denied = await api(marcus, { source: 'dashboard', range: 'medium_term', n: 10 }).expect(403);
    expect(denied.body.error).toMatchObject({ code: 'consent_required', scope: 'playlist-modify-private', consent_url: `${t.url}/auth/spotify/consent?scope=playlist-modify-private` });
    expect((await api(marcus, { source: 'mixtape', n: 10 }).expect(400)).body.error.code).toBe('unknown_source');
    // A registered source checks its own fields: the blend needs a friend.
    expect((await api(marcus, { source: 'blend', n: 10 }).expect(400)).body.error.code).toBe('invalid_playlist_params');
    expect((await api(marcus, { source: 'history', n: 1000 }).expect(400)).body.error.code).toBe('invalid_playlist_request');

    // Ava granted the scope above: her script gets the playlist, with the same counts the page shows.
    const made = await api(token, { source: 'history', period: '2024-03', n: 10, by: 'minutes' }).expect(201);
    expect(made.body).toMatchObject({ source: 'history', selected: 3, added: 2, matched: 2, skipped: 1, complete: true, skipped_tracks: [{ name: 'No Such Song Anywhere', artist: 'Nobody Band' }] });
    expect(made.body.playlist.name).toBe('My top 3 · March 2024');
    expect(made.body.playlist.description).toBe('Made by Spotify Data App from your listening history: your most played tracks by listening time, 2024-03-01 to 2024-03-31');
    expect((await request(t.url).get(`/api/me/playlists/${made.body.id}`).set('Authorization', `Bearer ${token}`).expect(200)).body).toEqual(made.body);
    await request(t.url).get(`/api/me/playlists/${made.body.id}`).set('Authorization', `Bearer ${marcus}`).expect(404);
  });

  it('a stored scope Spotify no longer honours: the sandbox\'s 403 Insufficient client scope becomes consent_required, and nothing is made', async () => {
    const bob = t.agent();
    await login(t, bob, 'marcus.demo');
    const marcus = await createApiToken(bob, 'stale');
    const id = accountId('marcus.demo');
    const tokens = (await t.services.users.getTokens(id))!;
    // The stored scope claims the playlist scope; the access token the sandbox issued does not have it.
    await t.services.users.saveTokens(id, { ...tokens, scope: `${tokens.scope} playlist-modify-private` });
    await resetCalls(t);
    const before = (await sandboxPlaylists(t)).length;
    const res = await request(t.url).post('/api/me/playlists').set('Authorization', `Bearer ${marcus}`).send({ source: 'dashboard', n: 10 }).expect(403);
    expect(res.body.error.code).toBe('consent_required');
    expect((await calls(t))['POST /v1/me/playlists']).toBe(1);
    expect(await sandboxPlaylists(t)).toHaveLength(before);
  });

  it('an artist page\'s top tracks, and a month\'s tracks with energy ≥ 0.7', async () => {
    const first = withIds[0];
    const artist = artistOf(first);
    const mine = withIds.filter((x) => artistOf(x) === artist);
    const res = await request(t.url).post('/api/me/playlists').set('Authorization', `Bearer ${token}`).send({ source: 'artist', key: artistKey(artist), n: 25 }).expect(201);
    expect(res.body.playlist.name).toBe(`My top ${mine.length} · ${artist}`);
    const [made] = await sandboxPlaylists(t);
    expect(made.tracks.map((x) => x.id)).toEqual(mine.slice(0, 25).map((x) => x.id));

    // Features come from the configured provider in the background (Spotify or the ReccoBeats stand-in).
    await request(t.url).get('/api/me/history/taste').set('Authorization', `Bearer ${token}`).expect(200);
    await t.services.taste.settled(userId);
    const energetic = withIds.filter((x) => (x.features?.energy ?? -1) >= 0.7);
    expect(energetic.length).toBeGreaterThan(0);
    const taste = await request(t.url).post('/api/me/playlists').set('Authorization', `Bearer ${token}`)
      .send({ source: 'taste', month: '2024-01', feature: 'energy', min: 0.7, n: 50, by: 'plays' }).expect(201);
    expect(taste.body.playlist.name).toBe(`My top ${Math.min(50, energetic.length)} · January 2024 · energy ≥ 0.7`);
    const [moody] = await sandboxPlaylists(t);
    expect(moody.tracks.map((x) => x.id)).toEqual(energetic.slice(0, 50).map((x) => x.id));
  });

  it('Spotify faults: a 429 on create is waited out (one playlist); a 500 on create is not re-sent; a 500 on adding is checked, then re-sent once', async () => {
    const api = () => request(t.url).post('/api/me/playlists').set('Authorization', `Bearer ${token}`).send({ source: 'history', period: '2024-01', n: 120 });
    // Only id'd tracks in January: the requests are create, then items.
    t.sandbox.faults.failNext(1, 429);
    await resetCalls(t);
    await api().expect(201);
    expect((await calls(t))['POST /v1/me/playlists']).toBe(2);
    expect((await sandboxPlaylists(t))[0].tracks).toHaveLength(120);

    const before = (await sandboxPlaylists(t)).length;
    t.sandbox.faults.failNext(1, 500);
    await resetCalls(t);
    const unclear = await api().expect(502);
    expect(unclear.body.error.code).toBe('playlist_uncertain');
    expect(unclear.body.error.message).toContain('Look in your Spotify library before trying again');
    expect((await calls(t))['POST /v1/me/playlists']).toBe(1);
    expect(await sandboxPlaylists(t)).toHaveLength(before);

    t.sandbox.faults.failNext(1, FAULT_PASS);
    t.sandbox.faults.failNext(1, 500);
    await resetCalls(t);
    const res = await api().expect(201);
    expect(res.body).toMatchObject({ added: 120, complete: true });
    const by = await calls(t);
    expect(by['POST /v1/playlists/{id}/items']).toBe(3); // 100 (500) + 100 again + 20
    expect(by['GET /v1/playlists/{id}/items']).toBe(1); // the look before sending again
    expect((await sandboxPlaylists(t))[0].tracks.map((x) => x.id)).toEqual(withIds.slice(0, 120).map((x) => x.id));
  });
});

describe('playlist creation is rate-limited per person', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PLAYLISTS_PER_HOUR: '2' } });
  });
  afterAll(() => t.close());

  it('the third playlist in an hour is a 429; bad requests do not count', async () => {
    const agent = t.agent();
    await login(t, agent, 'ava.demo');
    const token = await createApiToken(agent, 'x');
    const id = accountId('ava.demo');
    const tokens = (await t.services.users.getTokens(id))!;
    // Grant the scope the quick way: log in through consent.
    const round = await consent(t, agent, '/auth/spotify/consent?scope=playlist-modify-private');
    expect(round.next).toBe('/dashboard');
    expect((await t.services.users.getTokens(id))!.scope).not.toBe(tokens.scope);
    const api = (body: Record<string, unknown>) => request(t.url).post('/api/me/playlists').set('Authorization', `Bearer ${token}`).send(body);
    await api({ source: 'nope' }).expect(400);
    await api({ source: 'dashboard', n: 5 }).expect(201);
    await api({ source: 'dashboard', n: 5 }).expect(201);
    const limited = await api({ source: 'dashboard', n: 5 }).expect(429);
    expect(limited.body.error.code).toBe('rate_limited');
  });
});
