import { z } from 'zod';
import type { DailySnapshot } from '../store/DashboardRepository';
import type { BackupOrigin } from '../store/HistoryRepository';
import { countingRulesSchema, type CountingRules } from './countingRules';
import { InvalidEntry, type Play } from './play';
import { isTimeZone } from './timeZones';
import { SPOTIFY_ID } from '../spotify/ids';
import { TIME_RANGES, type TimeRange } from '../spotify/SpotifyClient';

/**
 * The app's own backup zip, as written by BackupService and read back by the importer
 * (import/backupSource.ts): its identity, the play record, and the validation of what it holds.
 *   manifest.json     what this is, the format version and counts
 *   settings.json     time zone, counting rules
 *   history.jsonl     one play per line, every kind, oldest first (what restore reads)
 *   history.csv       the same, for spreadsheets
 *   snapshots.jsonl   the dashboard's daily top-items snapshots, one day per line
 *   snapshots.csv     the same, one ranked item per row
 */
export const BACKUP_FORMAT = 'spotify-data-app-backup';
export const BACKUP_VERSION = 1;

export const HISTORY_COLUMNS = ['ts', 'kind', 'name', 'artist', 'album', 'track_id', 'ms_played', 'skipped', 'shuffle', 'offline', 'incognito', 'platform', 'country', 'skip_inferred'] as const;

export interface BackupSettings {
  time_zone: string;
  counting_rules: CountingRules;
}

export interface BackupExtras {
  settings: BackupSettings | null;
  snapshots: DailySnapshot[];
}

const isoSeconds = (ts: number) => new Date(ts).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A play as one backup record (a history.jsonl line, a history.csv row). */
export function playRecord(p: Play): Record<(typeof HISTORY_COLUMNS)[number], unknown> {
  return {
    ts: isoSeconds(p.ts), kind: p.kind, name: p.name, artist: p.artist, album: p.album, track_id: p.trackId, ms_played: p.ms,
    skipped: p.skipped, shuffle: p.shuffle, offline: p.offline, incognito: p.incognito, platform: p.platform, country: p.country,
    skip_inferred: p.skipInferred === true,
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
  track_id: z.string().regex(SPOTIFY_ID).nullable(),
  ms_played: z.number().int().min(0).max(24 * 3600_000),
  skipped: nullableBool, shuffle: nullableBool, offline: nullableBool, incognito: nullableBool,
  platform: nullableText, country: nullableText,
  // Absent in backups made before skips were read from reason_end.
  skip_inferred: z.boolean().optional(),
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
  const play: Play = {
    ts, kind: l.kind, name: l.name, artist: l.artist, album: l.album, trackId: l.track_id, ms: l.ms_played,
    skipped: l.skipped, shuffle: l.shuffle, offline: l.offline, incognito: l.incognito, platform: l.platform, country: l.country,
  };
  if (l.skip_inferred && l.skipped !== null) play.skipInferred = true;
  return play;
}

const manifestSchema = z.object({ format: z.literal(BACKUP_FORMAT), version: z.literal(BACKUP_VERSION) }).passthrough();
const settingsSchema = z.object({
  time_zone: z.string().max(64).refine(isTimeZone, 'not a known time zone'),
  counting_rules: countingRulesSchema,
}).strict();
const itemList = z.array(z.object({ id: z.string().max(100), name: z.string().max(500) }).strict()).max(100);
const snapshotSchema = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  ranges: z.record(z.enum(TIME_RANGES as [TimeRange, ...TimeRange[]]), z.object({ artists: itemList, tracks: itemList }).strict()),
}).strict();

/** Whether a manifest is ours; throws a readable message when it is ours but unusable. */
export function checkManifest(raw: unknown): BackupOrigin {
  const r = manifestSchema.safeParse(raw);
  if (!r.success) throw new InvalidEntry(`manifest.json is not a ${BACKUP_FORMAT} version ${BACKUP_VERSION} manifest`);
  const a = originSchema.safeParse((raw as { account?: unknown }).account);
  const plays = (raw as { counts?: { plays?: unknown } }).counts?.plays;
  const count = typeof plays === 'number' && Number.isInteger(plays) && plays >= 0 ? plays : null;
  // A manifest without an account (older backups) is of an unknown account: never taken as the person's own.
  if (!a.success) return { account_id: null, display_name: null, plays: count, first_play: null, last_play: null };
  return { account_id: a.data.id, display_name: a.data.display_name, plays: count, first_play: a.data.first_play, last_play: a.data.last_play };
}

const isoOrNull = z.string().max(40).nullable();
const originSchema = z.object({ id: z.string().min(1).max(200), display_name: z.string().max(500).nullable(), first_play: isoOrNull, last_play: isoOrNull });

/** settings.json and snapshots.jsonl of a backup, validated before anything is written. */
export function parseExtras(settingsText: string | null, snapshotsText: string | null): BackupExtras {
  let settings: BackupSettings | null = null;
  if (settingsText !== null) {
    let raw: unknown;
    try {
      raw = JSON.parse(settingsText);
    } catch {
      throw new InvalidEntry('settings.json is not valid JSON');
    }
    const r = settingsSchema.safeParse(raw);
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
