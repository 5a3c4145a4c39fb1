import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pipeline as pipeStreams, Transform, type Readable } from 'node:stream';
import type { Play } from '../play';
import { formatOf, type HistoryFormat } from './exportFormats';
import type { HistorySource, SkippedFile, UploadContents } from './HistorySource';
import { ImportFailure } from './ImportFailure';
import { sniffFormat } from './sniffFormat';
import { exportPlays, InvalidHistory } from './spool';
import { openZip, type ZipUpload } from './ZipUpload';
import { checkEntrySize, historyEntries, isAppleDouble, type ImportLimits } from './zipSafety';

/**
 * Spotify's data export as an import source, in all its formats (exportFormats.ts): every .json of
 * the zip whose first entry is listening history is read, whatever its name ("StreamingHistory1
 * (1).json"); a zip inside the zip (one level: the download forwarded and re-zipped) is opened
 * under the same limits. Every other file is listed as skipped, with the reason. Also one of those
 * files uploaded on its own.
 */
export async function readExportZip(zip: ZipUpload, limits: ImportLimits, scratch: string): Promise<UploadContents> {
  const sources: HistorySource[] = [];
  const skipped: SkippedFile[] = [];
  const inner: { zip: ZipUpload; file: string }[] = [];
  let budget = limits.maxTotalBytes;

  const collect = async (z: ZipUpload, prefix: string, depth: number) => {
    const candidates = historyEntries(z.entries, { ...limits, maxTotalBytes: budget });
    for (const { entry } of candidates) budget -= entry.uncompressedSize;
    const isCandidate = new Set(candidates.map((c) => c.entry));
    for (const e of z.entries) {
      const name = prefix + e.fileName;
      if (e.fileName.endsWith('/') || isCandidate.has(e)) continue;
      if (isAppleDouble(e.fileName)) skipped.push({ name, reason: 'a macOS resource fork (__MACOSX), not part of the export' });
      else if (!/\.zip$/i.test(e.fileName)) skipped.push({ name, reason: 'not a .json file' });
      else if (depth > 0) skipped.push({ name, reason: 'a zip inside a zip inside a zip: not opened' });
      else {
        // One level of nesting, under the same limits: its size and ratio are checked before it is unpacked.
        checkEntrySize(e, limits);
        const file = `${scratch}.inner${inner.length}.zip`;
        await pipeline(await z.open(e), fs.createWriteStream(file));
        const opened = await openZip(file, limits).catch((err: unknown) => {
          fs.rmSync(file, { force: true });
          throw err instanceof ImportFailure ? err : new ImportFailure(`${name} is not a readable zip.`);
        });
        inner.push({ zip: opened, file });
        await collect(opened, `${name}/`, depth + 1);
      }
    }
    for (const { entry, format: hint } of candidates) {
      const name = prefix + entry.fileName;
      const sniffed = await sniffFormat(await z.open(entry));
      // A file named as history whose first entry is broken is read anyway, so the import fails
      // with the parser's message (the file, the entry, the byte, what is wrong) instead of skipping it.
      if ('reason' in sniffed && !(sniffed.malformed && hint)) {
        skipped.push({ name, reason: sniffed.reason });
        continue;
      }
      const format = 'format' in sniffed ? sniffed.format : hint;
      if (!format) {
        skipped.push({ name, reason: 'an empty list, not named like a history file' });
        continue;
      }
      sources.push({ name, format, plays: (onBytes) => exportFilePlays(() => z.open(entry), name, format, onBytes), bytes: entry.uncompressedSize });
    }
  };
  try {
    await collect(zip, '', 0);
  } catch (err) {
    closeInner(inner);
    throw err;
  }
  sources.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  return { sources, skipped, extras: null, close: () => closeInner(inner) };
}

function closeInner(inner: { zip: ZipUpload; file: string }[]): void {
  for (const { zip, file } of inner) {
    zip.close();
    fs.rmSync(file, { force: true });
  }
}

/** One export file uploaded as it is (not zipped); its format comes from its first entry (or its name). */
export async function readExportFile(file: { path: string; originalName: string }, limits: ImportLimits): Promise<UploadContents> {
  const size = (await fs.promises.stat(file.path)).size;
  if (size > limits.maxEntryBytes) throw new ImportFailure(`The file is larger than ${limits.maxEntryBytes / 2 ** 20} MB.`);
  const name = path.basename(file.originalName);
  // A file that is not history fails with the parser's exact message (what is wrong, and where).
  const sniffed = await sniffFormat(fs.createReadStream(file.path));
  const format = 'format' in sniffed ? sniffed.format : formatOf(file.originalName);
  const source: HistorySource = {
    name,
    format,
    plays: (onBytes) => exportFilePlays(async () => fs.createReadStream(file.path), name, format, onBytes),
    bytes: size,
    splittable: { path: file.path, format },
  };
  return { sources: [source], skipped: [], extras: null };
}

async function* exportFilePlays(open: () => Promise<Readable>, name: string, format: HistoryFormat | null, onBytes?: (bytesRead: number) => void): AsyncGenerator<Play[]> {
  try {
    yield* exportPlays(onBytes ? countBytes(await open(), onBytes) : await open(), name, format);
  } catch (err) {
    throw err instanceof InvalidHistory ? new ImportFailure(err.message) : err;
  }
}

/** The stream as it is, through a pass-through that tells how many bytes went by (import progress). */
function countBytes(input: Readable, onBytes: (bytesRead: number) => void): Readable {
  let read = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      read += chunk.length;
      onBytes(read);
      done(null, chunk);
    },
  });
  pipeStreams(input, counter, () => undefined); // an error in either destroys both, and reading the counter throws it
  return counter;
}
