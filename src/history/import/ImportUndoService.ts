import crypto from 'node:crypto';
import { AppError, NotFound } from '../../errors';
import type { HistoryRepository } from '../../store/HistoryRepository';
import type { ImportUndoRepository } from '../../store/ImportUndoRepository';
import { decodeDay, encodeDay, type StoredDay } from '../dayCodec';
import { playKey, type Play } from '../play';

/** How long an undo may hold the person's writer lease. */
const UNDO_LEASE_MS = 60_000;

/**
 * Undo of an import: each job records the plays it added, per day, as it merges them (written
 * before the day items, so a crash between the two leaves a record of plays that may not be
 * there, never plays without a record); undo removes from each day one stored play per recorded
 * play (playKey), so plays another import or capture added stay. Settings and snapshots a backup
 * restored are not reverted: undo is about plays.
 */
export class ImportUndoService {
  constructor(
    private readonly o: {
      history: HistoryRepository;
      added: ImportUndoRepository;
      /** Whether an import of the person is writing now: undo waits for it. */
      writing: (userId: string) => Promise<boolean>;
      onChanged?: (userId: string) => void;
    },
  ) {}

  /**
   * Adds plays to a job's record (a merge of one batch; the day's record grows batch by batch).
   * `mayExist`: the only days that can have a record of this job already (a job that has not
   * written before knows them: those it recorded), kept up to date here; unset: every day is read.
   * `encoded`: the plays of a day already encoded (the same bytes as encodeDay of them), used for a
   * day with no record yet instead of encoding them again.
   */
  async record(userId: string, jobId: string, addedByDay: Map<string, Play[]>, o: { mayExist?: Set<string>; encoded?: Map<string, StoredDay> } = {}): Promise<void> {
    if (addedByDay.size === 0) return;
    const dates = [...addedByDay.keys()];
    const existing = await this.o.added.get(userId, jobId, o.mayExist ? dates.filter((d) => o.mayExist!.has(d)) : dates);
    await this.o.added.put(
      userId,
      jobId,
      [...addedByDay].map(([date, plays]) => {
        const before = existing.get(date);
        if (before) return { date, item: encodeDay(date, [...decodeDay(date, before), ...plays]) };
        return { date, item: o.encoded?.get(date) ?? encodeDay(date, plays) };
      }),
    );
    if (o.mayExist) for (const d of dates) o.mayExist.add(d);
  }

  /**
   * The music plays of a job's record that are stored now (one stored play per recorded play, as
   * undo counts): what a job that stopped part-way really wrote, whatever batch it stopped in.
   */
  async written(userId: string, jobId: string): Promise<number> {
    const records = await this.o.added.all(userId, jobId);
    const stored = await this.o.history.getDays(userId, records.map((r) => r.date));
    let music = 0;
    for (const { date, item } of records) {
      const day = stored.get(date);
      if (!day) continue;
      const have = new Map<string, number>();
      for (const p of decodeDay(date, day)) have.set(playKey(p), (have.get(playKey(p)) ?? 0) + 1);
      for (const p of decodeDay(date, item)) {
        const n = have.get(playKey(p)) ?? 0;
        if (n === 0) continue;
        have.set(playKey(p), n - 1);
        if (p.kind === 'music') music++;
      }
    }
    return music;
  }

  /** Removes exactly the plays a finished import added (or a failed one wrote); returns how many (every kind) were removed. */
  async undo(userId: string, jobId: string): Promise<{ removed: number; music: number }> {
    const job = await this.o.history.getJob(userId, jobId);
    if (!job) throw new NotFound('No such import');
    if (job.status === 'undone') return { removed: 0, music: 0 };
    // A failed import that wrote plays before it stopped keeps them (its count says how many): they can be undone too.
    const wroteBeforeFailing = job.status === 'failed' && (job.plays_added ?? 0) > 0;
    if (job.status !== 'done' && !wroteBeforeFailing) throw new AppError(409, 'import_not_done', 'Only a finished import can be undone.');
    if (await this.o.writing(userId)) throw new AppError(409, 'import_running', 'An import is writing your history; undo it when that is done.');
    // The person's writer lease: no import merge or live capture rewrites these days meanwhile.
    const writer = this.o.history.writerLease(userId);
    const owner = `undo#${crypto.randomUUID()}`;
    if (!(await writer.acquire(owner, UNDO_LEASE_MS))) throw new AppError(409, 'history_busy', 'Your history is being written right now; try the undo again in a moment.');
    try {
      return await this.undoHeld(userId, jobId);
    } finally {
      await writer.release(owner).catch(() => undefined);
    }
  }

  private async undoHeld(userId: string, jobId: string): Promise<{ removed: number; music: number }> {
    const records = await this.o.added.all(userId, jobId);
    const stored = await this.o.history.getDays(userId, records.map((r) => r.date));
    let removed = 0;
    let music = 0;
    const writes: { date: string; item: ReturnType<typeof encodeDay> }[] = [];
    for (const { date, item } of records) {
      const day = stored.get(date);
      if (!day) continue;
      // A multiset of the keys to remove: one stored play per recorded play.
      const toRemove = new Map<string, number>();
      for (const p of decodeDay(date, item)) toRemove.set(playKey(p), (toRemove.get(playKey(p)) ?? 0) + 1);
      const kept: Play[] = [];
      for (const p of decodeDay(date, day)) {
        const k = playKey(p);
        const n = toRemove.get(k) ?? 0;
        if (n > 0) {
          toRemove.set(k, n - 1);
          removed++;
          if (p.kind === 'music') music++;
        } else kept.push(p);
      }
      writes.push({ date, item: encodeDay(date, kept) });
    }
    await this.o.history.putDays(userId, writes);
    await this.o.added.remove(userId, jobId, records.map((r) => r.date));
    await this.o.history.updateJob(userId, jobId, { status: 'undone', undone_at: new Date().toISOString(), plays_removed: music });
    await this.o.history.bumpVersion(userId);
    this.o.onChanged?.(userId);
    return { removed, music };
  }
}
