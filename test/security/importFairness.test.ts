import request from 'supertest';
import { startTestApp, type TestApp } from '../helpers/harness';
import { ext, tokenFor, waitForJob } from '../helpers/history';

jest.setTimeout(180_000);

/** Queues an upload and returns its job id at once (the import runs in the background). */
async function queue(t: TestApp, token: string, name: string, plays: unknown[]): Promise<string> {
  const res = await request(t.url).post('/api/me/history/imports').set('Authorization', `Bearer ${token}`).attach('file', Buffer.from(JSON.stringify(plays)), name).expect(202);
  return res.body.id as string;
}

const playsOf = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ext(new Date(Date.UTC(2020, 0, 1) + i * 240_000).toISOString().replace('.000', ''), `${tag} song ${i % 500}`, `${tag} artist ${i % 50}`, 180_000));

describe('imports are queued per person, fairly', () => {
  let t: TestApp;
  beforeAll(async () => {
    // One import at a time in all, so the order in which jobs run is the order in which they end.
    t = await startTestApp({ env: { IMPORT_CONCURRENCY: '1' } });
  });
  afterAll(() => t.close());

  it("one person's three queued imports do not hold back another person's one: B's runs before A's second and third", async () => {
    const a = await tokenFor(t, 'ava.demo');
    const b = await tokenFor(t, 'marcus.demo');
    // A's first import is large, so everything below is queued while it runs.
    const a1 = await queue(t, a, 'Streaming_History_Audio_2020.json', playsOf(20_000, 'a1'));
    const a2 = await queue(t, a, 'Streaming_History_Audio_2021.json', playsOf(50, 'a2'));
    const a3 = await queue(t, a, 'Streaming_History_Audio_2022.json', playsOf(50, 'a3'));
    const b1 = await queue(t, b, 'Streaming_History_Audio_2020.json', playsOf(50, 'b1'));
    for (const [token, id] of [[a, a1], [a, a2], [a, a3], [b, b1]]) expect((await waitForJob(t, token, id)).status).toBe('done');
    const order = t.logs
      .filter((l) => l.includes('history import done'))
      .map((l) => JSON.parse(l).job as string)
      .filter((id) => [a1, a2, a3, b1].includes(id));
    expect(order).toEqual([a1, b1, a2, a3]);
  });
});
