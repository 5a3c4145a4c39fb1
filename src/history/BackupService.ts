import { PassThrough, type Readable } from 'node:stream';
import yazl from 'yazl';
import { z } from 'zod';
import { NotFound } from '../errors';
import { countingRulesSchema, type CountingRules } from './countingRules';
import { InvalidEntry } from './import/exportFormats';
import { type Play, type PlayKind } from './play';
import { isTimeZone } from './timeZones';
import type { DailySnapshot, DashboardRepository } from '../store/DashboardRepository';
import { decodeDay, type HistoryRepository } from '../store/HistoryRepository';
import type { UserRepository } from '../store/UserRepository';
import { csvField } from '../services/csv';

/**
 * A person's data as a zip they can keep or restore elsewhere (never tokens or share links):
 *   manifest.json     what this is, the format version and counts
 *   settings.json     time zone, counting rules
 *   history.jsonl     one play per line, every kind, oldest first (what restore reads)
 *   history.csv       the same, for spreadsheets
 *   snapshots.jsonl   the dashboard's daily top-items snapshots, one day per line
 *   snapshots.csv     the same, one ranked item per row
 * Every byte is a function of the stored data (fixed entry times, sorted rows), so export →
 * restore → export gives identical files. Restore goes through the history importer, which
 * recognises the manifest.
 */
export const BACKUP_FORMAT = 'spotify-data-app-backup';
export const BACKUP_VERSION = 1;
const ENTRY_TIME = new Date('2000-01-01T00:00:00Z');
const KINDS: PlayKind[] = ['music', 'episode', 'audiobook'];

export const HISTORY_COLUMNS = ['ts', 'kind', 'name', 'artist', 'album', 'track_id', 'ms_played', 'skipped', 'shuffle', 'offline', 'incognito', 'platform', 'country'] as const;

export interface BackupSettings {
  time_zone: string;
  counting_rules: CountingRules;
}

export interface BackupExtras {
  settings: BackupSettings | null;
  snapshots: DailySnapshot[];
}

const isoSeconds = (ts: number) => new Date(ts).toISOString().replace(/\.\d{3}Z$/, 'Z');

function playRecord(p: Play): Record<(typeof HISTORY_COLUMNS)[number], unknown> {
  return {
    ts: isoSeconds(p.ts), kind: p.kind, name: p.name, artist: p.artist, album: p.album, track_id: p.trackId, ms_played: p.ms,
    skipped: p.skipped, shuffle: p.shuffle, offline: p.offline, incognito: p.incognito, platform: p.platform, country: p.country,
  };
}

const nullableBool = z.boolean().nullable();
const nullableText = z.string().min(1).max(500).nullable();
const lineSchema = z.object({
  ts: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
  kind: z.enum(['music', 'episode', 'audiobook']),
  name: z.string().min(1).max(500),
  artist: z.string().min(1).max(500),
  album: nullableText,
  track_id: z.string().regex(/^[0-9A-Za-z]{22}$/).nullable(),
  ms_played: z.number().int().min(0).max(24 * 3600_000),
  skipped: nullableBool, shuffle: nullableBool, offline: nullableBool, incognito: nullableBool,
  platform: nullableText, country: nullableText,
}).strict();

/** A history.jsonl line back into a play; anything off is an InvalidEntry naming the field. */
export function playFromLine(raw: unknown): Play {
  const r = lineSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new InvalidEntry(`${issue.path.join('.') || 'line'}: ${issue.message}`);
  }
  const l = r.data;
  const ts = Date.parse(l.ts);
  if (!Number.isFinite(ts)) throw new InvalidEntry(`ts: not a date (${l.ts})`);
  return {
    ts, kind: l.kind, name: l.name, artist: l.artist, album: l.album, trackId: l.track_id, ms: l.ms_played,
    skipped: l.skipped, shuffle: l.shuffle, offline: l.offline, incognito: l.incognito, platform: l.platform, country: l.country,
  };
}

const manifestSchema = z.object({ format: z.literal(BACKUP_FORMAT), version: z.literal(BACKUP_VERSION) }).passthrough();
const settingsSchema = z.object({
  time_zone: z.string().max(64).refine(isTimeZone, 'not a known time zone'),
  counting_rules: countingRulesSchema,
}).strict();
const itemList = z.array(z.object({ id: z.string().max(100), name: z.string().max(500) }).strict()).max(100);
const snapshotSchema = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  ranges: z.record(z.enum(['short_term', 'medium_term', 'long_term']), z.object({ artists: itemList, tracks: itemList }).strict()),
}).strict();

/** Whether a manifest is ours; throws a readable message when it is ours but unusable. */
export function checkManifest(raw: unknown): void {
  const r = manifestSchema.safeParse(raw);
  if (!r.success) throw new InvalidEntry(`manifest.json is not a ${BACKUP_FORMAT} version ${BACKUP_VERSION} manifest`);
}

/** settings.json and snapshots.jsonl of a backup, validated before anything is written. */
export function parseExtras(settingsText: string | null, snapshotsText: string | null): BackupExtras {
  let settings: BackupSettings | null = null;
  if (settingsText !== null) {
    const r = settingsSchema.safeParse(JSON.parse(settingsText));
    if (!r.success) throw new InvalidEntry(`settings.json: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    settings = r.data as BackupSettings;
  }
  const snapshots: DailySnapshot[] = [];
  (snapshotsText ?? '').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new InvalidEntry(`snapshots.jsonl: line ${i + 1} is not JSON`);
    }
    const r = snapshotSchema.safeParse(raw);
    if (!r.success) throw new InvalidEntry(`snapshots.jsonl: line ${i + 1}: ${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`);
    snapshots.push(r.data as DailySnapshot);
  });
  return { settings, snapshots };
}

export class BackupService {
  constructor(
    private readonly o: { history: HistoryRepository; users: UserRepository; dashboard: DashboardRepository },
  ) {}

  /** The zip as a stream; the whole history is read first (day items are small), then written out. */
  async exportZip(userId: string): Promise<Readable> {
    const user = await this.o.users.get(userId);
    if (!user) throw new NotFound('No such user');
    const days = (await this.o.history.allDays(userId)).sort((a, b) => a.date.localeCompare(b.date));
    const snapshots = (await this.o.dashboard.allDaily(userId)).sort((a, b) => a.date.localeCompare(b.date));
    let plays = 0;
    for (const d of days) plays += Number(d.item.n) || 0;

    const zip = new yazl.ZipFile();
    const add = (name: string, text: string) => zip.addBuffer(Buffer.from(text, 'utf8'), name, { mtime: ENTRY_TIME, mode: 0o100644 });
    const files = ['manifest.json', 'settings.json', 'history.jsonl', 'history.csv', 'snapshots.jsonl', 'snapshots.csv'];
    add('manifest.json', `${JSON.stringify({ format: BACKUP_FORMAT, version: BACKUP_VERSION, files, counts: { plays, snapshot_days: snapshots.length } }, null, 2)}\n`);
    const settings: BackupSettings = { time_zone: user.timeZone, counting_rules: user.countingRules };
    add('settings.json', `${JSON.stringify(settings, null, 2)}\n`);
    // Plays are decoded a day at a time as the zip pulls them, so memory holds one day's text.
    const sorted = (d: { date: string; item: Record<string, unknown> }) => decodeDay(d.date, d.item).sort(byTimeThenName);
    zip.addReadStream(streamOf(days, (d) => sorted(d).map((p) => `${JSON.stringify(playRecord(p))}\n`).join('')), 'history.jsonl', { mtime: ENTRY_TIME, mode: 0o100644 });
    zip.addReadStream(
      streamOf([null, ...days], (d) => (d === null ? `${HISTORY_COLUMNS.join(',')}\r\n` : sorted(d).map((p) => `${Object.values(playRecord(p)).map(csvField).join(',')}\r\n`).join(''))),
      'history.csv',
      { mtime: ENTRY_TIME, mode: 0o100644 },
    );
    add('snapshots.jsonl', snapshots.map((s) => `${JSON.stringify({ date: s.date, ranges: s.ranges })}\n`).join(''));
    const rows = ['date,range,kind,rank,id,name'];
    for (const s of snapshots) {
      for (const [range, r] of Object.entries(s.ranges)) {
        for (const kind of ['artists', 'tracks'] as const) r[kind].forEach((x, i) => rows.push([s.date, range, kind, i + 1, x.id, x.name].map(csvField).join(',')));
      }
    }
    add('snapshots.csv', `${rows.join('\r\n')}\r\n`);
    zip.end();
    return zip.outputStream as unknown as Readable;
  }

  /** What a restore writes besides the plays: settings and snapshots (the importer validated them). */
  async applyExtras(userId: string, extras: BackupExtras): Promise<void> {
    if (extras.settings) {
      await this.o.users.setTimeZone(userId, extras.settings.time_zone);
      await this.o.users.setCountingRules(userId, extras.settings.counting_rules);
    }
    for (const s of extras.snapshots) await this.o.dashboard.putDaily(userId, s);
  }
}

/** A total order on plays, so a day's rows come out the same however they were stored. */
function byTimeThenName(a: Play, b: Play): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  if (a.kind !== b.kind) return KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind);
  const x = `${a.artist}\u0000${a.name}`;
  const y = `${b.artist}\u0000${b.name}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A readable that renders one item at a time, only when the consumer asks for more. */
function streamOf<T>(items: T[], render: (item: T) => string): Readable {
  const out = new PassThrough();
  let i = 0;
  const pump = () => {
    while (i < items.length) {
      const text = render(items[i++]);
      if (text && !out.write(text)) return void out.once('drain', pump);
    }
    out.end();
  };
  pump();
  return out;
}
