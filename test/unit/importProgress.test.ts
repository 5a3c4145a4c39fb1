import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spoolPart } from '../../src/history/import/spool';
import { spoolSources, type SpoolProgress } from '../../src/history/import/spoolSources';
import { readUpload } from '../../src/history/import/uploadFormats';
import { DEFAULT_LIMITS } from '../../src/history/import/zipSafety';
import { ext } from '../helpers/history';
import { makeZip } from '../helpers/zip';

const entries = (n: number, day: string) => Array.from({ length: n }, (_, i) => ext(`${day}T${String(Math.floor(i / 60) % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z`, `Song ${i}`, 'Band', 200_000));

describe('import progress in pass 1 (spoolSources onProgress)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'progress-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function run(file: string, originalName: string) {
    const upload = await readUpload({ path: file, originalName }, DEFAULT_LIMITS);
    const reports: SpoolProgress[] = [];
    try {
      const out = await spoolSources(upload.sources, (k) => spoolPart(path.join(dir, path.basename(file)), k), { parseWorker: null, onProgress: (p) => reports.push({ ...p }) });
      return { out, reports };
    } finally {
      upload.close();
    }
  }

  it('a zip of two files: bytes of the unpacked files, files done and rows advance, and end at the totals', async () => {
    const a = JSON.stringify(entries(3000, '2024-01-01'));
    const b = JSON.stringify(entries(2000, '2024-01-02'));
    const zip = path.join(dir, 'export.zip');
    fs.writeFileSync(zip, makeZip([{ name: 'x/Streaming_History_Audio_2024_0.json', data: a }, { name: 'x/Streaming_History_Audio_2024_1.json', data: b }]));
    const { out, reports } = await run(zip, 'export.zip');
    expect(out.rows).toBe(5000);
    const total = Buffer.byteLength(a) + Buffer.byteLength(b);
    expect(reports.every((r) => r.bytesTotal === total && r.files === 2)).toBe(true);
    // Reports during the first file, before it is done, and the totals at the end.
    expect(reports.some((r) => r.filesDone === 0 && r.bytesRead > 0 && r.bytesRead < Buffer.byteLength(a) && r.rows > 0)).toBe(true);
    expect(reports.at(-1)).toEqual({ filesDone: 2, files: 2, bytesRead: total, bytesTotal: total, rows: 5000 });
    for (let i = 1; i < reports.length; i++) {
      expect(reports[i].bytesRead).toBeGreaterThanOrEqual(reports[i - 1].bytesRead);
      expect(reports[i].rows).toBeGreaterThanOrEqual(reports[i - 1].rows);
    }
  });

  it('one plain JSON file: its size is the total', async () => {
    const file = path.join(dir, 'Streaming_History_Audio_2024.json');
    fs.writeFileSync(file, JSON.stringify(entries(1500, '2024-02-01')));
    const { reports } = await run(file, 'Streaming_History_Audio_2024.json');
    const size = fs.statSync(file).size;
    expect(reports.at(-1)).toEqual({ filesDone: 1, files: 1, bytesRead: size, bytesTotal: size, rows: 1500 });
  });
});
