import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { APP_KEY, historyPk, IMPORTS_PENDING_PK, SK_PREFIX, userPk } from './keys';
import { SplitItems } from './itemParts';
import { Lease, liveHolder, type LeaseHolder } from './Lease';
import type { Store } from './Store';
import { isConditionalFailure } from './storeErrors';

/** An update of an import job whose record is gone (its account was deleted): nothing was written. */
export class JobGone extends Error {
  constructor(readonly jobId: string) {
    super(`import job ${jobId} no longer exists`);
    this.name = 'JobGone';
  }
}

/** A day item's attributes besides its key, as the day codec (src/history/dayCodec.ts) made them. */
export type StoredDay = Record<string, unknown>;

/**
 * Listening history (app table; the keys are in keys.ts): one item per user per UTC day, opaque
 * here (its attributes are what src/history/dayCodec.ts writes and reads); the history meta item
 * (a version bumped by every import); import jobs, their pending list (resumed after a crash) and
 * each job's lease.
 */
export interface HistoryMeta {
  version: number;
  updated_at: string | null;
}

/** Whose backup an upload is, from its manifest (account null: a backup made before manifests named it). */
export interface BackupOrigin {
  account_id: string | null;
  display_name: string | null;
  plays: number | null;
  first_play: string | null;
  last_play: string | null;
}

export interface ImportedFile {
  name: string;
  format: string | null;
  plays: number;
}

export interface ImportJob {
  id: string;
  /**
   * waiting: paused (the database was busy) or interrupted (the server stopped); it resumes by itself.
   * needs_confirmation: a backup of another account, read and checked, waiting for the person to
   * confirm (confirmation says whose); declined: they did not. undone: its plays were removed.
   */
  status: 'queued' | 'running' | 'waiting' | 'done' | 'failed' | 'needs_confirmation' | 'declined' | 'undone';
  confirmation?: BackupOrigin | null;
  /** Set when the person confirmed a restore of another account's backup. */
  confirmed?: boolean;
  undone_at?: string | null;
  /** Music plays removed by undo. */
  plays_removed?: number;
  file_name: string;
  plays_read: number;
  plays_added: number;
  episodes_read: number;
  /** The files read, each with its format and the plays (entries of every kind) it held. */
  files: ImportedFile[];
  /** The files of the upload not read, and why. */
  skipped?: { name: string; reason: string }[];
  error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  /** reading (pass 1: validating into the spool) or writing (pass 2: merging into day items). */
  phase?: 'reading' | 'writing';
  /** Spool rows in total (in spool_parts files), and how many from the start are written for sure. */
  spool_rows?: number;
  spool_parts?: number;
  checkpoint?: number;
  /** Music plays among the checkpointed rows. */
  checkpoint_plays?: number;
  /** Pass 1's progress: bytes of the history files read (of bytes_total, null when unknown), files done (of files_total), rows read. */
  bytes_read?: number;
  bytes_total?: number | null;
  files_done?: number;
  files_total?: number;
  rows_read?: number;
  /** When a paused job continues (ISO), and how many times it paused. */
  resume_at?: string | null;
  attempts?: number;
  /** How many times the job was found interrupted (its server died while it ran) and resumed. */
  crashes?: number;
}

/** A day's head item ("D#<date>"), not one of its parts ("D#<date>#<gen>.<i>"). */
const isDayHead = (sk: string) => sk.length === SK_PREFIX.historyDay.length + 10;
/**
 * An all-time statistics document kept at write time (HistoryStatsService): the answer for one
 * history version, time zone and counting rules (`tag`), as JSON text split into parts so every
 * item stays far below DynamoDB's 400 KB limit. Keys: pk="HIST#<userId>" sk="AGG#stats#<part>"
 * (swept with the history on account deletion; not under "D#", so day Queries never see it).
 */
export interface StatsAggregate {
  version: number;
  tag: string;
  body: string;
}

const AGG_SK = 'AGG#stats#';
/** UTF-16 units per part: at most 3 UTF-8 bytes each, so a part is at most 240 KB marshalled. */
const AGG_PART_CHARS = 80_000;
const AGG_PART_MAX_BYTES = 300_000;

/** Splits text into parts of at most `size` UTF-16 units, never between the halves of a surrogate pair. */
export function splitText(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + size);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    parts.push(text.slice(i, end));
    i = end;
  }
  return parts.length ? parts : [''];
}

export class HistoryRepository {
  /** Day items and their parts (a day too large for one item is split: itemParts.ts, keys.ts). */
  private readonly split: SplitItems;

  constructor(private readonly store: Store) {
    this.split = new SplitItems(store, () => this.table);
  }

  private get table(): string {
    return this.store.tables.app;
  }

  /** The stored days of these dates that exist (items as the day codec wrote them, split ones joined). */
  async getDays(userId: string, dates: string[]): Promise<Map<string, StoredDay>> {
    const found = await this.split.getMany(dates.map((d) => APP_KEY.historyDay(userId, d)));
    const days = new Map<string, StoredDay>();
    for (const { pk: _pk, sk, ...item } of found) days.set(String(sk).slice(SK_PREFIX.historyDay.length), item);
    return days;
  }

  /**
   * Writes stored days (replacing what was there). A day over the item budget is split into parts;
   * every item is measured before anything is written, and a day's parts are written before its head.
   */
  async putDays(userId: string, days: { date: string; item: StoredDay }[]): Promise<void> {
    await this.split.putMany(days.map(({ date, item }) => ({ ...item, ...APP_KEY.historyDay(userId, date) })), { concurrency: 8 });
  }

  /** The dates that have a day item, from a keys-only Query (cheap even for ten years). */
  async dayDates(userId: string): Promise<Set<string>> {
    const items = await this.store.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
      ProjectionExpression: 'sk',
      ExpressionAttributeValues: { ':pk': historyPk(userId), ':d': SK_PREFIX.historyDay },
    });
    return new Set(items.filter((item) => isDayHead(String(item.sk))).map((item) => String(item.sk).slice(SK_PREFIX.historyDay.length)));
  }

  /** Every day item of a user, oldest first (split ones joined), decoded lazily by the caller. */
  async allDays(userId: string): Promise<{ date: string; item: StoredDay }[]> {
    const items = await this.store.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
      ExpressionAttributeValues: { ':pk': historyPk(userId), ':d': SK_PREFIX.historyDay },
    });
    return (await this.split.fromQuery(items, isDayHead)).map(({ pk: _pk, sk, ...item }) => ({ date: String(sk).slice(SK_PREFIX.historyDay.length), item }));
  }

  async meta(userId: string): Promise<HistoryMeta> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: APP_KEY.historyMeta(userId), ConsistentRead: true }));
    return { version: (out.Item?.version as number) ?? 0, updated_at: (out.Item?.updated_at as string) ?? null };
  }

  async bumpVersion(userId: string): Promise<void> {
    await this.store.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: APP_KEY.historyMeta(userId),
        UpdateExpression: 'ADD version :one SET updated_at = :t',
        ExpressionAttributeValues: { ':one': 1, ':t': new Date().toISOString() },
      }),
    );
  }

  /** The stored all-time statistics document, or null when missing or half-written (parts of different writes). */
  async getStatsAggregate(userId: string): Promise<StatsAggregate | null> {
    const items = await this.store.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
      ConsistentRead: true,
      ExpressionAttributeValues: { ':pk': historyPk(userId), ':a': AGG_SK },
    });
    const head = items.find((i) => i.sk === `${AGG_SK}000`);
    if (!head) return null;
    const n = Number(head.parts);
    const parts: string[] = [];
    for (let k = 0; k < n; k++) {
      const item = items.find((i) => i.sk === `${AGG_SK}${String(k).padStart(3, '0')}`);
      if (!item || item.stamp !== head.stamp || typeof item.body !== 'string') return null;
      parts.push(item.body);
    }
    return { version: Number(head.version), tag: String(head.tag), body: parts.join('') };
  }

  /**
   * Writes the all-time statistics document in parts (part 0 last, so readers see the new parts
   * only once all are there; a stamp ties the parts of one write together). Each part's marshalled
   * size is checked before anything is written.
   */
  async putStatsAggregate(userId: string, agg: StatsAggregate): Promise<void> {
    const stamp = `${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 10)}`;
    const bodies = splitText(agg.body, AGG_PART_CHARS);
    if (bodies.length > 999) throw new Error('statistics document too large to store');
    const items = bodies.map((body, k) => ({
      pk: historyPk(userId), sk: `${AGG_SK}${String(k).padStart(3, '0')}`, stamp, version: agg.version, tag: agg.tag, parts: bodies.length, body,
    }));
    for (const item of items) {
      const bytes = Buffer.byteLength(JSON.stringify(item), 'utf8');
      if (bytes > AGG_PART_MAX_BYTES) throw new Error(`statistics part of ${bytes} bytes would be too close to the 400 KB item limit`);
    }
    if (items.length > 1) await this.store.batchPut(this.table, items.slice(1));
    await this.store.doc.send(new PutCommand({ TableName: this.table, Item: items[0] }));
  }

  async putJob(userId: string, job: ImportJob): Promise<void> {
    await this.store.doc.send(new PutCommand({ TableName: this.table, Item: { ...APP_KEY.importJob(userId, job.id), ...job } }));
  }

  /** Updates an existing job record only (never creates one: a deleted job stays deleted); JobGone when it is not there. */
  async updateJob(userId: string, id: string, fields: Partial<ImportJob>): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries({ ...fields, updated_at: new Date().toISOString() }).map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
    try {
      await this.store.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: APP_KEY.importJob(userId, id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      if (isConditionalFailure(err)) throw new JobGone(id);
      throw err;
    }
  }

  async deleteJob(userId: string, id: string): Promise<void> {
    await this.store.doc.send(new DeleteCommand({ TableName: this.table, Key: APP_KEY.importJob(userId, id) }));
  }

  async getJob(userId: string, id: string): Promise<ImportJob | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: APP_KEY.importJob(userId, id), ConsistentRead: true }));
    if (!out.Item) return null;
    const { pk: _pk, sk: _sk, ...job } = out.Item;
    return job as ImportJob;
  }

  async addPending(userId: string, jobId: string, uploadPath: string, fileName: string): Promise<void> {
    await this.store.doc.send(new PutCommand({ TableName: this.table, Item: { ...APP_KEY.pendingImport(userId, jobId), user_id: userId, job_id: jobId, upload_path: uploadPath, file_name: fileName } }));
  }

  async removePending(userId: string, jobId: string): Promise<void> {
    await this.store.doc.send(new DeleteCommand({ TableName: this.table, Key: APP_KEY.pendingImport(userId, jobId) }));
  }

  async pendingJobs(): Promise<{ userId: string; jobId: string; uploadPath: string; fileName: string }[]> {
    const items = await this.store.queryAll({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': IMPORTS_PENDING_PK } });
    return items.map((i) => ({ userId: String(i.user_id), jobId: String(i.job_id), uploadPath: String(i.upload_path), fileName: String(i.file_name) }));
  }

  /** The lease of one import job: the process running it holds it, so exactly one process resumes it. */
  jobLease(userId: string, jobId: string): Lease {
    return new Lease(this.store, this.table, APP_KEY.importLease(userId, jobId));
  }

  /**
   * The one lease every read-merge-write of the person's day items holds (an import's merge pass,
   * a live capture, an undo), in every process: two of them reading the same day and writing it
   * back would lose the plays of whichever wrote first. An import waits for it; capture and undo
   * take it or step aside.
   */
  writerLease(userId: string): Lease {
    return new Lease(this.store, this.table, APP_KEY.historyWriter(userId));
  }

  /** The live holders of the person's import-job leases (the processes running their imports now). */
  async importLeaseHolders(userId: string, now = Date.now()): Promise<LeaseHolder[]> {
    const items = await this.store.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :l)',
      ExpressionAttributeValues: { ':pk': userPk(userId), ':l': APP_KEY.importLease(userId, '').sk },
    });
    return items.map((i) => liveHolder(i, now)).filter((h): h is LeaseHolder => h !== null);
  }

  async listJobs(userId: string, limit = 10): Promise<ImportJob[]> {
    const out = await this.store.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :i)',
        ExpressionAttributeValues: { ':pk': userPk(userId), ':i': SK_PREFIX.importJob },
      }),
    );
    return (out.Items ?? [])
      .map(({ pk: _pk, sk: _sk, ...job }) => job as ImportJob)
      .sort((a, b) => b.created_at.localeCompare(a.created_at))
      .slice(0, limit);
  }
}
