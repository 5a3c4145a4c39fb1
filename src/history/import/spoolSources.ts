import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Play } from '../play';
import type { HistorySource } from './HistorySource';
import { parseRange, type ParseRange, type ParseResult } from './parseWorker';
import { writeSpoolRows } from './spool';

/** Plain export files at least this large are parsed in two halves at once (parallelSpool). */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

export interface SpoolOptions {
  /** The compiled parse worker, or null: never parse in parallel. */
  parseWorker: string | null;
  parallelMinBytes?: number;
  logger?: Logger;
  /** Hears pass 1 advance: after every batch of plays and every file (not throttled here). */
  onProgress?: (p: SpoolProgress) => void;
  /** Aborting stops pass 1 at the next batch, and terminates a parse worker at once. */
  signal?: AbortSignal;
}

/** How far pass 1 got: files done, bytes of the upload's history files read (total null when unknown), rows spooled. */
export interface SpoolProgress {
  filesDone: number;
  files: number;
  bytesRead: number;
  bytesTotal: number | null;
  rows: number;
}

/**
 * Pass 1 of an import: every play of every source, validated, into spool files (each a JSON
 * array: one per file, two per file parsed in halves). Nothing is written to the database, so a
 * bad file fails the job before any play is stored. Returns rows, spool files and non-music entries.
 */
export async function spoolSources(
  sources: HistorySource[],
  part: (k: number) => string,
  o: SpoolOptions,
): Promise<{ rows: number; parts: number; episodes: number; perSource: number[] }> {
  let rows = 0;
  let parts = 0;
  let episodes = 0;
  // Rows of each source, for the job's file list.
  const perSource: number[] = [];
  // Progress: bytes of finished files plus the current file's, rows of finished files plus the current file's.
  const bytesTotal = sources.every((s) => typeof s.bytes === 'number') ? sources.reduce((t, s) => t + s.bytes!, 0) : null;
  let filesDone = 0;
  let bytesDone = 0;
  let fileBytes = 0;
  let fileRows = 0;
  const report = () => o.onProgress?.({ filesDone, files: sources.length, bytesRead: bytesDone + fileBytes, bytesTotal, rows: rows + fileRows });
  const counted = async function* (batches: AsyncGenerator<Play[]>) {
    for await (const b of batches) {
      o.signal?.throwIfAborted();
      fileRows += b.length;
      report();
      yield b;
    }
  };
  const fileDone = (src: HistorySource) => {
    filesDone++;
    bytesDone += src.bytes ?? fileBytes;
    fileBytes = 0;
    fileRows = 0;
    report();
  };
  for (const src of sources) {
    o.signal?.throwIfAborted();
    const parallel = await parallelSpool(src, part(parts), part(parts + 1), o);
    if (parallel) {
      perSource.push(parallel.rows);
      rows += parallel.rows;
      episodes += parallel.episodes;
      parts += 2;
      fileDone(src);
      continue;
    }
    const out = fs.createWriteStream(part(parts++));
    try {
      out.write('[');
      const counts = await writeSpoolRows(counted(src.plays((n) => (fileBytes = n))), out, true);
      out.write(']');
      perSource.push(counts.rows);
      rows += counts.rows;
      episodes += counts.episodes;
    } finally {
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    fileDone(src);
  }
  return { rows, parts, episodes, perSource };
}

/**
 * A large plain export file is parsed in two halves at once, the first in a worker thread (JSON
 * parsing is most of an import's work, and a second core is usually idle). The file is cut between
 * two elements (`}` `,` `{`); the cut is proven right when both halves parse as complete arrays.
 * Anything else (a cut inside a string, an invalid file, no worker) returns null, and the file is
 * read the ordinary way, which also gives exact error positions.
 */
async function parallelSpool(src: HistorySource, firstPart: string, secondPart: string, o: SpoolOptions): Promise<{ rows: number; episodes: number } | null> {
  const script = o.parseWorker;
  if (!script || !src.splittable) return null;
  const { path: file, format } = src.splittable;
  const size = (await fs.promises.stat(file)).size;
  if (size < (o.parallelMinBytes ?? PARALLEL_MIN_BYTES)) return null;
  const window = Buffer.alloc(Math.min(1 << 18, size));
  const windowStart = Math.max(0, Math.floor(size / 2) - window.length / 2);
  const fd = await fs.promises.open(file, 'r');
  try {
    await fd.read(window, 0, window.length, windowStart);
  } finally {
    await fd.close();
  }
  const m = /\}\s*,\s*\{/.exec(window.toString('latin1'));
  if (!m) return null;
  const endBrace = windowStart + m.index;
  const openBrace = windowStart + m.index + m[0].length - 1;
  const first: ParseRange = { kind: 'sda-parse-range', file, name: src.name, format, start: 0, end: endBrace + 1, prefix: '', suffix: ']', part: firstPart };
  const second: ParseRange = { kind: 'sda-parse-range', file, name: src.name, format, start: openBrace, end: size, prefix: '[', suffix: '', part: secondPart };
  const inWorker = new Promise<ParseResult>((resolve) => {
    // The worker's heap is kept small: it streams its half, so memory stays flat whatever the size.
    const worker = new Worker(script, { workerData: first, resourceLimits: { maxOldGenerationSizeMb: 64 } });
    worker.once('message', (r: ParseResult) => resolve(r));
    worker.once('error', (err) => resolve({ ok: false, message: err.message }));
    worker.once('exit', (code) => resolve({ ok: false, message: `parse worker exited with ${code}` }));
    const stop = () => void worker.terminate();
    o.signal?.addEventListener('abort', stop, { once: true });
    worker.once('exit', () => o.signal?.removeEventListener('abort', stop));
  });
  const [a, b] = await Promise.all([inWorker, parseRange(second)]);
  o.signal?.throwIfAborted();
  if (a.ok && b.ok) o.logger?.info({ file: src.name, rows: a.rows + b.rows }, 'parsed in two halves at once');
  if (!a.ok || !b.ok) {
    // Awaited: the one-pass read writes the first of these files again.
    await Promise.all([first.part, second.part].map((f) => fs.promises.rm(f, { force: true })));
    o.logger?.info({ file: src.name, first: a.ok || a.message, second: b.ok || b.message }, 'parallel parse not used: reading the file in one pass');
    return null;
  }
  return { rows: a.rows + b.rows, episodes: a.episodes + b.episodes };
}
