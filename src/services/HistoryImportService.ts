import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import yauzl from 'yauzl';
import { BadRequest, NotFound } from '../errors';
import { formatOf, InvalidEntry, toPlay, type HistoryFormat, type Play } from '../history/formats';
import { jsonArrayBatches, MalformedJson } from '../history/jsonArrayStream';
import { dayOf, type HistoryRepository, type ImportJob } from '../store/HistoryRepository';
import { Limiter } from '../util/Limiter';
import { checkManifest, parseExtras, playFromLine, type BackupExtras } from './BackupService';

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

/** A job whose process died (crash, deploy) stays "running" in the table; say what happened. */
function withStaleness(job: ImportJob, staleMs: number): ImportJob {
  if ((job.status === 'running' || job.status === 'queued') && Date.now() - Date.parse(job.updated_at) > staleMs) {
    return {
      ...job,
      status: 'failed',
      error: 'The import was interrupted (the server stopped while it ran). Upload the file again: plays already imported are not counted twice.',
    };
  }
  return job;
}

/** Plays held in memory before they are merged into their day items; keeps memory flat. */
const FLUSH_PLAYS = 25_000;

type SpoolRow = [number, Play['kind'], string, string, string | null, string | null, number, boolean | null, boolean | null, boolean | null, boolean | null, string | null, string | null];

interface Source {
  name: string;
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
    const run = this.queue
      .run(() => this.run(userId, job, file))
      .catch((err: unknown) => this.o.logger?.error({ err, job: job.id }, 'import job crashed'))
      .finally(() => {
        fs.rm(file.path, { force: true }, () => undefined);
        this.running.delete(run);
      });
    this.running.add(run);
    return job;
  }

  async job(userId: string, id: string): Promise<ImportJob> {
    const job = await this.repo.getJob(userId, id);
    if (!job) throw new NotFound('No such import');
    return withStaleness(job, this.staleMs);
  }

  async jobs(userId: string): Promise<ImportJob[]> {
    return (await this.repo.listJobs(userId)).map((j) => withStaleness(j, this.staleMs));
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
    await update({ status: 'running' });
    // A heartbeat while the job runs, so a job whose server died is told apart from a slow one.
    const heartbeat = setInterval(() => {
      update({}).catch((err: Error) => this.o.logger?.warn({ err, job: job.id }, 'import heartbeat failed'));
    }, Math.min(HEARTBEAT_MS, this.staleMs / 3));
    heartbeat.unref();
    let zip: yauzl.ZipFile | undefined;
    let spoolPath: string | undefined;
    try {
      const { sources, backup } = await this.sources(file, (z) => (zip = z));
      if (sources.length === 0) throw new ImportFailure('No listening history found: the zip holds no StreamingHistory or Streaming_History_Audio files.');
      // A backup's side files are checked with everything else, before anything is written.
      const extras = backup ? await backup() : null;
      // Pass 1: parse, validate and normalise every file, writing nothing to the database: the plays
      // go to a compact spool file on disk (memory stays flat), or the job fails here.
      const started = Date.now();
      const spool = `${file.path}.spool`;
      spoolPath = spool;
      const out = fs.createWriteStream(spool);
      let pendingText = '[';
      const spoolWrite = async (text: string) => {
        if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
      };
      let total = 0;
      let episodes = 0;
      let written = false;
      for (const src of sources) {
        for await (const plays of this.plays(src)) {
          if (plays.length === 0) continue;
          const rows = plays.map((p) => {
            if (p.kind === 'music') total++;
            else episodes++;
            return [p.ts, p.kind, p.name, p.artist, p.album, p.trackId, p.ms, p.skipped, p.shuffle, p.offline, p.incognito, p.platform, p.country];
          });
          // One stringify per batch; the array's brackets are dropped so batches join into one array.
          const text = JSON.stringify(rows);
          pendingText += `${pendingText.length > 1 || written ? ',' : ''}${text.slice(1, -1)}\n`;
          if (pendingText.length > 1 << 20) {
            written = true;
            await spoolWrite(pendingText);
            pendingText = '';
          }
        }
      }
      await spoolWrite(pendingText + '\n]');
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      await update({ files: sources.map((s) => s.name), episodes_read: episodes });

      const pass1Ms = Date.now() - started;
      // Pass 2: merge the spooled plays into day items in bounded batches.
      const known = await this.repo.dayDates(userId);
      let read = 0;
      let added = 0;
      let merged = 0;
      let buffered = new Map<string, Play[]>();
      let count = 0;
      // Merges run while the next batch is parsed (the database works on its own thread), up to three
      // at once; a merge waits for any running merge that touches one of its days, so no two ever
      // read-modify-write the same day item at the same time.
      const inflight: { days: Set<string>; done: Promise<void> }[] = [];
      const flush = async () => {
        if (count === 0) return;
        const batch = buffered;
        buffered = new Map();
        count = 0;
        const days = new Set(batch.keys());
        const blockers = inflight.filter((m) => [...days].some((d) => m.days.has(d))).map((m) => m.done);
        if (inflight.length >= 3) blockers.push(inflight[0].done);
        const entry = { days, done: Promise.resolve() };
        entry.done = Promise.all(blockers)
          .then(() => this.repo.mergeDays(userId, batch, known))
          .then(async (res) => {
            added += res.added;
            merged += res.plays;
            await update({ plays_read: merged, plays_added: added });
          })
          .finally(() => inflight.splice(inflight.indexOf(entry), 1));
        entry.done.catch(() => undefined); // surfaced when awaited below
        inflight.push(entry);
        if (inflight.length >= 3) await inflight[0].done;
      };
      for await (const rows of jsonArrayBatches<SpoolRow>(fs.createReadStream(spool), 'spool')) {
        for (const row of rows) {
          const play: Play = {
            ts: row[0], kind: row[1], name: row[2], artist: row[3], album: row[4], trackId: row[5], ms: row[6],
            skipped: row[7], shuffle: row[8], offline: row[9], incognito: row[10], platform: row[11], country: row[12],
          };
          const day = dayOf(play.ts);
          const list = buffered.get(day);
          if (list) list.push(play);
          else buffered.set(day, [play]);
          count++;
          if (play.kind === 'music') read++;
        }
        if (count >= FLUSH_PLAYS) await flush();
      }
      await flush();
      while (inflight.length) await inflight[0].done;
      if (extras) await this.o.onRestore?.(userId, extras);
      await this.repo.bumpVersion(userId);
      await update({ status: 'done', plays_read: read, plays_added: added, finished_at: new Date().toISOString() });
      this.o.onImported?.(userId);
      this.o.logger?.info({ job: job.id, plays: total, added, episodes, pass1Ms, pass2Ms: Date.now() - started - pass1Ms }, 'history import done');
    } catch (err) {
      if (err instanceof InvalidEntry) err = new ImportFailure(err.message);
      const message =
        err instanceof ImportFailure || err instanceof MalformedJson
          ? err.message
          : err instanceof Error && /invalid|corrupt|zip|central directory|signature/i.test(err.message)
            ? `The upload is not a readable zip or JSON file (${err.message}).`
            : 'The import failed on our side; it has been logged. Try again.';
      if (!(err instanceof ImportFailure || err instanceof MalformedJson)) this.o.logger?.warn({ err, job: job.id }, 'history import failed');
      await update({ status: 'failed', error: message, finished_at: new Date().toISOString() });
    } finally {
      clearInterval(heartbeat);
      zip?.close();
      if (spoolPath) fs.rm(spoolPath, { force: true }, () => undefined);
    }
  }

  /** Plays of one source, validated, a batch at a time; errors name the file and the entry. */
  private async *plays(src: Source): AsyncGenerator<Play[]> {
    if (src.format === 'backup') {
      yield* this.backupPlays(src);
      return;
    }
    let format = src.format;
    let index = 0;
    for await (const entries of jsonArrayBatches(await src.open(), src.name)) {
      const plays: Play[] = [];
      for (const entry of entries) {
        if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new ImportFailure(`${src.name}: entry ${index + 1} is not an object.`);
        format ??= 'ts' in entry ? 'extended' : 'endTime' in entry ? ('episodeName' in entry ? 'account-podcast' : 'account') : null;
        if (!format) throw new ImportFailure(`${src.name}: entry 1 is not a Spotify streaming history entry (no "ts" or "endTime").`);
        try {
          const play = toPlay(format, entry);
          if (play) plays.push(play);
        } catch (err) {
          if (err instanceof InvalidEntry) throw new ImportFailure(`${src.name}: entry ${index + 1}: ${err.message}`);
          throw err;
        }
        index++;
      }
      yield plays;
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
      return { sources: [{ name: path.basename(file.originalName), format: formatOf(file.originalName), open: async () => fs.createReadStream(file.path) }] };
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
