import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import yauzl from 'yauzl';
import { BadRequest, NotFound } from '../../errors';
import { formatOf, InvalidEntry, type HistoryFormat } from './exportFormats';
import { type Play } from '../play';
import { jsonArrayBatches, MalformedJson } from './jsonArrayStream';
import { parseRange, type ParseRange, type ParseResult } from './parseWorker';
import { exportPlays, InvalidHistory, writeSpoolRows, type SpoolRow } from './spool';
import type { HistoryRepository, ImportJob } from '../../store/HistoryRepository';
import { dayOf } from '../dayCodec';
import { mergeDays } from '../mergeDays';
import { Limiter } from '../../util/Limiter';
import { checkManifest, parseExtras, playFromLine, type BackupExtras } from '../backupFormat';

export interface ImportLimits {
  /** Largest uncompressed history file accepted (each zip entry or a plain JSON upload). */
  maxEntryBytes: number;
  /** Largest total of uncompressed history files in one zip. */
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio of an entry: beyond it a zip is a bomb, not an export. */
  maxRatio: number;
  maxEntries: number;
}

export const DEFAULT_LIMITS: ImportLimits = {
  maxEntryBytes: 300 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  maxRatio: 100,
  maxEntries: 2000,
};

/** A running job writes a heartbeat at least this often; one silent for longer was interrupted. */
const HEARTBEAT_MS = 10_000;

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

/** Removes every spool file of an upload. */
async function removeSpool(spool: string): Promise<void> {
  const dir = path.dirname(spool);
  const prefix = `${path.basename(spool)}.`;
  for (const name of await fs.promises.readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith(prefix)) await fs.promises.rm(path.join(dir, name), { force: true });
  }
}

/** Failures worth waiting out: the database busy after every SDK retry, or unreachable for a moment. */
function isTransient(err: unknown): boolean {
  const e = err as { name?: string; code?: string };
  return /Throttling|ProvisionedThroughputExceeded|RequestLimitExceeded|StoreError|TimeoutError/.test(e.name ?? '') || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].includes(e.code ?? '');
}

/** A paused import waits 30 s, then twice as long each time, up to 10 minutes. */
const RETRY_BASE_MS = 30_000;
const RETRY_MAX_MS = 10 * 60_000;

/** Plays held in memory before they are merged into their day items; keeps memory flat. */
const FLUSH_PLAYS = 25_000;

/** Plain export files at least this large are parsed in two halves at once (parallelSpool). */
const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

interface Source {
  name: string;
  /** The file on disk, for a plain (not zipped) upload. */
  path?: string;
  /** 'backup': history.jsonl of this app's own export (BackupService), one play per line. */
  format: HistoryFormat | 'backup' | null;
  open(): Promise<Readable>;
}

/** Plays read from a backup's JSON Lines per batch. */
const LINES_PER_BATCH = 2000;
/** manifest.json, settings.json and snapshots.jsonl of a backup are read whole; they are small. */
const BACKUP_SIDE_FILE_MAX = 32 * 1024 * 1024;

/** What the person sees when an import fails: the file and where in it, never a stack trace. */
class ImportFailure extends Error {}

/**
 * Imports a Spotify data export (the zip as downloaded, or one JSON file) as a background job.
 * Two passes over the files: the first validates everything (JSON shape, entry fields, zip safety)
 * and counts, so a bad file fails the job before anything is written; the second streams the plays
 * into day items (HistoryRepository.mergeDays), which is idempotent: re-importing adds nothing twice.
 */
export class HistoryImportService {
  private readonly queue = new Limiter(1);
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly repo: HistoryRepository,
    private readonly o: {
      uploadDir: string;
      logger?: Logger;
      limits?: Partial<ImportLimits>;
      onImported?: (userId: string) => void;
      /** The compiled parse worker (null: never parse in parallel); default: next to this file when built. */
      parseWorker?: string | null;
      /** Smallest plain file parsed in two halves at once. */
      parallelMinBytes?: number;
      /** First wait of a paused import (doubling each time, up to 10 minutes); default 30 s. */
      retryBaseMs?: number;
      /** A backup's settings and snapshots, written after its plays. */
      onRestore?: (userId: string, extras: BackupExtras) => Promise<void>;
      staleMs?: number;
    },
  ) {
    fs.mkdirSync(o.uploadDir, { recursive: true });
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

  private enqueue(userId: string, job: ImportJob, file: { path: string; originalName: string }): void {
    this.mine.add(job.id);
    const run = this.queue
      .run(() => this.run(userId, job, file))
      .catch((err: unknown) => this.o.logger?.error({ err, job: job.id }, 'import job crashed'))
      .finally(() => {
        this.mine.delete(job.id);
        this.running.delete(run);
      });
    this.running.add(run);
  }

  async job(userId: string, id: string): Promise<ImportJob> {
    const job = await this.repo.getJob(userId, id);
    if (!job) throw new NotFound('No such import');
    return withStaleness(job, this.staleMs);
  }

  async jobs(userId: string): Promise<ImportJob[]> {
    return (await this.repo.listJobs(userId)).map((j) => withStaleness(j, this.staleMs));
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

  private async run(userId: string, job: ImportJob, file: { path: string; originalName: string }): Promise<void> {
    const update = (fields: Partial<ImportJob>) => this.repo.updateJob(userId, job.id, fields);
    await update({ status: 'running', resume_at: null });
    // A heartbeat while the job runs, so a job whose server died is told apart from a slow one.
    const heartbeat = setInterval(() => {
      update({}).catch((err: Error) => this.o.logger?.warn({ err, job: job.id }, 'import heartbeat failed'));
    }, Math.min(HEARTBEAT_MS, this.staleMs / 3));
    heartbeat.unref();
    let zip: yauzl.ZipFile | undefined;
    // Pass 1 writes its rows to spool files (each a JSON array: one per file, two per file parsed
    // in halves), read in order by pass 2.
    const spool = `${file.path}.spool`;
    const part = (k: number) => `${spool}.${k}`;
    let ended = false;
    try {
      const started = Date.now();
      const { sources, backup } = await this.sources(file, (z) => (zip = z));
      if (sources.length === 0) throw new ImportFailure('No listening history found: the zip holds no StreamingHistory or Streaming_History_Audio files.');
      // A backup's side files are checked with everything else, before anything is written.
      const extras = backup ? await backup() : null;
      // A job that was interrupted while writing continues from its checkpoint: its spool (pass 1's
      // output) is complete on disk, so pass 1 is not repeated.
      const resuming =
        job.phase === 'writing' && typeof job.spool_rows === 'number' && typeof job.spool_parts === 'number' &&
        Array.from({ length: job.spool_parts }, (_, k) => part(k)).every((f) => fs.existsSync(f));
      let rowsTotal = job.spool_rows ?? 0;
      let parts = job.spool_parts ?? 0;
      if (!resuming) {
        ({ rows: rowsTotal, parts } = await this.spoolPlays(sources, part, (episodes) => update({ files: sources.map((s) => s.name), episodes_read: episodes })));
        await update({ phase: 'writing', spool_rows: rowsTotal, spool_parts: parts, checkpoint: 0 });
      }
      const pass1Ms = Date.now() - started;
      const checkpoint = resuming ? (job.checkpoint ?? 0) : 0;
      if (resuming) this.o.logger?.info({ job: job.id, checkpoint, rows: rowsTotal }, 'history import resumes from its checkpoint');

      // Pass 2: merge the spooled plays into day items in bounded batches.
      const known = await this.repo.dayDates(userId);
      let read = resuming ? (job.checkpoint_plays ?? 0) : 0;
      let added = resuming ? job.plays_added : 0;
      let buffered = new Map<string, Play[]>();
      let count = 0;
      let music = 0;
      let row = 0;
      // Merges run while the next batch is parsed (the database works on its own thread), up to three
      // at once; a merge waits for any running merge that touches one of its days, so no two ever
      // read-modify-write the same day item at the same time. The checkpoint is the end of the
      // longest run of finished batches from the start: everything before it is written.
      const inflight: { days: Set<string>; done: Promise<void> }[] = [];
      const finished: { end: number; music: number }[] = [];
      let safeRow = checkpoint;
      let safePlays = read;
      const batchStarts: number[] = [];
      const flush = async () => {
        if (count === 0) return;
        const batch = buffered;
        const range = { start: row - count, end: row, music };
        buffered = new Map();
        count = 0;
        music = 0;
        batchStarts.push(range.start);
        const days = new Set(batch.keys());
        const blockers = inflight.filter((m) => [...days].some((d) => m.days.has(d))).map((m) => m.done);
        if (inflight.length >= 3) blockers.push(inflight[0].done);
        const entry = { days, done: Promise.resolve() };
        entry.done = Promise.all(blockers)
          .then(() => mergeDays(this.repo, userId, batch, known))
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
            await update({ plays_read: safePlays, plays_added: added, checkpoint: safeRow, checkpoint_plays: safePlays });
          })
          .finally(() => inflight.splice(inflight.indexOf(entry), 1));
        entry.done.catch(() => undefined); // surfaced when awaited below
        inflight.push(entry);
        if (inflight.length >= 3) await inflight[0].done;
      };
      for (let k = 0; k < parts; k++) for await (const rows of jsonArrayBatches<SpoolRow>(fs.createReadStream(part(k)), 'spool')) {
        for (const r of rows) {
          if (row++ < checkpoint) continue;
          const play: Play = {
            ts: r[0], kind: r[1], name: r[2], artist: r[3], album: r[4], trackId: r[5], ms: r[6],
            skipped: r[7], shuffle: r[8], offline: r[9], incognito: r[10], platform: r[11], country: r[12],
          };
          const day = dayOf(play.ts);
          const list = buffered.get(day);
          if (list) list.push(play);
          else buffered.set(day, [play]);
          count++;
          if (play.kind === 'music') {
            music++;
            read++;
          }
        }
        if (count >= FLUSH_PLAYS) await flush();
      }
      await flush();
      while (inflight.length) await inflight[0].done;
      if (extras) await this.o.onRestore?.(userId, extras);
      await this.repo.bumpVersion(userId);
      await update({ status: 'done', plays_read: read, plays_added: added, checkpoint: rowsTotal, checkpoint_plays: read, finished_at: new Date().toISOString() });
      ended = true;
      this.o.onImported?.(userId);
      this.o.logger?.info({ job: job.id, rows: rowsTotal, added, resumed: resuming, pass1Ms, pass2Ms: Date.now() - started - pass1Ms }, 'history import done');
    } catch (caught) {
      let err = caught;
      if (err instanceof InvalidEntry) err = new ImportFailure(err.message);
      if (isTransient(err)) {
        // The database stayed busy through every retry: wait, then continue from the checkpoint.
        const attempts = (job.attempts ?? 0) + 1;
        const delayMs = Math.min(RETRY_MAX_MS, (this.o.retryBaseMs ?? RETRY_BASE_MS) * 2 ** (attempts - 1));
        const resumeAt = new Date(Date.now() + delayMs).toISOString();
        this.o.logger?.warn({ err, job: job.id, resumeAt }, 'history import paused: the database is busy');
        await update({ status: 'waiting', attempts, resume_at: resumeAt, error: null });
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
      await update({ status: 'failed', error: message, finished_at: new Date().toISOString() });
      ended = true;
    } finally {
      clearInterval(heartbeat);
      zip?.close();
      // The upload and its spool stay on disk until the job has ended: a resumed job needs them.
      if (ended) {
        await removeSpool(spool);
        fs.rm(file.path, { force: true }, () => undefined);
        await this.repo.removePending(userId, job.id).catch((e: unknown) => this.o.logger?.warn({ err: e, job: job.id }, 'could not remove a finished import from the pending list'));
      }
    }
  }

  /** Pass 1: every play of every source, validated, into spool files. Returns rows and files. */
  private async spoolPlays(sources: Source[], part: (k: number) => string, onRead: (episodes: number) => Promise<void>): Promise<{ rows: number; parts: number }> {
    let rows = 0;
    let parts = 0;
    let episodes = 0;
    for (const src of sources) {
      const parallel = await this.parallelSpool(src, part(parts), part(parts + 1));
      if (parallel) {
        rows += parallel.rows;
        episodes += parallel.episodes;
        parts += 2;
        continue;
      }
      const out = fs.createWriteStream(part(parts++));
      try {
        out.write('[');
        const counts = await writeSpoolRows(this.plays(src), out, true);
        out.write(']');
        rows += counts.rows;
        episodes += counts.episodes;
      } finally {
        await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      }
    }
    await onRead(episodes);
    return { rows, parts };
  }

  /**
   * A large plain export file is parsed in two halves at once, the first in a worker thread (JSON
   * parsing is most of an import's work, and a second core is usually idle). The file is cut between
   * two elements (`}` `,` `{`); the cut is proven right when both halves parse as complete arrays.
   * Anything else (a cut inside a string, an invalid file, no worker) returns null, and the file is
   * read the ordinary way, which also gives exact error positions.
   */
  private async parallelSpool(src: Source, firstPart: string, secondPart: string): Promise<{ rows: number; episodes: number } | null> {
    const script = this.parseWorkerScript;
    if (!script || !src.path || src.format === 'backup') return null;
    const size = (await fs.promises.stat(src.path)).size;
    if (size < (this.o.parallelMinBytes ?? PARALLEL_MIN_BYTES)) return null;
    const window = Buffer.alloc(Math.min(1 << 18, size));
    const windowStart = Math.max(0, Math.floor(size / 2) - window.length / 2);
    const fd = await fs.promises.open(src.path, 'r');
    try {
      await fd.read(window, 0, window.length, windowStart);
    } finally {
      await fd.close();
    }
    const m = /\}\s*,\s*\{/.exec(window.toString('latin1'));
    if (!m) return null;
    const endBrace = windowStart + m.index;
    const openBrace = windowStart + m.index + m[0].length - 1;
    const first: ParseRange = { kind: 'sda-parse-range', file: src.path, name: src.name, format: src.format, start: 0, end: endBrace + 1, prefix: '', suffix: ']', part: firstPart };
    const second: ParseRange = { kind: 'sda-parse-range', file: src.path, name: src.name, format: src.format, start: openBrace, end: size, prefix: '[', suffix: '', part: secondPart };
    const inWorker = new Promise<ParseResult>((resolve) => {
      // The worker's heap is kept small: it streams its half, so memory stays flat whatever the size.
      const worker = new Worker(script, { workerData: first, resourceLimits: { maxOldGenerationSizeMb: 64 } });
      worker.once('message', (r: ParseResult) => resolve(r));
      worker.once('error', (err) => resolve({ ok: false, message: err.message }));
      worker.once('exit', (code) => resolve({ ok: false, message: `parse worker exited with ${code}` }));
    });
    const [a, b] = await Promise.all([inWorker, parseRange(second)]);
    if (a.ok && b.ok) this.o.logger?.info({ file: src.name, rows: a.rows + b.rows }, 'parsed in two halves at once');
    if (!a.ok || !b.ok) {
      // Awaited: the one-pass read writes the first of these files again.
      await Promise.all([first.part, second.part].map((f) => fs.promises.rm(f, { force: true })));
      this.o.logger?.info({ file: src.name, first: a.ok || a.message, second: b.ok || b.message }, 'parallel parse not used: reading the file in one pass');
      return null;
    }
    return { rows: a.rows + b.rows, episodes: a.episodes + b.episodes };
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
   * heartbeat stopped) or paused until their resume time. A conditional claim on the job item lets
   * only one process (pm2 worker) take each. Returns the jobs resumed.
   */
  async resumePending(): Promise<string[]> {
    const resumed: string[] = [];
    for (const { userId, jobId, uploadPath, fileName } of await this.repo.pendingJobs()) {
      const job = await this.repo.getJob(userId, jobId);
      if (!job || job.status === 'done' || job.status === 'failed') {
        await this.repo.removePending(userId, jobId);
        continue;
      }
      if (this.mine.has(jobId)) continue;
      if ((job.status === 'running' || job.status === 'queued') && !interrupted(job, this.staleMs)) continue;
      if (job.status === 'waiting' && job.resume_at && Date.parse(job.resume_at) > Date.now()) {
        this.scheduleResume(Date.parse(job.resume_at) - Date.now());
        continue;
      }
      if (!(await this.repo.claimJob(userId, jobId, job.updated_at))) continue;
      if (!fs.existsSync(uploadPath)) {
        await this.repo.updateJob(userId, jobId, {
          status: 'failed', finished_at: new Date().toISOString(),
          error: 'The import was interrupted and its upload is not on this server any more. Upload the file again: plays already imported are not counted twice.',
        });
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

  /** Plays of one source, validated, a batch at a time; errors name the file and the entry. */
  private async *plays(src: Source): AsyncGenerator<Play[]> {
    if (src.format === 'backup') {
      yield* this.backupPlays(src);
      return;
    }
    try {
      yield* exportPlays(await src.open(), src.name, src.format);
    } catch (err) {
      throw err instanceof InvalidHistory ? new ImportFailure(err.message) : err;
    }
  }

  /** A backup's history.jsonl, a batch of lines at a time; errors name the line. */
  private async *backupPlays(src: Source): AsyncGenerator<Play[]> {
    const lines = readline.createInterface({ input: await src.open(), crlfDelay: Infinity });
    let batch: Play[] = [];
    let n = 0;
    for await (const line of lines) {
      n++;
      if (!line.trim()) continue;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        throw new ImportFailure(`${src.name}: line ${n} is not JSON.`);
      }
      try {
        batch.push(playFromLine(raw));
      } catch (err) {
        if (err instanceof InvalidEntry) throw new ImportFailure(`${src.name}: line ${n}: ${err.message}`);
        throw err;
      }
      if (batch.length >= LINES_PER_BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }

  /**
   * The history files of the upload: the zip's matching entries (checked for safety) or the file
   * itself. A zip with this app's manifest.json is a backup: its history.jsonl is the source, and
   * `backup` reads and validates its settings and snapshots.
   */
  private async sources(
    file: { path: string; originalName: string },
    keep: (z: yauzl.ZipFile) => void,
  ): Promise<{ sources: Source[]; backup?: () => Promise<BackupExtras> }> {
    const limits = this.limits;
    const head = Buffer.alloc(4);
    const fd = await fs.promises.open(file.path, 'r');
    try {
      await fd.read(head, 0, 4, 0);
    } finally {
      await fd.close();
    }
    if (head.readUInt32LE(0) !== 0x04034b50) {
      const size = (await fs.promises.stat(file.path)).size;
      if (size > limits.maxEntryBytes) throw new ImportFailure(`The file is larger than ${limits.maxEntryBytes / 2 ** 20} MB.`);
      return { sources: [{ name: path.basename(file.originalName), path: file.path, format: formatOf(file.originalName), open: async () => fs.createReadStream(file.path) }] };
    }
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(file.path, { lazyEntries: true, validateEntrySizes: true, autoClose: false }, (err, z) => (err ? reject(err) : resolve(z!))),
    );
    keep(zip);
    const entries: yauzl.Entry[] = [];
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        entries.push(e);
        if (entries.length > limits.maxEntries) return reject(new ImportFailure(`The zip has more than ${limits.maxEntries} entries.`));
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      // yauzl itself refuses entry names with "..", absolute paths or backslashes.
      zip.on('error', (err: Error) =>
        reject(/relative path|absolute path|invalid characters/i.test(err.message) ? new ImportFailure(`The zip contains an unsafe path (${err.message}); it was rejected.`) : err),
      );
      zip.readEntry();
    });
    const sources: Source[] = [];
    const open = (e: yauzl.Entry) => new Promise<Readable>((resolve, reject) => zip.openReadStream(e, (err, s) => (err ? reject(err) : resolve(s!))));
    const byName = new Map(entries.map((e) => [e.fileName, e]));
    const manifest = byName.get('manifest.json');
    if (manifest) {
      const text = async (name: string) => {
        const e = byName.get(name);
        if (!e) return null;
        if (e.uncompressedSize > BACKUP_SIDE_FILE_MAX) throw new ImportFailure(`${name} is larger than ${BACKUP_SIDE_FILE_MAX / 2 ** 20} MB.`);
        const chunks: Buffer[] = [];
        for await (const chunk of await open(e)) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks).toString('utf8');
      };
      const parse = (name: string, t: string) => {
        try {
          return JSON.parse(t) as unknown;
        } catch {
          throw new ImportFailure(`${name} is not valid JSON.`);
        }
      };
      checkManifest(parse('manifest.json', (await text('manifest.json'))!));
      const history = byName.get('history.jsonl');
      if (!history) throw new ImportFailure('The backup has no history.jsonl.');
      if (history.uncompressedSize > limits.maxTotalBytes) throw new ImportFailure(`history.jsonl is larger than ${limits.maxTotalBytes / 2 ** 30} GB uncompressed.`);
      return {
        sources: [{ name: 'history.jsonl', format: 'backup', open: () => open(history) }],
        backup: async () => parseExtras(await text('settings.json'), await text('snapshots.jsonl')),
      };
    }
    let total = 0;
    for (const e of entries) {
      const name = e.fileName;
      // Path tricks: absolute paths, drive letters, parent directories, backslashes.
      if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.split(/[\\/]/).includes('..')) {
        throw new ImportFailure(`The zip contains an unsafe path (${JSON.stringify(name.slice(0, 100))}); it was rejected.`);
      }
      if (name.endsWith('/')) continue;
      const format = formatOf(name);
      if (!format) continue; // not history: ignored
      if (e.uncompressedSize > limits.maxEntryBytes) throw new ImportFailure(`${name} is larger than ${limits.maxEntryBytes / 2 ** 20} MB uncompressed.`);
      if (e.compressedSize > 0 && e.uncompressedSize / e.compressedSize > limits.maxRatio && e.uncompressedSize > 10 * 2 ** 20) {
        throw new ImportFailure(`${name} expands ${Math.round(e.uncompressedSize / e.compressedSize)}× when unpacked: rejected as a zip bomb.`);
      }
      total += e.uncompressedSize;
      if (total > limits.maxTotalBytes) throw new ImportFailure(`The history files add up to more than ${limits.maxTotalBytes / 2 ** 30} GB uncompressed.`);
      sources.push({ name, format, open: () => open(e) });
    }
    return { sources: sources.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })) };
  }

  static validateUploadName(name: string): void {
    if (!/\.(zip|json)$/i.test(name)) throw new BadRequest('Upload the export as downloaded (a .zip) or one of its .json files.', 'unsupported_file');
  }
}
