import zlib from 'node:zlib';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { flagOf, packFlags, playKey, type Play, type PlayKind } from '../history/play';
import type { Store } from './Store';

/**
 * Listening history, one item per user per UTC day (app table):
 *   pk="HIST#<userId>"  sk="D#<YYYY-MM-DD>"
 *     z      deflated text of three parts joined by "\n":
 *              dict   JSON [[name, artist, album|null, trackId|null, kind], ...]   what was played that day
 *              meta   JSON {"p": [platforms], "c": [countries]}
 *              plays  "sec,dict,ms,flags,platform,country" rows joined by "\n" (sec = seconds into the day)
 *     n      rows (all kinds); count, ms: music entries and their milliseconds, for quick totals
 * A 10-year history is about 3,650 items, each a few kilobytes.
 *   pk="USER#<userId>"  sk="HISTMETA"      version (bumped by every import), totals
 *   pk="USER#<userId>"  sk="IMPORT#<id>"   an import job
 *   pk="IMPORTS#pending" sk="<userId>#<id>" an import not yet ended, with its upload's path (resumed after a crash)
 */
const DAY_MS = 86_400_000;
const KINDS: PlayKind[] = ['music', 'episode', 'audiobook'];

export interface HistoryMeta {
  version: number;
  updated_at: string | null;
}

export interface ImportJob {
  id: string;
  /** waiting: paused (the database was busy) or interrupted (the server stopped); it resumes by itself. */
  status: 'queued' | 'running' | 'waiting' | 'done' | 'failed';
  file_name: string;
  plays_read: number;
  plays_added: number;
  episodes_read: number;
  files: string[];
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
  /** When a paused job continues (ISO), and how many times it paused. */
  resume_at?: string | null;
  attempts?: number;
}

const dayNames = new Map<number, string>();

/** The UTC date of an instant, as YYYY-MM-DD (memoised: an import asks for the same few thousand days). */
export function dayOf(ts: number): string {
  const day = Math.floor(ts / DAY_MS);
  let name = dayNames.get(day);
  if (name === undefined) {
    name = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dayNames.size < 100_000) dayNames.set(day, name);
  }
  return name;
}

/** Encodes one day's plays compactly; the inverse of decodeDay. */
export function encodeDay(date: string, plays: Play[]): Record<string, unknown> {
  const dayStart = Date.parse(`${date}T00:00:00Z`);
  const dict: (string | number | null)[][] = [];
  const dictIndex = new Map<string, number>();
  const platforms: string[] = [];
  const countries: string[] = [];
  const idx = (list: string[], v: string | null) => {
    if (v === null) return -1;
    let i = list.indexOf(v);
    if (i < 0) i = list.push(v) - 1;
    return i;
  };
  const rows: string[] = [];
  let count = 0;
  let ms = 0;
  for (const p of [...plays].sort((a, b) => a.ts - b.ts)) {
    const key = `${p.kind}|${p.artist}|${p.name}|${p.album ?? ''}|${p.trackId ?? ''}`;
    let d = dictIndex.get(key);
    if (d === undefined) {
      d = dict.push([p.name, p.artist, p.album, p.trackId, KINDS.indexOf(p.kind)]) - 1;
      dictIndex.set(key, d);
    }
    rows.push(`${Math.round((p.ts - dayStart) / 1000)},${d},${p.ms},${packFlags(p)},${idx(platforms, p.platform)},${idx(countries, p.country)}`);
    if (p.kind === 'music') {
      count++;
      ms += p.ms;
    }
  }
  // dict, meta and plays travel deflated in one binary attribute: each day item is about a third of
  // the size, which is what a DynamoDB write costs (and what dynalite spends its time on).
  const payload = `${JSON.stringify(dict)}\n${JSON.stringify({ p: platforms, c: countries })}\n${rows.join('\n')}`;
  return { z: zlib.deflateRawSync(payload, { level: 1 }), n: rows.length, count, ms };
}

/** The day item's parts as text: dict (JSON), meta (JSON) and the play rows. */
export function dayParts(item: Record<string, unknown>): { dict: string; meta: string; plays: string } {
  if (item.z) {
    const text = zlib.inflateRawSync(item.z as Uint8Array).toString('utf8');
    const a = text.indexOf('\n');
    const b = text.indexOf('\n', a + 1);
    return { dict: text.slice(0, a), meta: text.slice(a + 1, b), plays: text.slice(b + 1) };
  }
  return { dict: String(item.dict ?? '[]'), meta: String(item.meta ?? '{"p":[],"c":[]}'), plays: String(item.plays ?? '') };
}

export function decodeDay(date: string, item: Record<string, unknown>): Play[] {
  const dayStart = Date.parse(`${date}T00:00:00Z`);
  const parts = dayParts(item);
  const dict = JSON.parse(parts.dict) as [string, string, string | null, string | null, number][];
  const meta = JSON.parse(parts.meta) as { p: string[]; c: string[] };
  const text = parts.plays;
  if (!text) return [];
  return text.split('\n').map((row) => {
    const [sec, d, ms, f, pl, co] = row.split(',').map(Number);
    const [name, artist, album, trackId, kind] = dict[d];
    return {
      ts: dayStart + sec * 1000,
      kind: KINDS[kind],
      name,
      artist,
      album,
      trackId,
      ms,
      skipped: flagOf(f, 'skipped'),
      shuffle: flagOf(f, 'shuffle'),
      offline: flagOf(f, 'offline'),
      incognito: flagOf(f, 'incognito'),
      platform: pl >= 0 ? meta.p[pl] : null,
      country: co >= 0 ? meta.c[co] : null,
    };
  });
}

export class HistoryRepository {
  constructor(private readonly store: Store) {}

  private get table(): string {
    return this.store.tables.app;
  }

  /**
   * Merges plays into their day items: existing plays stay, a play already there (same minute,
   * same track: playKey) is not added again. Returns how many music plays were new.
   */
  async mergeDays(userId: string, days: Map<string, Play[]>, known?: Set<string>): Promise<{ added: number; items: number; plays: number }> {
    // Only days that may exist are read: all of them, or those in `known` (kept up to date here).
    const dates = [...days.keys()].filter((d) => !known || known.has(d));
    const existing = new Map<string, Play[]>();
    const found = dates.length ? await this.store.batchGet(this.table, dates.map((d) => ({ pk: `HIST#${userId}`, sk: `D#${d}` }))) : [];
    for (const item of found) {
      const date = String(item.sk).slice(2);
      existing.set(date, decodeDay(date, item));
    }
    let added = 0;
    let music = 0;
    const items: Record<string, unknown>[] = [];
    for (const [date, plays] of days) {
      for (const p of plays) if (p.kind === 'music') music++;
      const before = existing.get(date) ?? [];
      const keys = new Set(before.map(playKey));
      const merged = [...before];
      for (const p of plays) {
        const k = playKey(p);
        if (keys.has(k)) continue;
        keys.add(k);
        merged.push(p);
        if (p.kind === 'music') added++;
      }
      if (merged.length !== before.length) items.push({ pk: `HIST#${userId}`, sk: `D#${date}`, ...encodeDay(date, merged) });
    }
    if (items.length) await this.store.batchPut(this.table, items, { concurrency: 8 });
    if (known) for (const d of days.keys()) known.add(d);
    return { added, items: items.length, plays: music };
  }

  /** The dates that have a day item, from a keys-only Query (cheap even for ten years). */
  async dayDates(userId: string): Promise<Set<string>> {
    const items = await this.store.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
      ProjectionExpression: 'sk',
      ExpressionAttributeValues: { ':pk': `HIST#${userId}`, ':d': 'D#' },
    });
    return new Set(items.map((item) => String(item.sk).slice(2)));
  }


  /** Every day item of a user, oldest first, decoded lazily by the caller. */
  async allDays(userId: string): Promise<{ date: string; item: Record<string, unknown> }[]> {
    const items = await this.store.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
      ExpressionAttributeValues: { ':pk': `HIST#${userId}`, ':d': 'D#' },
    });
    return items.map((item) => ({ date: String(item.sk).slice(2), item }));
  }

  async meta(userId: string): Promise<HistoryMeta> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `USER#${userId}`, sk: 'HISTMETA' }, ConsistentRead: true }));
    return { version: (out.Item?.version as number) ?? 0, updated_at: (out.Item?.updated_at as string) ?? null };
  }

  async bumpVersion(userId: string): Promise<void> {
    await this.store.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `USER#${userId}`, sk: 'HISTMETA' },
        UpdateExpression: 'ADD version :one SET updated_at = :t',
        ExpressionAttributeValues: { ':one': 1, ':t': new Date().toISOString() },
      }),
    );
  }

  async putJob(userId: string, job: ImportJob): Promise<void> {
    await this.store.doc.send(new PutCommand({ TableName: this.table, Item: { pk: `USER#${userId}`, sk: `IMPORT#${job.id}`, ...job } }));
  }

  async updateJob(userId: string, id: string, fields: Partial<ImportJob>): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries({ ...fields, updated_at: new Date().toISOString() }).map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
    await this.store.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `USER#${userId}`, sk: `IMPORT#${id}` },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async getJob(userId: string, id: string): Promise<ImportJob | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `USER#${userId}`, sk: `IMPORT#${id}` }, ConsistentRead: true }));
    if (!out.Item) return null;
    const { pk: _pk, sk: _sk, ...job } = out.Item;
    return job as ImportJob;
  }

  async addPending(userId: string, jobId: string, uploadPath: string, fileName: string): Promise<void> {
    await this.store.doc.send(new PutCommand({ TableName: this.table, Item: { pk: 'IMPORTS#pending', sk: `${userId}#${jobId}`, user_id: userId, job_id: jobId, upload_path: uploadPath, file_name: fileName } }));
  }

  async removePending(userId: string, jobId: string): Promise<void> {
    await this.store.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: 'IMPORTS#pending', sk: `${userId}#${jobId}` } }));
  }

  async pendingJobs(): Promise<{ userId: string; jobId: string; uploadPath: string; fileName: string }[]> {
    const items = await this.store.queryAll({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'IMPORTS#pending' } });
    return items.map((i) => ({ userId: String(i.user_id), jobId: String(i.job_id), uploadPath: String(i.upload_path), fileName: String(i.file_name) }));
  }

  /** Takes an interrupted or paused job for this process: only if nobody touched it since `seen`. */
  async claimJob(userId: string, jobId: string, seen: string): Promise<boolean> {
    try {
      await this.store.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `USER#${userId}`, sk: `IMPORT#${jobId}` },
          UpdateExpression: 'SET updated_at = :now',
          ConditionExpression: 'updated_at = :seen',
          ExpressionAttributeValues: { ':now': new Date().toISOString(), ':seen': seen },
        }),
      );
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  async listJobs(userId: string, limit = 10): Promise<ImportJob[]> {
    const out = await this.store.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :i)',
        ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':i': 'IMPORT#' },
      }),
    );
    return (out.Items ?? [])
      .map(({ pk: _pk, sk: _sk, ...job }) => job as ImportJob)
      .sort((a, b) => b.created_at.localeCompare(a.created_at))
      .slice(0, limit);
  }
}
