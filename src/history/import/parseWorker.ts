import fs from 'node:fs';
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import type { HistoryFormat } from './exportFormats';
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
  // The range with its bracket added, as one stream; when parsing stops early (an error), the
  // generator's return closes the file, so nothing writes into a stream that is gone.
  const input = Readable.from(
    (async function* () {
      if (r.prefix) yield r.prefix;
      for await (const chunk of fs.createReadStream(r.file, { start: r.start, end: r.end - 1, encoding: 'utf8', highWaterMark: 1 << 20 })) yield chunk as string;
      if (r.suffix) yield r.suffix;
    })(),
    { objectMode: false },
  );
  const out = fs.createWriteStream(r.part);
  try {
    out.write('[');
    const counts = await writeSpoolRows(exportPlays(input, r.name, r.format), out, true);
    out.write(']');
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    return { ok: true, ...counts };
  } catch (err) {
    input.destroy();
    await new Promise<void>((resolve) => out.end(() => resolve()));
    return { ok: false, message: (err as Error).message };
  }
}

// Only when started as this project's parse worker (a test runner may run modules in workers too).
if (parentPort && (workerData as ParseRange | undefined)?.kind === 'sda-parse-range') {
  void parseRange(workerData as ParseRange).then((result) => parentPort!.postMessage(result));
}
