import fs from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { InvalidEntry, type Play } from '../play';
import { formatOfEntry, toPlay, type HistoryFormat } from './exportFormats';
import { jsonArrayBatches } from './jsonArrayStream';

/**
 * The spool between an import's two passes: pass 1 validates and normalises a history file's
 * entries and writes them as compact rows to spool files (`<upload>.spool.<k>`, each a JSON array);
 * pass 2 reads them back and merges them into day items. Shared by the import job and its parse worker.
 */
export type SpoolRow = [number, Play['kind'], string, string, string | null, string | null, number, boolean | null, boolean | null, boolean | null, boolean | null, string | null, string | null, (1 | 0)?];

/** A file that is not a usable history export: the message names the file and the entry. */
export class InvalidHistory extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidHistory';
  }
}

/** Plays of one export file, validated, a batch at a time. */
export async function* exportPlays(input: Readable, name: string, format: HistoryFormat | null): AsyncGenerator<Play[]> {
  let index = 0;
  for await (const entries of jsonArrayBatches(input, name)) {
    const plays: Play[] = [];
    for (const entry of entries) {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new InvalidHistory(`${name}: entry ${index + 1} is not an object.`);
      // The first entry's keys say the format; the file name is only a hint (people rename files).
      if (index === 0) format = formatOfEntry(entry as Record<string, unknown>) ?? format;
      if (!format) throw new InvalidHistory(`${name}: entry 1 is not a Spotify streaming history entry (no "ts" or "endTime").`);
      try {
        const play = toPlay(format, entry);
        if (play) plays.push(play);
      } catch (err) {
        if (err instanceof InvalidEntry) throw new InvalidHistory(`${name}: entry ${index + 1}: ${err.message}`);
        throw err;
      }
      index++;
    }
    yield plays;
  }
}

/**
 * Writes plays as spool rows: the body of a JSON array (no brackets), comma-separated, one batch a
 * line. `first` says whether nothing precedes this text in the spool. Returns rows and non-music entries.
 */
export async function writeSpoolRows(batches: AsyncIterable<Play[]>, out: Writable, first: boolean): Promise<{ rows: number; episodes: number }> {
  let rows = 0;
  let episodes = 0;
  let pending = '';
  const write = async (text: string) => {
    if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  for await (const plays of batches) {
    if (plays.length === 0) continue;
    const batch = plays.map((p): SpoolRow => {
      if (p.kind !== 'music') episodes++;
      const row: SpoolRow = [p.ts, p.kind, p.name, p.artist, p.album, p.trackId, p.ms, p.skipped, p.shuffle, p.offline, p.incognito, p.platform, p.country];
      if (p.skipInferred) row.push(1);
      return row;
    });
    // One stringify per batch; the array's brackets are dropped so batches join into one array.
    const text = JSON.stringify(batch);
    pending += `${first && rows === 0 ? '' : ','}${text.slice(1, -1)}\n`;
    rows += batch.length;
    if (pending.length > 1 << 20) {
      await write(pending);
      pending = '';
    }
  }
  if (pending) await write(pending);
  return { rows, episodes };
}

/** A spool row back into a play. */
export function playOfRow(r: SpoolRow): Play {
  const p: Play = {
    ts: r[0], kind: r[1], name: r[2], artist: r[3], album: r[4], trackId: r[5], ms: r[6],
    skipped: r[7], shuffle: r[8], offline: r[9], incognito: r[10], platform: r[11], country: r[12],
  };
  if (r[13] === 1) p.skipInferred = true;
  return p;
}

/** The files of a spool: `<spool>.0`, `<spool>.1`, ... read in order by pass 2. */
export function spoolPart(spool: string, k: number): string {
  return `${spool}.${k}`;
}

/** Removes every file of a spool. */
export async function removeSpool(spool: string): Promise<void> {
  const dir = path.dirname(spool);
  const prefix = `${path.basename(spool)}.`;
  for (const name of await fs.promises.readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith(prefix)) await fs.promises.rm(path.join(dir, name), { force: true });
  }
}
