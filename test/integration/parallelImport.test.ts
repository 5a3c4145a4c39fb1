import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../src/app';
import { startTestApp, type TestApp } from '../helpers/harness';
import { ext, stats, tokenFor, upload } from '../helpers/history';

jest.setTimeout(90_000);

const WORKER = path.join(ROOT, 'dist/src/history/import/parseWorker.js');

/** A plain extended-history file; the first entry's name can hold a fake element boundary. */
function exportFile(n: number, firstName = 'Opening'): string {
  const start = Date.UTC(2021, 0, 1);
  return `[${Array.from({ length: n }, (_, i) =>
    JSON.stringify(ext(new Date(start + i * 53 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z'), i === 0 ? firstName : `Track ${i % 70}`, `Artist ${i % 11}`, 40_000 + (i % 9) * 20_000, { shuffle: i % 2 === 0 })),
  ).join(',\n')}]`;
}

describe('large plain exports parsed in two halves at once', () => {
  let parallel: TestApp;
  let sequential: TestApp;
  beforeAll(async () => {
    if (!fs.existsSync(WORKER)) throw new Error(`${WORKER} is missing: npm test builds it first (npm run build)`);
    parallel = await startTestApp({ tuning: { importParseWorker: WORKER, importParallelMinBytes: 1024 } });
    sequential = await startTestApp({ sandbox: parallel.sandbox, tuning: { importParseWorker: null } });
  });
  afterAll(async () => {
    await parallel?.close();
    await sequential?.close();
  });

  const both = async (name: string, body: string, listener: string) => {
    const [p, s] = [await tokenFor(parallel, listener), await tokenFor(sequential, listener)];
    const jobs = [await upload(parallel, p, name, body), await upload(sequential, s, name, body)];
    return { jobs, stats: [await stats(parallel, p), await stats(sequential, s)] };
  };
  const logged = (t: TestApp, msg: string) => t.logs.filter((l) => l.includes(msg)).length;

  it('gives exactly the statistics of a one-pass import', async () => {
    const { jobs, stats: [p, s] } = await both('Streaming_History_Audio_2021.json', exportFile(4000), 'ava.demo');
    expect(jobs[0]).toMatchObject({ status: 'done', plays_read: 4000, plays_added: 4000 });
    expect(jobs[1]).toMatchObject({ status: 'done', plays_read: 4000, plays_added: 4000 });
    expect(logged(parallel, 'parsed in two halves at once')).toBe(1);
    expect(p).toEqual(s);
  });

  it('a cut that lands inside a string is detected, and the file is read in one pass', async () => {
    const tricky = 'Name with "}, {" inside';
    const body = exportFile(50, tricky);
    expect(body.indexOf('}, {')).toBeLessThan(body.indexOf('},\n{')); // the first candidate cut is inside the string
    const { jobs, stats: [p, s] } = await both('Streaming_History_Audio_2021.json', body, 'marcus.demo');
    expect(jobs[0]).toMatchObject({ status: 'done', plays_read: 50 });
    expect(logged(parallel, 'parallel parse not used')).toBe(1);
    expect(p).toEqual(s);
    expect(p.top_tracks.map((x: { name: string }) => x.name)).toContain(tricky);
  });

  it('a malformed file fails with the same exact position as a one-pass import, writing nothing', async () => {
    const good = exportFile(3000);
    const broken = `${good.slice(0, Math.floor(good.length * 0.75))}{"ts": oops}${good.slice(Math.floor(good.length * 0.75))}`;
    const { jobs, stats: [p, s] } = await both('Streaming_History_Audio_2021.json', broken, 'rin.demo');
    expect(jobs[0].status).toBe('failed');
    expect(jobs[0].error).toBe(jobs[1].error);
    expect(jobs[0].error).toMatch(/Streaming_History_Audio_2021\.json: .* at character \d+/);
    expect(p.plays).toBe(0);
    expect(s.plays).toBe(0);
    // Uploads, spools and the halves' part files are all gone once the jobs have ended.
    await parallel.services.historyImports.idle();
    await new Promise((r) => setTimeout(r, 100));
    expect(fs.readdirSync(path.join(parallel.config.dataDir, 'uploads'))).toEqual([]);
  });
});
