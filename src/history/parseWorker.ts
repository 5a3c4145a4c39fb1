import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import type { HistoryFormat } from './formats';
import { exportPlays, writeSpoolRows } from './spool';

/**
 * Parses one byte range of a large export file on a second core (see parallelSpool), writing its
 * spool rows to a spool file of its own (a JSON array). The range is made into a JSON array of its own: the first half ends
 * after an element and gets a closing bracket, the second starts at an element and gets an opening one.
 */
export interface ParseRange {
  kind: 'sda-parse-range';
  file: string;
  name: string;
  format: HistoryFormat | null;
  start: number;
  /** Exclusive. */
  end: number;
  prefix: string;
  suffix: string;
  part: string;
}

export type ParseResult = { ok: true; rows: number; episodes: number } | { ok: false; message: string };

export async function parseRange(r: ParseRange): Promise<ParseResult> {
  const input = new PassThrough();
  input.write(r.prefix);
  const body = fs.createReadStream(r.file, { start: r.start, end: r.end - 1, highWaterMark: 1 << 20 });
  body.on('error', (err) => input.destroy(err));
  body.on('end', () => input.end(r.suffix));
  body.pipe(input, { end: false });
  const out = fs.createWriteStream(r.part);
  try {
    out.write('[');
    const counts = await writeSpoolRows(exportPlays(input, r.name, r.format), out, true);
    out.write(']');
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    return { ok: true, ...counts };
  } catch (err) {
    out.destroy();
    body.destroy();
    return { ok: false, message: (err as Error).message };
  }
}

// Only when started as this project's parse worker (a test runner may run modules in workers too).
if (parentPort && (workerData as ParseRange | undefined)?.kind === 'sda-parse-range') {
  void parseRange(workerData as ParseRange).then((result) => parentPort!.postMessage(result));
}
