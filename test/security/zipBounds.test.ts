import crypto from 'node:crypto';
import { startTestApp, type TestApp } from '../helpers/harness';
import { ext, stats, tokenFor, upload } from '../helpers/history';
import { makeZip } from '../helpers/zip';

jest.setTimeout(120_000);

const MiB = 2 ** 20;
/** A history file of `bytes` that deflates to almost nothing: one real play, then spaces. */
const padded = (bytes: number) => {
  const head = JSON.stringify([ext('2023-05-01T10:00:00Z', 'Bomb Song', 'Bomb Artist', 200_000)]);
  return Buffer.concat([Buffer.from(head.slice(0, -1)), Buffer.alloc(bytes - head.length, 32), Buffer.from(']')]);
};

describe('every zip entry, and the zip as a whole, is checked before it is unpacked', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = await tokenFor(t, 'rin.demo');
  });
  afterAll(() => t.close());

  it('a 10 KB zip holding a 10 MiB entry is refused as a bomb (the ratio applies whatever the entry size)', async () => {
    const zip = makeZip([{ name: 'Spotify Extended Streaming History/Streaming_History_Audio_2023.json', data: padded(10 * MiB) }]);
    expect(zip.length).toBeLessThan(20_000);
    const before = await stats(t, token);
    const job = await upload(t, token, 'export.zip', zip);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/Streaming_History_Audio_2023\.json expands \d+× when unpacked: rejected as a zip bomb/);
    expect((await stats(t, token)).plays).toBe(before.plays);
  });

  it('a bomb inside a zip inside the zip is refused the same way', async () => {
    const inner = makeZip([{ name: 'Streaming_History_Audio_2023.json', data: padded(10 * MiB) }]);
    const zip = makeZip([{ name: 'my_spotify_data.zip', data: inner, deflate: false }]);
    const job = await upload(t, token, 'forwarded.zip', zip);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/expands \d+× when unpacked: rejected as a zip bomb/);
  });

  it('many entries each under the per-entry floor, together far beyond the ratio, are refused by the total check', async () => {
    const entries = Array.from({ length: 24 }, (_, i) => ({ name: `junk/${i}.txt`, data: Buffer.alloc(MiB - 1, 32) }));
    const zip = makeZip([{ name: 'Streaming_History_Audio_2023.json', data: JSON.stringify([ext('2023-05-02T10:00:00Z', 'S', 'A', 200_000)]) }, ...entries]);
    const job = await upload(t, token, 'export.zip', zip);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/The zip's files expand \d+× when unpacked: rejected as a zip bomb/);
  });

  it('a password-protected zip says so and how to fix it, not "failed on our side"', async () => {
    const zip = makeZip([{ name: 'Streaming_History_Audio_2023.json', data: JSON.stringify([ext('2023-05-03T10:00:00Z', 'S', 'A', 200_000)]), encrypted: true }]);
    const job = await upload(t, token, 'export.zip', zip);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/password-protected/);
    expect(job.error).toMatch(/without a password/);
    expect(job.error).not.toMatch(/on our side/);
  });

  it('an entry holding more bytes than its directory declares is reported as a damaged file', async () => {
    // Incompressible, so the ratio check does not catch it first: only the size check while unpacking can.
    const data = Buffer.from(JSON.stringify([ext('2023-05-04T10:00:00Z', crypto.randomBytes(1_500_000).toString('base64'), 'A', 200_000)]));
    const zip = makeZip([{ name: 'Streaming_History_Audio_2023.json', data, declaredSize: 1000 }]);
    const job = await upload(t, token, 'export.zip', zip);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/Streaming_History_Audio_2023\.json in the zip is damaged/);
    expect(job.error).not.toMatch(/on our side/);
  });

  it('malformed JSON in a zip entry names the file and says what is wrong and where', async () => {
    const zip = makeZip([{ name: 'Spotify Extended Streaming History/Streaming_History_Audio_2023.json', data: '[{"ts": "2023-05-05T10:00:00Z", "ms_played": }]' }]);
    const job = await upload(t, token, 'export.zip', zip);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/Streaming_History_Audio_2023\.json/);
    expect(job.error).not.toMatch(/on our side/);
    // What is wrong, and where: the parser's position (line/column or byte), not just "invalid".
    expect(job.error).toMatch(/(line|column|position|byte|offset|character)\s*\d+/i);
  });
});
