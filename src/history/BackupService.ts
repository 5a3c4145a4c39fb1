import { PassThrough, type Readable } from 'node:stream';
import yazl from 'yazl';
import { NotFound } from '../errors';
import { csvField } from '../services/csv';
import type { DashboardRepository } from '../store/DashboardRepository';
import type { HistoryRepository } from '../store/HistoryRepository';
import type { UserRepository } from '../store/UserRepository';
import { BACKUP_FORMAT, BACKUP_VERSION, HISTORY_COLUMNS, playRecord, type BackupExtras, type BackupSettings } from './backupFormat';
import { dayRowCount, decodeDay, type StoredDay } from './dayCodec';
import { PLAY_KINDS, type Play } from './play';

const ENTRY_TIME = new Date('2000-01-01T00:00:00Z');

/**
 * A person's data as a zip they can keep or restore elsewhere (never tokens or share links), in
 * the layout of backupFormat.ts. Every byte is a function of the stored data (fixed entry times,
 * sorted rows), so export → restore → export gives identical files. Restore goes through the
 * history importer (its backup source recognises the manifest); it hands the settings and
 * snapshots to applyExtras.
 */
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
    for (const d of days) plays += dayRowCount(d.item);
    // Whose history this is and what it spans, so a restore into another account can say so.
    const edge = (d: { date: string; item: StoredDay } | undefined, pick: (ts: number[]) => number) => {
      const ts = d ? decodeDay(d.date, d.item).map((p) => p.ts) : [];
      return ts.length ? new Date(pick(ts)).toISOString() : null;
    };
    const account = {
      id: userId, display_name: user.displayName,
      first_play: edge(days.find((d) => dayRowCount(d.item) > 0), (ts) => Math.min(...ts)),
      last_play: edge([...days].reverse().find((d) => dayRowCount(d.item) > 0), (ts) => Math.max(...ts)),
    };

    const zip = new yazl.ZipFile();
    const add = (name: string, text: string) => zip.addBuffer(Buffer.from(text, 'utf8'), name, { mtime: ENTRY_TIME, mode: 0o100644 });
    const files = ['manifest.json', 'settings.json', 'history.jsonl', 'history.csv', 'snapshots.jsonl', 'snapshots.csv'];
    add('manifest.json', `${JSON.stringify({ format: BACKUP_FORMAT, version: BACKUP_VERSION, files, counts: { plays, snapshot_days: snapshots.length }, account }, null, 2)}\n`);
    const settings: BackupSettings = { time_zone: user.timeZone, counting_rules: user.countingRules };
    add('settings.json', `${JSON.stringify(settings, null, 2)}\n`);
    // Plays are decoded a day at a time as the zip pulls them, so memory holds one day's text.
    const sorted = (d: { date: string; item: StoredDay }) => decodeDay(d.date, d.item).sort(byTimeThenName);
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
  if (a.kind !== b.kind) return PLAY_KINDS.indexOf(a.kind) - PLAY_KINDS.indexOf(b.kind);
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
