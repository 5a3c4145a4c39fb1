import zlib from 'node:zlib';
import type { StoredDay } from '../store/HistoryRepository';
import { flagOf, packFlags, PLAY_KINDS, SKIP_INFERRED_BIT, type Play, type PlayKind } from './play';

export type { StoredDay };

/**
 * The stored form of one user's plays of one UTC day: the only code that knows its layout. The
 * store keeps these items as they are (HistoryRepository, key "D#<YYYY-MM-DD>"); everything else
 * reads and writes them through this module.
 *   z      deflated text of three parts joined by "\n":
 *            dict   JSON [[name, artist, album|null, trackId|null, kind], ...]   what was played that day
 *            meta   JSON {"p": [platforms], "c": [countries]}
 *            plays  "sec,dict,ms,flags,platform,country" rows joined by "\n" (sec = seconds into the day)
 *   n      rows (all kinds); count, ms: music entries and their milliseconds, for quick totals
 * Items written before compression hold dict, meta and plays as plain attributes; they still decode.
 * A 10-year history is about 3,650 items, each a few kilobytes. A day whose item would pass
 * DynamoDB's 400 KB (tens of thousands of plays, long names) is split by the store into parts
 * (src/store/itemParts.ts) and joined again when read: this module always sees whole days.
 */

const DAY_MS = 86_400_000;

const dayNames = new Map<number, string>();

/** The UTC date of an instant, as YYYY-MM-DD: the day item a play belongs to (memoised: an import asks for the same few thousand days). */
export function dayOf(ts: number): string {
  const day = Math.floor(ts / DAY_MS);
  let name = dayNames.get(day);
  if (name === undefined) {
    name = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dayNames.size < 100_000) dayNames.set(day, name);
  }
  return name;
}

/** Plays grouped by the day item they belong to. */
export function groupByDay(plays: Iterable<Play>, days = new Map<string, Play[]>()): Map<string, Play[]> {
  for (const p of plays) {
    const day = dayOf(p.ts);
    const list = days.get(day);
    if (list) list.push(p);
    else days.set(day, [p]);
  }
  return days;
}

/** Encodes one day's plays compactly; the inverse of decodeDay. */
export function encodeDay(date: string, plays: Play[]): StoredDay {
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
      d = dict.push([p.name, p.artist, p.album, p.trackId, PLAY_KINDS.indexOf(p.kind)]) - 1;
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
  // Copied out: zlib returns a view into its 16 KB output chunk, so a day of 2 KB would keep 16 KB
  // alive (an import holding a few thousand encoded days and undo records held >100 MB that way).
  const z = Buffer.from(zlib.deflateRawSync(payload, { level: 1 }));
  return { z, n: rows.length, count, ms };
}

/** How many rows (plays of every kind) a stored day holds, without decoding it. */
export function dayRowCount(item: StoredDay): number {
  return Number(item.n) || 0;
}

/** What a day's rows point into: the entries played that day, its platforms and countries. */
export interface DayHeader {
  /** [name, artist, album, trackId, kind as an index into PLAY_KINDS] */
  entries: [string, string, string | null, string | null, number][];
  platforms: string[];
  countries: string[];
}

/**
 * One row of a day: instant, index into the header's entries, milliseconds, packed flags, and
 * indexes into the header's platforms and countries (-1: unknown).
 */
export type DayRowSink = (ts: number, entry: number, ms: number, flags: number, platform: number, country: number) => void;

function dayParts(item: StoredDay): { dict: string; meta: string; plays: string } {
  if (item.z) {
    const text = zlib.inflateRawSync(item.z as Uint8Array).toString('utf8');
    const a = text.indexOf('\n');
    const b = text.indexOf('\n', a + 1);
    return { dict: text.slice(0, a), meta: text.slice(a + 1, b), plays: text.slice(b + 1) };
  }
  return { dict: String(item.dict ?? '[]'), meta: String(item.meta ?? '{"p":[],"c":[]}'), plays: String(item.plays ?? '') };
}

/**
 * Reads a stored day without making an object per play (a 250k-play history would make 250k):
 * the header first, then every row, oldest first.
 */
export function scanDay(date: string, item: StoredDay, onHeader: (header: DayHeader) => void, onRow: DayRowSink): void {
  const dayStart = Date.parse(`${date}T00:00:00Z`);
  const parts = dayParts(item);
  const meta = JSON.parse(parts.meta) as { p: string[]; c: string[] };
  onHeader({ entries: JSON.parse(parts.dict) as DayHeader['entries'], platforms: meta.p, countries: meta.c });
  const text = parts.plays;
  if (!text) return;
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const f = text.slice(pos, nl).split(',');
    onRow(dayStart + Number(f[0]) * 1000, Number(f[1]), Number(f[2]), Number(f[3]), Number(f[4]), Number(f[5]));
    pos = nl + 1;
  }
}

/** A stored day's plays; the inverse of encodeDay. */
export function decodeDay(date: string, item: StoredDay): Play[] {
  const plays: Play[] = [];
  let header: DayHeader;
  scanDay(
    date,
    item,
    (h) => (header = h),
    (ts, d, ms, f, pl, co) => {
      const [name, artist, album, trackId, kind] = header.entries[d];
      const play: Play = {
        ts,
        kind: PLAY_KINDS[kind] as PlayKind,
        name,
        artist,
        album,
        trackId,
        ms,
        skipped: flagOf(f, 'skipped'),
        shuffle: flagOf(f, 'shuffle'),
        offline: flagOf(f, 'offline'),
        incognito: flagOf(f, 'incognito'),
        platform: pl >= 0 ? header.platforms[pl] : null,
        country: co >= 0 ? header.countries[co] : null,
      };
      if (f & SKIP_INFERRED_BIT) play.skipInferred = true;
      plays.push(play);
    },
  );
  return plays;
}
