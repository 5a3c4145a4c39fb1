import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Play } from '../play';
import { formatOf, type HistoryFormat } from './exportFormats';
import type { HistorySource, UploadContents } from './HistorySource';
import { ImportFailure } from './ImportFailure';
import { exportPlays, InvalidHistory } from './spool';
import type { ZipUpload } from './ZipUpload';
import { historyEntries, type ImportLimits } from './zipSafety';

/**
 * Spotify's data export as an import source, in both of its formats (exportFormats.ts): account
 * data (StreamingHistory*.json) and extended streaming history (Streaming_History_*.json); a zip
 * may hold both. Also one of those files uploaded on its own.
 */
export function readExportZip(zip: ZipUpload, limits: ImportLimits): UploadContents {
  const sources = historyEntries(zip.entries, limits).map(({ entry, format }): HistorySource => ({
    name: entry.fileName,
    plays: () => exportFilePlays(() => zip.open(entry), entry.fileName, format),
  }));
  return { sources, extras: null };
}

/** One export file uploaded as it is (not zipped); its format comes from its name or its first entry. */
export async function readExportFile(file: { path: string; originalName: string }, limits: ImportLimits): Promise<UploadContents> {
  const size = (await fs.promises.stat(file.path)).size;
  if (size > limits.maxEntryBytes) throw new ImportFailure(`The file is larger than ${limits.maxEntryBytes / 2 ** 20} MB.`);
  const name = path.basename(file.originalName);
  const format = formatOf(file.originalName);
  const source: HistorySource = {
    name,
    plays: () => exportFilePlays(async () => fs.createReadStream(file.path), name, format),
    splittable: { path: file.path, format },
  };
  return { sources: [source], extras: null };
}

async function* exportFilePlays(open: () => Promise<Readable>, name: string, format: HistoryFormat | null): AsyncGenerator<Play[]> {
  try {
    yield* exportPlays(await open(), name, format);
  } catch (err) {
    throw err instanceof InvalidHistory ? new ImportFailure(err.message) : err;
  }
}
