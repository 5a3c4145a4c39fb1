import crypto from 'node:crypto';
import { sleep } from '../../util/sleep';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppError, BadRequest, NotFound } from '../../errors';
import { JobGone, type HistoryRepository, type ImportedFile, type ImportJob } from '../../store/HistoryRepository';
import type { WriteGuard } from '../../store/TombstoneRepository';
import { boundNames, truncateName } from '../../util/boundNames';
import { isTransientStoreError } from '../../store/storeErrors';
import { FairQueue } from '../../util/FairQueue';
import type { BackupService } from '../BackupService';
import type { StoredDay } from '../dayCodec';
import type { WrittenHistory } from '../HistoryStatsService';
import type { ImportUndoService } from './ImportUndoService';
import { mergeDays } from '../mergeDays';
import { InvalidEntry } from '../play';
import { ImportFailure } from './ImportFailure';
import { MalformedJson } from './jsonArrayStream';
import { mergeSpool } from './mergeSpool';
import { removeSpool, spoolPart } from './spool';
import { spoolSources, type SpoolProgress } from './spoolSources';
import { readUpload, type OpenUpload } from './uploadFormats';
import { DEFAULT_LIMITS, type ImportLimits } from './zipSafety';

/** A running job writes a heartbeat at least this often; one silent for longer was interrupted. */
const HEARTBEAT_MS = 10_000;
/** How often an import waiting for the person's writer lease asks again. */
const WRITER_POLL_MS = 100;

/** A queued or running job whose heartbeat stopped: its process died (a crash, a deploy). */
function interrupted(job: ImportJob, staleMs: number): boolean {
  return (job.status === 'running' || job.status === 'queued') && Date.now() - Date.parse(job.updated_at) > staleMs;
}

/** A job whose process died stays "running" in the table; say what happens next. */
function withStaleness(job: ImportJob, staleMs: number): ImportJob {
  if (interrupted(job, staleMs)) {
    return {
      ...job,
      status: 'waiting',
      resume_at: null,
      error: `The import was interrupted (the server stopped while it ran). It continues from its checkpoint (${job.plays_read} plays written) as soon as the server is running again, within a minute.`,
    };
  }
  return job;
}


/**
 * An import whose server died this many times while it ran is not resumed again: an input that
 * kills the process (whatever the cause) must not crash-loop it. The job fails and its upload goes.
 */
const MAX_CRASHES = 2;

/** Pass 1's progress is written at most this often (one small UpdateItem each time). */
const PROGRESS_MS = 500;

/**
 * Calls `write` with the latest value at most every `ms`, never two at once; a failed write is
 * only progress lost. `settled` waits for the one in flight.
 */
function throttled<T>(ms: number, write: (v: T) => Promise<void>): { call: (v: T) => void; settled: () => Promise<void>; latest: () => T | undefined } {
  let last = 0;
  let inflight: Promise<void> | null = null;
  let latest: T | undefined;
  return {
    latest: () => latest,
    call(v) {
      latest = v;
      const now = Date.now();
      if (inflight || now - last < ms) return;
      last = now;
      inflight = write(v).catch(() => undefined).finally(() => (inflight = null));
    },
    settled: async () => {
      await inflight;
    },
  };
}

/** Why a job stopped without an outcome: its account is being (or was) deleted. Nothing more is written. */
export class ImportCancelled extends Error {
  constructor(message = 'the account was deleted') {
    super(message);
    this.name = 'ImportCancelled';
  }
}

const isCancelled = (err: unknown) => err instanceof ImportCancelled || err instanceof JobGone;

/** Files listed on a job record (read or skipped); beyond, one line says how many more. */
const MAX_LISTED_FILES = 200;

/**
 * A job record's file lists, bounded: names and reasons cut to 300 characters, at most 200 entries
 * and a last one for the rest, so an upload of thousands of long file names cannot push the job
 * item over DynamoDB's 400 KB (the update would fail and the job with it).
 */
function boundedList<T extends { name: string }>(list: T[], rest: (more: T[]) => T): T[] {
  const cut = (x: T): T => boundNames({ ...x, ...('reason' in x ? { reason: truncateName(String(x.reason)) } : {}) });
  if (list.length <= MAX_LISTED_FILES) return list.map(cut);
  return [...list.slice(0, MAX_LISTED_FILES).map(cut), rest(list.slice(MAX_LISTED_FILES))];
}
const boundedSkipped = (list: { name: string; reason: string }[]) =>
  boundedList(list, (more) => ({ name: `…and ${more.length} more files`, reason: 'not listed one by one' }));
const boundedFiles = (list: ImportedFile[]) =>
  boundedList(list, (more) => ({ name: `…and ${more.length} more files`, format: null, plays: more.reduce((n, f) => n + f.plays, 0) }));

/** A paused import waits 30 s, then twice as long each time, up to 10 minutes. */
const RETRY_BASE_MS = 30_000;
const RETRY_MAX_MS = 10 * 60_000;

/**
 * Imports an upload (a Spotify data export as downloaded, one of its JSON files, or this app's
 * backup: uploadFormats.ts) as a background job: queued per person (FairQueue: one job of a person
 * at a time, people served round-robin up to a global cap), with a heartbeat, paused while the
 * database is busy and resumed after a crash. Two passes: the first (spoolSources) validates
 * everything into a spool, so a bad file fails the job before anything is written; the second
 * (mergeSpool) merges the plays into day items from a checkpoint, idempotently: re-importing adds
 * nothing twice.
 */
export class HistoryImportService {
  /** This process, as the owner of the job leases it holds. */
  private readonly owner = `${process.pid}:${crypto.randomUUID()}`;
  private readonly queue: FairQueue;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly repo: HistoryRepository,
    private readonly o: {
      uploadDir: string;
      logger?: Logger;
      limits?: Partial<ImportLimits>;
      onImported?: (userId: string) => void;
      /**
       * Run after the version is bumped and before the job is marked done (e.g. storing the all-time
       * statistics at write time, so the first request after the import reads them); a failure is logged, not the job's.
       */
      beforeDone?: (userId: string, written: WrittenHistory) => Promise<void>;
      /** The compiled parse worker (null: never parse in parallel); default: next to this file when built. */
      parseWorker?: string | null;
      /** Smallest plain file parsed in two halves at once. */
      parallelMinBytes?: number;
      /** First wait of a paused import (doubling each time, up to 10 minutes); default 30 s. */
      retryBaseMs?: number;
      /** Writes a restored backup's settings and snapshots, after its plays. */
      backups?: Pick<BackupService, 'applyExtras'>;
      /** Records what each job adds, so it can be undone (ImportUndoService); tells what a failed job wrote. */
      undo?: Pick<ImportUndoService, 'record' | 'written'>;
      staleMs?: number;
      /** Imports run at once (default 1); never two of one person, and people take turns. */
      concurrency?: number;
      /**
       * Asked before every write batch whether the job may still write (the account exists and no
       * deletion came after the job was created: the tombstone rule in keys.ts). Unset: never asked.
       */
      guard?: WriteGuard;
    },
  ) {
    fs.mkdirSync(o.uploadDir, { recursive: true });
    this.queue = new FairQueue(o.concurrency ?? 1);
  }

  get limits(): ImportLimits {
    return { ...DEFAULT_LIMITS, ...this.o.limits };
  }

  /** A new path for an upload to be written to (the caller streams the request body there). */
  uploadPath(): string {
    return path.join(this.o.uploadDir, `${Date.now()}-${crypto.randomBytes(8).toString('hex')}.upload`);
  }

  /** Queues the import of an uploaded file; the job's progress is readable at once. */
  async start(userId: string, file: { path: string; originalName: string }): Promise<ImportJob> {
    const now = new Date().toISOString();
    const job: ImportJob = {
      id: crypto.randomUUID(),
      status: 'queued',
      file_name: path.basename(file.originalName).slice(0, 200) || 'upload',
      plays_read: 0,
      plays_added: 0,
      episodes_read: 0,
      files: [],
      error: null,
      created_at: now,
      updated_at: now,
      finished_at: null,
    };
    await this.repo.putJob(userId, job);
    // Listed as pending until it ends, with where its upload is, so it can be resumed after a crash.
    await this.repo.addPending(userId, job.id, file.path, job.file_name);
    this.enqueue(userId, job, file);
    return job;
  }

  /** Jobs this process is running or has queued. */
  private readonly mine = new Set<string>();
  /** Each of them with whose it is, how to cancel it, and when it has stopped. */
  private readonly active = new Map<string, { userId: string; controller: AbortController; stopped: Promise<void> }>();

  private enqueue(userId: string, job: ImportJob, file: { path: string; originalName: string }): void {
    this.mine.add(job.id);
    const controller = new AbortController();
    const run: Promise<void> = this.queue
      .run(userId, () => this.run(userId, job, file, controller.signal), controller.signal)
      .catch(async (err: unknown) => {
        // Cancelled while still queued: it never ran, so its files and pending entry go here.
        if (isCancelled(err)) await this.discard(userId, job.id, file.path);
        else this.o.logger?.error({ err, job: job.id }, 'import job crashed');
      })
      .finally(() => {
        this.mine.delete(job.id);
        this.active.delete(job.id);
        this.running.delete(run);
      });
    this.active.set(job.id, { userId, controller, stopped: run });
    this.running.add(run);
  }

  /** Removes a job's upload, its spool and its pending entry (an ended or cancelled job). */
  private async discard(userId: string, jobId: string, uploadPath: string): Promise<void> {
    await removeSpool(`${uploadPath}.spool`).catch(() => undefined);
    await fs.promises.rm(uploadPath, { force: true }).catch(() => undefined);
    await this.repo.removePending(userId, jobId).catch((e: unknown) => this.o.logger?.warn({ err: e, job: jobId }, 'could not remove an import from the pending list'));
  }

  /**
   * Account deletion: cancels every import of the person this process runs or has queued (queued
   * ones leave the queue; a running one stops before its next write batch, its parse worker
   * terminated), waits until they have stopped, then removes the uploads of all the person's
   * pending imports (any process's) and their pending entries.
   */
  async cancelUser(userId: string): Promise<void> {
    const mine = [...this.active.values()].filter((a) => a.userId === userId);
    for (const a of mine) a.controller.abort(new ImportCancelled());
    await Promise.allSettled(mine.map((a) => a.stopped));
    for (const p of await this.repo.pendingJobs()) if (p.userId === userId) await this.discard(userId, p.jobId, p.uploadPath);
  }

  /**
   * Waits until no other process holds a lease on an import of the person (they stop at their
   * next write batch once the account's tombstone is written), for at most `timeoutMs`. True when none is left.
   */
  async othersStopped(userId: string, timeoutMs = Math.min(15_000, this.staleMs)): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const others = (await this.repo.importLeaseHolders(userId)).filter((h) => h.owner !== this.owner);
      if (!others.length) return true;
      if (Date.now() >= until) {
        this.o.logger?.warn({ owners: others.map((h) => h.owner) }, 'account deletion: imports in other processes did not stop in time');
        return false;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async job(userId: string, id: string): Promise<ImportJob> {
    const job = await this.repo.getJob(userId, id);
    if (!job) throw new NotFound('No such import');
    return withStaleness(job, this.staleMs);
  }

  async jobs(userId: string): Promise<ImportJob[]> {
    return (await this.repo.listJobs(userId)).map((j) => withStaleness(j, this.staleMs));
  }

  /** Continues a restore that waits for confirmation (a backup of another account): it is written now. */
  async confirm(userId: string, id: string): Promise<ImportJob> {
    const job = await this.job(userId, id);
    if (job.status !== 'needs_confirmation') throw new AppError(409, 'not_waiting', 'This import is not waiting for a confirmation.');
    const pending = (await this.repo.pendingJobs()).find((p) => p.userId === userId && p.jobId === id);
    if (!pending || !fs.existsSync(pending.uploadPath)) {
      await this.repo.updateJob(userId, id, { status: 'failed', error: 'The upload is not on this server any more. Upload the backup again.', finished_at: new Date().toISOString() });
      throw new AppError(409, 'upload_gone', 'The upload is not on this server any more. Upload the backup again.');
    }
    await this.repo.updateJob(userId, id, { status: 'queued', confirmed: true });
    const confirmed: ImportJob = { ...job, status: 'queued', confirmed: true };
    this.enqueue(userId, confirmed, { path: pending.uploadPath, originalName: pending.fileName });
    return confirmed;
  }

  /** Drops a restore that waits for confirmation: nothing was written; its upload is deleted. */
  async decline(userId: string, id: string): Promise<ImportJob> {
    const job = await this.job(userId, id);
    if (job.status !== 'needs_confirmation') throw new AppError(409, 'not_waiting', 'This import is not waiting for a confirmation.');
    const pending = (await this.repo.pendingJobs()).find((p) => p.userId === userId && p.jobId === id);
    if (pending) {
      await removeSpool(`${pending.uploadPath}.spool`);
      fs.rmSync(pending.uploadPath, { force: true });
      await this.repo.removePending(userId, id);
    }
    await this.repo.updateJob(userId, id, { status: 'declined', finished_at: new Date().toISOString() });
    return { ...job, status: 'declined' };
  }

  /** Whether an import of this person is writing now (running, with a live heartbeat). */
  async writing(userId: string): Promise<boolean> {
    return (await this.repo.listJobs(userId, Infinity)).some((j) => j.status === 'running' && !interrupted(j, this.staleMs));
  }

  private get staleMs(): number {
    return this.o.staleMs ?? 60_000;
  }

  /** Waits for every queued import (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  private async run(userId: string, job: ImportJob, file: { path: string; originalName: string }, signal: AbortSignal): Promise<void> {
    const update = (fields: Partial<ImportJob>) => this.repo.updateJob(userId, job.id, fields);
    // Before every write batch: not cancelled here, and the account not deleted since the job was
    // created (another worker's deletion: the tombstone rule, keys.ts).
    const startedAt = Date.parse(job.created_at);
    const mayWrite = async () => {
      signal.throwIfAborted();
      if (this.o.guard && !(await this.o.guard.mayWrite(userId, startedAt))) throw new ImportCancelled();
      signal.throwIfAborted();
    };
    // The job's lease: while this process holds it (renewed with the heartbeat) no other resumes it.
    const lease = this.repo.jobLease(userId, job.id);
    if (!(await lease.acquire(this.owner, this.staleMs))) {
      this.o.logger?.info({ job: job.id }, 'import is running in another process; not started here');
      return;
    }
    let heartbeat: NodeJS.Timeout | undefined;
    // The person's writer lease, held through the merge pass (renewed with the heartbeat).
    // Its owner names the job too: two jobs of one process must not both hold it.
    const writer = this.repo.writerLease(userId);
    const writerOwner = `${this.owner}#${job.id}`;
    let holdsWriter = false;
    let upload: OpenUpload | undefined;
    // Pass 1 writes its rows to spool files, read in order by pass 2.
    const spool = `${file.path}.spool`;
    const part = (k: number) => spoolPart(spool, k);
    let ended = false;
    // Pass 2 started (plays may be stored), how many new plays the checkpoint counts, and whether the version moved.
    let writing = false;
    let addedSoFar = job.plays_added ?? 0;
    let bumped = false;
    let cancelled = false;
    try {
      await mayWrite();
      await update({ status: 'running', resume_at: null });
      // A heartbeat while the job runs, so a job whose server died is told apart from a slow one.
      // A job record gone (the account deleted by another worker) cancels the job.
      heartbeat = setInterval(() => {
        Promise.all([update({}), lease.renew(this.owner, this.staleMs), holdsWriter ? writer.renew(writerOwner, this.staleMs) : undefined]).catch((err: Error) => {
          if (err instanceof JobGone) this.abortJob(job.id);
          else this.o.logger?.warn({ err, job: job.id }, 'import heartbeat failed');
        });
      }, Math.min(HEARTBEAT_MS, this.staleMs / 3));
      heartbeat.unref();
      const started = Date.now();
      upload = await readUpload(file, this.limits);
      const { sources, extras } = upload;
      if (sources.length === 0) {
        await update({ skipped: boundedSkipped(upload.skipped) });
        throw new ImportFailure(`No listening history found: no file of the upload holds Spotify streaming history${upload.skipped.length ? ` (${upload.skipped.length} file${upload.skipped.length === 1 ? '' : 's'} skipped; see the list)` : ''}.`);
      }
      // A job that was interrupted while writing continues from its checkpoint: its spool (pass 1's
      // output) is complete on disk, so pass 1 is not repeated.
      const resuming =
        job.phase === 'writing' && typeof job.spool_rows === 'number' && typeof job.spool_parts === 'number' &&
        Array.from({ length: job.spool_parts }, (_, k) => part(k)).every((f) => fs.existsSync(f));
      let rowsTotal = job.spool_rows ?? 0;
      let parts = job.spool_parts ?? 0;
      if (!resuming) {
        const progress = throttled(PROGRESS_MS, (p: SpoolProgress) =>
          update({ phase: 'reading', bytes_read: p.bytesRead, bytes_total: p.bytesTotal, files_done: p.filesDone, files_total: p.files, rows_read: p.rows }));
        const spooled = await spoolSources(sources, part, { parseWorker: this.parseWorkerScript, parallelMinBytes: this.o.parallelMinBytes, logger: this.o.logger, onProgress: progress.call, signal });
        await progress.settled();
        await mayWrite();
        await update({
          files: boundedFiles(sources.map((s, i) => ({ name: s.name, format: s.format, plays: spooled.perSource[i] }))),
          skipped: boundedSkipped(upload.skipped),
          episodes_read: spooled.episodes,
        });
        ({ rows: rowsTotal, parts } = spooled);
        await update({ phase: 'writing', spool_rows: rowsTotal, spool_parts: parts, checkpoint: 0, files_done: sources.length, files_total: sources.length, rows_read: rowsTotal, bytes_read: progress.latest()?.bytesRead ?? 0 });
      }
      // A backup of another account (or of an unknown one) is read and checked, then waits for the
      // person to confirm: nothing is written before. The spool stays; confirm continues from it.
      if (upload.origin && upload.origin.account_id !== userId && !job.confirmed) {
        await update({ status: 'needs_confirmation', confirmation: upload.origin, phase: 'writing', spool_rows: rowsTotal, spool_parts: parts, checkpoint: 0 });
        this.o.logger?.info({ job: job.id }, 'backup of another account: waiting for confirmation');
        return;
      }
      const pass1Ms = Date.now() - started;
      const checkpoint = resuming ? (job.checkpoint ?? 0) : 0;
      if (resuming) this.o.logger?.info({ job: job.id, checkpoint, rows: rowsTotal }, 'history import resumes from its checkpoint');

      // Pass 2: merge the spooled plays into day items in bounded batches.
      // The version before the merge, and the day items it writes: the after-import step reads them
      // from here rather than back from the store, when nothing else wrote meanwhile.
      const versionBefore = this.o.beforeDone ? (await this.repo.meta(userId)).version : 0;
      const writtenDays = new Map<string, StoredDay>();
      const known = await this.repo.dayDates(userId);
      // A job that never wrote before has undo records only of the days it records now: only those are read back.
      const recorded = job.phase === 'writing' ? undefined : new Set<string>();
      // A live capture or an undo rewriting days now finishes first (each holds it briefly; a crashed
      // holder's lease lapses), and neither starts while this pass holds it.
      while (!(await writer.acquire(writerOwner, this.staleMs))) {
        await sleep(WRITER_POLL_MS);
        signal.throwIfAborted();
      }
      holdsWriter = true;
      writing = true;
      const { read, added } = await mergeSpool({
        parts: Array.from({ length: parts }, (_, k) => part(k)),
        from: resuming ? { row: checkpoint, plays: job.checkpoint_plays ?? 0, added: job.plays_added } : { row: 0, plays: 0, added: 0 },
        merge: async (days) => {
          await mayWrite();
          const merged = await mergeDays(this.repo, userId, days, known, this.o.undo ? (added, encoded) => this.o.undo!.record(userId, job.id, added, { mayExist: recorded, encoded }) : undefined);
          if (this.o.beforeDone) for (const { date, item } of merged.written) writtenDays.set(date, item);
          return merged;
        },
        onCheckpoint: (c) => {
          addedSoFar = c.added;
          return update({ plays_read: c.plays, plays_added: c.added, checkpoint: c.row, checkpoint_plays: c.plays });
        },
        signal,
      });
      await mayWrite();
      if (extras) await this.o.backups?.applyExtras(userId, extras);
      await mayWrite();
      await this.repo.bumpVersion(userId);
      bumped = true;
      if (this.o.beforeDone) await this.o.beforeDone(userId, { version: versionBefore + 1, days: writtenDays, dates: known }).catch((err: unknown) => this.o.logger?.warn({ err, job: job.id }, 'after-import step failed'));
      await update({ status: 'done', plays_read: read, plays_added: added, checkpoint: rowsTotal, checkpoint_plays: read, finished_at: new Date().toISOString() });
      ended = true;
      this.o.logger?.info({ job: job.id, rows: rowsTotal, added, resumed: resuming, pass1Ms, pass2Ms: Date.now() - started - pass1Ms }, 'history import done');
    } catch (caught) {
      let err = caught;
      if (signal.aborted && !isCancelled(err)) err = signal.reason;
      if (isCancelled(err)) {
        // The account is being deleted: nothing more of the job is written; its files and pending entry go.
        // (Its record too: one created while the deletion ran, by an upload that was under way, is not swept.)
        this.o.logger?.info({ job: job.id, reason: (err as Error).message }, 'history import cancelled');
        ended = true;
        cancelled = true;
        await this.repo.deleteJob(userId, job.id).catch(() => undefined);
        return;
      }
      if (err instanceof InvalidEntry) err = new ImportFailure(err.message);
      if (isTransientStoreError(err)) {
        // The database stayed busy through every retry: wait, then continue from the checkpoint.
        const attempts = (job.attempts ?? 0) + 1;
        const delayMs = Math.min(RETRY_MAX_MS, (this.o.retryBaseMs ?? RETRY_BASE_MS) * 2 ** (attempts - 1));
        const resumeAt = new Date(Date.now() + delayMs).toISOString();
        this.o.logger?.warn({ err, job: job.id, resumeAt }, 'history import paused: the database is busy');
        try {
          await update({ status: 'waiting', attempts, resume_at: resumeAt, error: null });
        } catch (e) {
          if (!(e instanceof JobGone)) throw e;
          ended = true;
          return;
        }
        this.scheduleResume(delayMs);
        return;
      }
      const message =
        err instanceof ImportFailure || err instanceof MalformedJson
          ? err.message
          : err instanceof Error && /invalid|corrupt|zip|central directory|signature/i.test(err.message)
            ? `The upload is not a readable zip or JSON file (${err.message}).`
            : 'The import failed on our side; it has been logged. Try again.';
      if (!(err instanceof ImportFailure || err instanceof MalformedJson)) this.o.logger?.warn({ err, job: job.id }, 'history import failed');
      // Plays written before the failure stay (they are real plays, and a re-import skips them): the
      // job says how many, so its counters never claim "added 0" over stored plays.
      const written = writing ? await this.writtenBy(userId, job.id, addedSoFar) : 0;
      const kept = written > 0 ? ` ${written} new play${written === 1 ? ' was' : 's were'} written before it stopped and kept; importing the file again adds the rest, none twice (or undo this import to remove them).` : '';
      ended = true;
      await update({ status: 'failed', error: message + kept, ...(writing ? { plays_added: written } : {}), finished_at: new Date().toISOString() }).catch((e: unknown) => {
        if (!(e instanceof JobGone)) throw e;
      });
    } finally {
      clearInterval(heartbeat);
      upload?.close();
      if (holdsWriter) await writer.release(writerOwner).catch((e: unknown) => this.o.logger?.warn({ err: e, job: job.id }, 'could not release the history writer lease'));
      await lease.release(this.owner).catch((e: unknown) => this.o.logger?.warn({ err: e, job: job.id }, 'could not release an import lease'));
      // The upload and its spool stay on disk until the job has ended: a resumed job needs them.
      if (ended) {
        // However it ended (done, failed), cached statistics, taste and indexes are recomputed; a job
        // cancelled by the account's deletion writes nothing more (not even the version), and only
        // this process's memory of the person is dropped.
        if (cancelled) this.o.onImported?.(userId);
        else await this.invalidate(userId, job.id, bumped);
        await this.discard(userId, job.id, file.path);
      }
    }
  }

  private abortJob(jobId: string): void {
    this.active.get(jobId)?.controller.abort(new ImportCancelled());
  }

  /** What a job that stopped part-way wrote: counted from its undo record, else what its checkpoint says. */
  private async writtenBy(userId: string, jobId: string, checkpointed: number): Promise<number> {
    if (!this.o.undo) return checkpointed;
    try {
      return await this.o.undo.written(userId, jobId);
    } catch (err) {
      this.o.logger?.warn({ err, job: jobId }, 'could not count what a failed import wrote; its checkpoint count stands');
      return checkpointed;
    }
  }

  /** The counters of a job that ends without running again: what it wrote if it got to writing. */
  private async writtenFields(userId: string, job: ImportJob): Promise<Partial<ImportJob>> {
    return job.phase === 'writing' ? { plays_added: await this.writtenBy(userId, job.id, job.plays_added ?? 0) } : {};
  }

  /** A job ended: the history version moves (version-keyed caches) and this process forgets what it holds. */
  private async invalidate(userId: string, jobId: string, bumped: boolean): Promise<void> {
    if (!bumped) await this.repo.bumpVersion(userId).catch((err: unknown) => this.o.logger?.warn({ err, job: jobId }, 'could not bump the history version after an import'));
    this.o.onImported?.(userId);
  }

  /** The compiled parse worker next to this file (absent when running from TypeScript sources). */
  private get parseWorkerScript(): string | null {
    if (this.o.parseWorker !== undefined) return this.o.parseWorker;
    const script = path.join(__dirname, 'parseWorker.js');
    return fs.existsSync(script) ? script : null;
  }

  private resumeTimer: NodeJS.Timeout | undefined;

  /** Runs resumePending once after `ms` (a paused job's resume time). */
  private scheduleResume(ms: number): void {
    clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => void this.resumePending().catch((err: unknown) => this.o.logger?.warn({ err }, 'resuming imports failed')), ms + 50);
    this.resumeTimer.unref();
  }

  /**
   * Picks up imports that are not running anywhere: interrupted by a crash or a deploy (their
   * heartbeat stopped) or paused until their resume time. The job's lease lets only one process
   * (pm2 worker) take each: a crashed holder's lease lapses after the staleness time. Returns the jobs resumed.
   */
  async resumePending(): Promise<string[]> {
    const resumed: string[] = [];
    for (const { userId, jobId, uploadPath, fileName } of await this.repo.pendingJobs()) {
      if (this.mine.has(jobId)) continue;
      const job = await this.repo.getJob(userId, jobId);
      // A job whose record is gone, or whose account was deleted after it was created (the
      // tombstone rule, keys.ts), is never resumed: its upload and pending entry go (and its record).
      if (!job || (this.o.guard && (await this.o.guard.blocks(userId, Date.parse(job.created_at))))) {
        if (job) await this.repo.deleteJob(userId, jobId);
        await this.discard(userId, jobId, uploadPath);
        continue;
      }
      if (job.status === 'done' || job.status === 'failed') {
        await this.repo.removePending(userId, jobId);
        continue;
      }
      if (job.status === 'needs_confirmation') continue;
      if ((job.status === 'running' || job.status === 'queued') && !interrupted(job, this.staleMs)) continue;
      const crashed = job.status === 'running' && interrupted(job, this.staleMs);
      if (job.status === 'waiting' && job.resume_at && Date.parse(job.resume_at) > Date.now()) {
        this.scheduleResume(Date.parse(job.resume_at) - Date.now());
        continue;
      }
      if (!(await this.repo.jobLease(userId, jobId).acquire(this.owner, this.staleMs))) continue;
      const crashes = (job.crashes ?? 0) + (crashed ? 1 : 0);
      if (crashes >= MAX_CRASHES) {
        this.o.logger?.warn({ job: jobId, crashes }, 'history import failed: its server stopped twice while it ran');
        await this.repo.updateJob(userId, jobId, {
          status: 'failed', finished_at: new Date().toISOString(), crashes, ...(await this.writtenFields(userId, job)),
          error: `The import stopped its server ${crashes} times while it ran, so it was not tried again and the upload was removed. If the file is a real Spotify export, try again with the zip as Spotify sent it.`,
        });
        await this.invalidate(userId, jobId, false);
        await removeSpool(`${uploadPath}.spool`);
        await fs.promises.rm(uploadPath, { force: true });
        await this.repo.removePending(userId, jobId);
        continue;
      }
      if (crashed) await this.repo.updateJob(userId, jobId, { crashes });
      if (!fs.existsSync(uploadPath)) {
        await this.repo.updateJob(userId, jobId, {
          status: 'failed', finished_at: new Date().toISOString(), ...(await this.writtenFields(userId, job)),
          error: 'The import was interrupted and its upload is not on this server any more. Upload the file again: plays already imported are not counted twice.',
        });
        await this.invalidate(userId, jobId, false);
        await this.repo.removePending(userId, jobId);
        continue;
      }
      resumed.push(jobId);
      this.enqueue(userId, { ...job, status: 'queued' }, { path: uploadPath, originalName: fileName });
    }
    return resumed;
  }

  /** Resumes interrupted imports now and then (every worker may; the claim keeps it to one). */
  startResuming(everyMs = Math.min(30_000, this.staleMs)): void {
    const tick = () => void this.resumePending().catch((err: unknown) => this.o.logger?.warn({ err }, 'resuming imports failed'));
    tick();
    this.resumeInterval = setInterval(tick, everyMs);
    this.resumeInterval.unref();
  }

  private resumeInterval: NodeJS.Timeout | undefined;

  stopResuming(): void {
    clearInterval(this.resumeInterval);
    clearTimeout(this.resumeTimer);
  }

  static validateUploadName(name: string): void {
    if (!/\.(zip|json)$/i.test(name)) throw new BadRequest('Upload the export as downloaded (a .zip) or one of its .json files.', 'unsupported_file');
  }
}
