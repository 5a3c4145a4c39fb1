import { dayRowCount, scanDay, type StoredDay } from './dayCodec';
import type { Reclassified } from './podcastRecognition';
import type { OffsetTable } from './timeZones';

const DAY_MS = 86_400_000;

/** A user's whole history decoded into columns, sorted by time: the form every statistic reads. */
export interface Columns {
  version: number;
  n: number;
  ts: Float64Array;
  ms: Uint32Array;
  entry: Int32Array; // index into `entries`
  /** packFlags (play.ts): nine bits. */
  flags: Uint16Array;
  platform: Int16Array;
  country: Int16Array;
  /** kind: index into PLAY_KINDS (0 = music). */
  entries: { name: string; artist: string; album: string | null; trackId: string | null; kind: number; artistIdx: number; albumIdx: number }[];
  artists: string[];
  albums: { name: string; artist: string }[];
  platforms: string[];
  countries: string[];
  /** Music entries counted as podcast episodes (podcastRecognition.ts), when the loader applied it. */
  reclassified?: Reclassified;
}

/** Stored days (any order) decoded straight into columns, with no object per play. */
export function columnsFromDays(stored: { date: string; item: StoredDay }[], version: number): Columns {
  const b = columnsBuilder(stored, version);
  for (const { date, item } of b.days) b.add(date, item);
  return b.cols;
}

/**
 * columnsFromDays, giving the event loop back every `batch` days (a long history decodes in about
 * a second: requests meanwhile are not held up, nor turned away as late).
 */
export async function columnsFromDaysYielding(stored: { date: string; item: StoredDay }[], version: number, batch = 64): Promise<Columns> {
  const b = columnsBuilder(stored, version);
  for (let i = 0; i < b.days.length; i++) {
    if (i > 0 && i % batch === 0) await new Promise<void>((r) => setImmediate(r));
    b.add(b.days[i].date, b.days[i].item);
  }
  return b.cols;
}

function columnsBuilder(stored: { date: string; item: StoredDay }[], version: number) {
  const days = [...stored].sort((a, b) => a.date.localeCompare(b.date));
  const total = days.reduce((s, d) => s + dayRowCount(d.item), 0);
  const cols: Columns = {
    version, n: 0,
    ts: new Float64Array(total), ms: new Uint32Array(total), entry: new Int32Array(total), flags: new Uint16Array(total),
    platform: new Int16Array(total), country: new Int16Array(total),
    entries: [], artists: [], albums: [], platforms: [], countries: [],
  };
  const entryIdx = new Map<string, number>();
  const artistIdx = new Map<string, number>();
  const albumIdx = new Map<string, number>();
  const platIdx = new Map<string, number>();
  const countryIdx = new Map<string, number>();
  const intern = (map: Map<string, number>, list: string[], v: string | null) => {
    if (v === null) return -1;
    let i = map.get(v);
    if (i === undefined) {
      i = list.push(v) - 1;
      map.set(v, i);
    }
    return i;
  };
  let localEntry: number[] = [];
  let localPlatform: number[] = [];
  let localCountry: number[] = [];
  const add = (date: string, item: StoredDay) => {
    scanDay(
      date,
      item,
      (header) => {
        localEntry = header.entries.map(([name, artist, album, trackId, kind]) => {
          const key = `${kind}|${artist}|${name}|${album ?? ''}|${trackId ?? ''}`;
          let e = entryIdx.get(key);
          if (e === undefined) {
            const a = artistIdx.get(artist) ?? artistIdx.set(artist, cols.artists.push(artist) - 1).get(artist)!;
            const albumKey = `${artist}|${album ?? ''}`;
            let al = -1;
            if (album) al = albumIdx.get(albumKey) ?? albumIdx.set(albumKey, cols.albums.push({ name: album, artist }) - 1).get(albumKey)!;
            e = cols.entries.push({ name, artist, album, trackId, kind, artistIdx: a, albumIdx: al }) - 1;
            entryIdx.set(key, e);
          }
          return e;
        });
        localPlatform = header.platforms.map((p) => intern(platIdx, cols.platforms, p));
        localCountry = header.countries.map((c) => intern(countryIdx, cols.countries, c));
      },
      (ts, entry, ms, flags, pl, co) => {
        const i = cols.n++;
        cols.ts[i] = ts;
        cols.entry[i] = localEntry[entry];
        cols.ms[i] = ms;
        cols.flags[i] = flags;
        cols.platform[i] = pl >= 0 ? localPlatform[pl] : -1;
        cols.country[i] = co >= 0 ? localCountry[co] : -1;
      },
    );
  };
  return { days, cols, add };
}

function lowerBound(ts: Float64Array, n: number, value: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index range [i0, i1) of plays between two local dates (inclusive), in a time zone. */
export function rangeOf(c: Columns, offsets: OffsetTable, from: string | null, to: string | null): [number, number] {
  const start = from ? offsets.startOfLocalDay(from) : -Infinity;
  const end = to ? offsets.startOfLocalDay(new Date(Date.parse(to) + DAY_MS).toISOString().slice(0, 10)) : Infinity;
  return [lowerBound(c.ts, c.n, start), lowerBound(c.ts, c.n, end)];
}
