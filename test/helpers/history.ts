import request from 'supertest';
import { createApiToken, login, type TestApp } from './harness';

export type Ext = Record<string, unknown>;

/** An extended-history entry; `ts` is the end of the play (UTC). */
export function ext(ts: string, track: string | null, artist: string, ms: number, extra: Ext = {}): Ext {
  return {
    ts, platform: 'Android OS 13 API 33 (Google, Pixel 7)', ms_played: ms, conn_country: 'DE', ip_addr: '192.0.2.1',
    master_metadata_track_name: track, master_metadata_album_artist_name: track ? artist : null,
    master_metadata_album_album_name: track ? `${artist} LP` : null,
    spotify_track_uri: track ? `spotify:track:${(track + artist).replace(/[^A-Za-z0-9]/g, 'x').padEnd(22, '0').slice(0, 22)}` : null,
    episode_name: null, episode_show_name: null, spotify_episode_uri: null,
    audiobook_title: null, audiobook_uri: null, audiobook_chapter_uri: null, audiobook_chapter_title: null,
    reason_start: 'clickrow', reason_end: 'trackdone', shuffle: false, skipped: false, offline: false, offline_timestamp: null, incognito_mode: false,
    ...extra,
  };
}

export async function waitForJob(t: TestApp, token: string, id: string) {
  for (let i = 0; i < 200; i++) {
    const res = await request(t.url).get(`/api/me/history/imports/${id}`).set('Authorization', `Bearer ${token}`).expect(200);
    if (res.body.status === 'done' || res.body.status === 'failed') return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('import did not finish');
}

export async function upload(t: TestApp, token: string, name: string, data: Buffer | string) {
  const res = await request(t.url)
    .post('/api/me/history/imports')
    .set('Authorization', `Bearer ${token}`)
    .attach('file', Buffer.isBuffer(data) ? data : Buffer.from(data), name)
    .expect(202);
  expect(res.body).toEqual({ id: expect.any(String), status: 'queued' });
  return waitForJob(t, token, res.body.id);
}

export async function tokenFor(t: TestApp, listener: string): Promise<string> {
  const agent = t.agent();
  await login(t, agent, listener);
  return createApiToken(agent, 'test');
}

export const stats = async (t: TestApp, token: string, q: Record<string, string> = {}) =>
  (await request(t.url).get('/api/me/history/stats').query(q).set('Authorization', `Bearer ${token}`).expect(200)).body;

