import { rangeOf, type Columns } from './columns';
import { classify, EXCLUDED, PLAY, type CountingRules } from './countingRules';
import { groupOfKey, type PersonalIndex } from './personalIndex';
import { albumKey, artistKey, normaliseName, trackKey } from './personalKeys';
import { flagOf, PLAY_KINDS } from './play';
import { OffsetTable } from './timeZones';

export interface PlayLogQuery {
  from: string | null;
  to: string | null;
  /** Words that must all appear in the track, artist or album name. */
  q?: string;
  /** An artist key (personalKeys.ts): only that artist's plays. */
  artist?: string;
  skipped?: boolean;
  shuffle?: boolean;
  platform?: string;
  /** music: leave podcasts and audiobooks out; podcasts: only them; all (default): everything. */
  kind?: 'all' | 'music' | 'podcasts';
  cursor?: string;
  limit: number;
}

export interface LoggedPlay {
  ts: string;
  kind: string;
  name: string;
  artist: string;
  album: string | null;
  track_id: string | null;
  ms_played: number;
  skipped: boolean | null;
  shuffle: boolean | null;
  platform: string | null;
  country: string | null;
  /** How the counting rules take it: a play, listening time only, or left out. */
  counted: 'play' | 'time_only' | 'excluded';
  /** Personal page keys (music only). */
  track_key: string | null;
  artist_key: string | null;
  album_key: string | null;
}

export interface PlayLogPage {
  plays: LoggedPlay[];
  /** Pass as `cursor` for the next (older) page; null at the end. */
  next_cursor: string | null;
}

/** The cursor: the history version, the index of the next play to look at, and its time (base64url JSON). */
function encodeCursor(version: number, index: number, ts: number): string {
  return Buffer.from(JSON.stringify([version, index, ts])).toString('base64url');
}

/** Where a cursor continues: its index when the history has not changed, else the first play older than its time. */
export function cursorStart(c: Columns, cursor: string): number | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) return null;
    const [version, index, ts] = v as number[];
    if (version === c.version && index >= 0 && index <= c.n) return index;
    let lo = 0;
    let hi = c.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c.ts[mid] < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  } catch {
    return null;
  }
}

/**
 * A page of the play log, newest first. Walks the columns backwards from the end of the period and
 * stops at the page size, so the first page costs the same for 200 plays or 250,000; a filter is
 * checked per entry (distinct track) once, not per play.
 */
export function playLog(c: Columns, idx: PersonalIndex, tz: string, rules: CountingRules, q: PlayLogQuery): PlayLogPage | null {
  const offsets = new OffsetTable(tz);
  const [i0, i1] = rangeOf(c, offsets, q.from, q.to);
  let start = i1;
  if (q.cursor) {
    const at = cursorStart(c, q.cursor);
    if (at === null) return null;
    start = Math.min(at, i1);
  }
  // Which entries may appear at all (1) or not (0), decided once per entry.
  const words = q.q ? normaliseName(q.q).split(' ').filter(Boolean) : [];
  const artistGroup = q.artist ? groupOfKey(idx, 'artist', q.artist) : null;
  const kind = q.kind ?? 'all';
  const entryOk = new Int8Array(c.entries.length).fill(-1);
  const ok = (e: number) => {
    let v = entryOk[e];
    if (v < 0) {
      const entry = c.entries[e];
      v = 1;
      if (kind === 'music' && entry.kind !== 0) v = 0;
      else if (kind === 'podcasts' && entry.kind === 0) v = 0;
      else if (artistGroup !== null && idx.artistOf[e] !== artistGroup) v = 0;
      else if (words.length && !words.every((w) => idx.search[e].includes(w))) v = 0;
      entryOk[e] = v;
    }
    return v === 1;
  };
  const platformIdx = q.platform === undefined ? null : c.platforms.findIndex((p) => p.toLowerCase() === q.platform!.toLowerCase());
  const plays: LoggedPlay[] = [];
  let i = start - 1;
  for (; i >= i0 && plays.length < q.limit; i--) {
    const e = c.entry[i];
    if (!ok(e)) continue;
    const f = c.flags[i];
    if (q.skipped !== undefined && flagOf(f, 'skipped') !== q.skipped) continue;
    if (q.shuffle !== undefined && flagOf(f, 'shuffle') !== q.shuffle) continue;
    if (platformIdx !== null && c.platform[i] !== platformIdx) continue;
    const entry = c.entries[e];
    const cls = classify(f, c.ms[i], rules);
    const music = entry.kind === 0;
    plays.push({
      ts: new Date(c.ts[i]).toISOString(),
      kind: PLAY_KINDS[entry.kind],
      name: entry.name,
      artist: entry.artist,
      album: entry.album,
      track_id: entry.trackId,
      ms_played: c.ms[i],
      skipped: flagOf(f, 'skipped'),
      shuffle: flagOf(f, 'shuffle'),
      platform: c.platform[i] >= 0 ? c.platforms[c.platform[i]] : null,
      country: c.country[i] >= 0 ? c.countries[c.country[i]] : null,
      counted: cls === EXCLUDED ? 'excluded' : cls === PLAY ? 'play' : 'time_only',
      track_key: music ? (idx.trackOf[e] >= 0 ? idx.tracks[idx.trackOf[e]].key : trackKey(entry.artist, entry.name, entry.trackId)) : null,
      artist_key: music ? artistKey(entry.artist) : null,
      album_key: music && entry.album ? albumKey(entry.artist, entry.album) : null,
    });
  }
  // More may follow when the walk stopped at the page size before the period's start.
  const more = plays.length === q.limit && i >= i0;
  return { plays, next_cursor: more ? encodeCursor(c.version, i + 1, c.ts[i + 1]) : null };
}
