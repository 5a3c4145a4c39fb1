import { csrfFrom, login, startTestApp, type TestApp } from '../helpers/harness';
import { ext, tokenFor, upload } from '../helpers/history';

jest.setTimeout(60_000);

describe('one time zone and one date format', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('the browser zone is stored once after the first login, then every page formats dates in it, in the reader\'s locale', async () => {
    const token = await tokenFor(t, 'marcus.demo');
    await upload(t, token, 'Streaming_History_Audio_2024_0.json', JSON.stringify([ext('2024-07-01T10:00:00Z', 'Alpha', 'Band A', 200_000)]));
    const agent = t.agent();
    await login(t, agent, 'marcus.demo');
    expect((await agent.get('/api/me/time-zone').expect(200)).body).toEqual({ time_zone: 'UTC', chosen: false });
    // Until a zone is stored, pages carry the script that stores the browser's (with the CSRF token it needs).
    const first = await agent.get('/history').expect(200);
    expect(first.text).toMatch(/<script src="\/static\/js\/time-zone\.js[^"]*" data-csrf="[^"]+" defer>/);
    const csrf = /data-csrf="([^"]+)"/.exec(first.text)![1];
    await agent.post('/api/me/time-zone').send({ time_zone: 'Europe/Berlin', only_if_unset: true }).expect(403); // no CSRF token
    const stored = await agent.post('/api/me/time-zone').set('X-CSRF-Token', csrf).send({ time_zone: 'Europe/Berlin', only_if_unset: true }).expect(200);
    expect(stored.body).toEqual({ time_zone: 'Europe/Berlin', stored: true });
    // A second browser does not overwrite it; the settings page does.
    const again = await agent.post('/api/me/time-zone').set('X-CSRF-Token', csrf).send({ time_zone: 'Asia/Tokyo', only_if_unset: true }).expect(200);
    expect(again.body).toEqual({ time_zone: 'Europe/Berlin', stored: false });
    expect((await agent.post('/api/me/time-zone').set('X-CSRF-Token', csrf).send({ time_zone: 'Mars/Base' }).expect(400)).body.error.code).toBe('invalid_time_zone');

    const page = await agent.get('/history/plays').expect(200);
    expect(page.text).not.toContain('js/time-zone.js');
    expect(page.text).toContain('data-time-zone="Europe/Berlin"');
    expect(page.text).toMatch(/Jul 1, 2024, 12:00\sPM \(Europe\/Berlin\)/); // 10:00 UTC is noon in Berlin
    const german = await agent.get('/history/plays').set('Accept-Language', 'de-DE,de;q=0.9').expect(200);
    expect(german.text).toContain('01.07.2024, 12:00 (Europe/Berlin)');
    expect(german.text).toContain('data-locale="de-DE"');
    // The API's default zone is the stored one.
    expect((await agent.get('/api/me/history/stats').expect(200)).body.time_zone).toBe('Europe/Berlin');
    // Settings changes it for every page at once.
    const settings = await agent.get('/settings').expect(200);
    await agent.post('/settings/time-zone').type('form').send({ _csrf: csrfFrom(settings.text), time_zone: 'Asia/Tokyo' }).expect(303);
    expect((await agent.get('/history/plays').expect(200)).text).toMatch(/Jul 1, 2024, 7:00\sPM \(Asia\/Tokyo\)/);
  });
});
