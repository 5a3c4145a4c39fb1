import fs from 'node:fs';
import { dayOf } from '../dayCodec';
import type { Play } from '../play';
import { jsonArrayBatches } from './jsonArrayStream';
import { playOfRow, type SpoolRow } from './spool';

/** Plays held in memory before they are merged into their day items; keeps memory flat. */
const FLUSH_PLAYS = 25_000;
/** Merges running at once (the database works on its own thread while the next batch is parsed). */
const MAX_INFLIGHT = 2;

/** How far pass 2 got for sure: rows from the spool's start, and the music plays and new plays among them. */
export interface MergeCheckpoint {
  row: number;
  plays: number;
  added: number;
}

/**
 * Pass 2 of an import: the spooled plays merged into day items in bounded batches, from a
 * checkpoint on. Merges run while the next batch is parsed, up to two at once; a merge waits for
 * any running merge that touches one of its days, so no two ever read-modify-write the same day
 * item at the same time (a batch ends before the day still being read, so in a time-ordered
 * export consecutive batches share no day and run side by side). The checkpoint is the end of the longest run of finished batches from the
 * start: everything before it is written, so an interrupted job continues from there and the merge
 * being idempotent makes the overlap harmless. Returns the music plays read and the new plays.
 */
export async function mergeSpool(o: {
  parts: string[];
  from: MergeCheckpoint;
  merge: (days: Map<string, Play[]>) => Promise<{ added: number }>;
  onCheckpoint: (checkpoint: MergeCheckpoint) => Promise<void>;
  /** Checked before every batch: aborting stops the merge after the batches in flight. */
  signal?: AbortSignal;
}): Promise<{ read: number; added: number }> {
  const checkpoint = o.from.row;
  let read = o.from.plays;
  let added = o.from.added;
  let buffered = new Map<string, Play[]>();
  let count = 0;
  let music = 0;
  let row = 0;
  const inflight: { days: Set<string>; done: Promise<void> }[] = [];
  const finished: { end: number; music: number }[] = [];
  let safeRow = checkpoint;
  let safePlays = read;
  const batchStarts: number[] = [];
  // The trailing run of rows of one day (its day, rows and music plays): an export is in time order,
  // so at a flush that day is usually still being read; when the run holds all of the day's buffered
  // plays it stays for the next batch, which then shares no day with this one and need not wait for it.
  let runDay: string | null = null;
  let runCount = 0;
  let runMusic = 0;
  const flush = async (last: boolean) => {
    if (count === 0) return;
    o.signal?.throwIfAborted();
    let batch = buffered;
    let range = { start: row - count, end: row, music };
    const run = runDay === null ? undefined : buffered.get(runDay);
    if (!last && run && run.length === runCount && runCount < count) {
      batch = new Map(buffered);
      batch.delete(runDay!);
      range = { start: row - count, end: row - runCount, music: music - runMusic };
      buffered = new Map([[runDay!, run]]);
      count = runCount;
      music = runMusic;
    } else {
      buffered = new Map();
      count = 0;
      music = 0;
    }
    batchStarts.push(range.start);
    const days = new Set(batch.keys());
    const blockers = inflight.filter((m) => [...days].some((d) => m.days.has(d))).map((m) => m.done);
    if (inflight.length >= MAX_INFLIGHT) blockers.push(inflight[0].done);
    const entry = { days, done: Promise.resolve() };
    entry.done = Promise.all(blockers)
      .then(() => o.merge(batch))
      .then(async (res) => {
        added += res.added;
        finished.push({ end: range.end, music: range.music });
        batchStarts.splice(batchStarts.indexOf(range.start), 1);
        // Advance the checkpoint over every finished batch that no unfinished one precedes.
        const firstOpen = batchStarts.length ? Math.min(...batchStarts) : Infinity;
        finished.sort((x, y) => x.end - y.end);
        while (finished.length && finished[0].end <= firstOpen) {
          const f = finished.shift()!;
          safeRow = f.end;
          safePlays += f.music;
        }
        await o.onCheckpoint({ row: safeRow, plays: safePlays, added });
      })
      .finally(() => inflight.splice(inflight.indexOf(entry), 1));
    entry.done.catch(() => undefined); // surfaced when awaited below
    inflight.push(entry);
    if (inflight.length >= MAX_INFLIGHT) await inflight[0].done;
  };
  try {
    for (const part of o.parts) for await (const rows of jsonArrayBatches<SpoolRow>(fs.createReadStream(part), 'spool')) {
      o.signal?.throwIfAborted();
      for (const r of rows) {
        if (row++ < checkpoint) continue;
        const play = playOfRow(r);
        const day = dayOf(play.ts);
        const list = buffered.get(day);
        if (list) list.push(play);
        else buffered.set(day, [play]);
        if (day !== runDay) {
          runDay = day;
          runCount = 0;
          runMusic = 0;
        }
        runCount++;
        count++;
        if (play.kind === 'music') {
          music++;
          runMusic++;
          read++;
        }
      }
      if (count >= FLUSH_PLAYS) await flush(false);
    }
    await flush(true);
    while (inflight.length) await inflight[0].done;
  } finally {
    // On any failure (a cancelled job too) no merge may still be writing when this returns.
    await Promise.allSettled(inflight.map((m) => m.done));
  }
  return { read, added };
}
