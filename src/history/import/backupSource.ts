import type { Readable } from 'node:stream';
import { checkManifest, parseExtras, playFromLine } from '../backupFormat';
import { InvalidEntry, type Play } from '../play';
import { boundedLines } from './boundedLines';
import type { HistorySource, UploadContents } from './HistorySource';
import { ImportFailure } from './ImportFailure';
import type { ZipUpload } from './ZipUpload';
import type { ImportLimits } from './zipSafety';

/** Plays read from a backup's JSON Lines per batch. */
const LINES_PER_BATCH = 2000;
/** manifest.json, settings.json and snapshots.jsonl of a backup are read whole; they are small. */
const BACKUP_SIDE_FILE_MAX = 32 * 1024 * 1024;

/** A zip with this app's manifest.json is a backup (backupFormat.ts), whatever else it holds. */
export function isBackup(zip: ZipUpload): boolean {
  return zip.byName.has('manifest.json');
}

/**
 * The app's own backup as an import source: its history.jsonl, and its settings and snapshots read
 * and validated before anything is written.
 */
export async function readBackup(zip: ZipUpload, limits: ImportLimits): Promise<UploadContents> {
  const text = async (name: string) => {
    const e = zip.byName.get(name);
    if (!e) return null;
    if (e.uncompressedSize > BACKUP_SIDE_FILE_MAX) throw new ImportFailure(`${name} is larger than ${BACKUP_SIDE_FILE_MAX / 2 ** 20} MB.`);
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.open(e)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const parse = (name: string, t: string) => {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      throw new ImportFailure(`${name} is not valid JSON.`);
    }
  };
  const origin = checkManifest(parse('manifest.json', (await text('manifest.json'))!));
  const history = zip.byName.get('history.jsonl');
  if (!history) throw new ImportFailure('The backup has no history.jsonl.');
  if (history.uncompressedSize > limits.maxTotalBytes) throw new ImportFailure(`history.jsonl is larger than ${limits.maxTotalBytes / 2 ** 30} GB uncompressed.`);
  const source: HistorySource = { name: 'history.jsonl', format: 'backup', plays: () => backupPlays(() => zip.open(history), 'history.jsonl') };
  return { sources: [source], skipped: [], origin, extras: parseExtras(await text('settings.json'), await text('snapshots.jsonl')) };
}

/** A backup's history.jsonl, a batch of lines at a time; errors name the line. */
async function* backupPlays(open: () => Promise<Readable>, name: string): AsyncGenerator<Play[]> {
  let batch: Play[] = [];
  for await (const [line, n] of boundedLines(await open(), name)) {
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new ImportFailure(`${name}: line ${n} is not JSON.`);
    }
    try {
      batch.push(playFromLine(raw));
    } catch (err) {
      if (err instanceof InvalidEntry) throw new ImportFailure(`${name}: line ${n}: ${err.message}`);
      throw err;
    }
    if (batch.length >= LINES_PER_BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
