import type { Columns } from './columns';
import { albumKey, artistKey, normaliseName, trackNameKey } from './personalKeys';

/** One artist, track or album of a history: the entries (columns.entries indexes) that are it. */
export interface PersonalGroup {
  /** Its key in URLs (personalKeys.ts); an artist's without a Spotify id. */
  key: string;
  name: string;
  /** The artist's name, for tracks and albums. */
  artist: string;
  /** For tracks and albums: the artist's group. */
  artistGroup: number;
  /** For tracks: the album it was most often played from (first seen), or null. */
  album: string | null;
  /** For tracks: the Spotify track ids seen (the account-data export gives none). */
  trackIds: string[];
  entries: number[];
}

export type PersonalKind = 'artist' | 'track' | 'album';

/**
 * The artists, tracks and albums of a decoded history, grouped by normalised name (so a track
 * played with and without a Spotify id is one track), with a lookup by key and a search text per
 * entry. Built once per Columns (that is, per history version) and kept beside it.
 */
export interface PersonalIndex {
  artists: PersonalGroup[];
  tracks: PersonalGroup[];
  albums: PersonalGroup[];
  /** Per entry: its group in each list (-1: none, e.g. a podcast has no artist group, a track no album). */
  artistOf: Int32Array;
  trackOf: Int32Array;
  albumOf: Int32Array;
  /** Per entry: normalised "track · artist · album", what the play log searches. */
  search: string[];
  byKey: { artist: Map<string, number>; track: Map<string, number>; album: Map<string, number> };
}

const built = new WeakMap<Columns, PersonalIndex>();

export function personalIndex(c: Columns): PersonalIndex {
  let idx = built.get(c);
  if (!idx) {
    idx = buildIndex(c);
    built.set(c, idx);
  }
  return idx;
}

function buildIndex(c: Columns): PersonalIndex {
  const n = c.entries.length;
  const idx: PersonalIndex = {
    artists: [], tracks: [], albums: [],
    artistOf: new Int32Array(n).fill(-1), trackOf: new Int32Array(n).fill(-1), albumOf: new Int32Array(n).fill(-1),
    search: new Array<string>(n),
    byKey: { artist: new Map(), track: new Map(), album: new Map() },
  };
  const group = (list: PersonalGroup[], map: Map<string, number>, key: string, make: () => Omit<PersonalGroup, 'key' | 'entries'>) => {
    let g = map.get(key);
    if (g === undefined) {
      g = list.push({ key, entries: [], ...make() }) - 1;
      map.set(key, g);
    }
    return g;
  };
  for (let e = 0; e < n; e++) {
    const entry = c.entries[e];
    idx.search[e] = normaliseName(`${entry.name} \u00b7 ${entry.artist} \u00b7 ${entry.album ?? ''}`);
    if (entry.kind !== 0) continue;
    const a = group(idx.artists, idx.byKey.artist, artistKey(entry.artist), () => ({ name: entry.artist, artist: entry.artist, artistGroup: -1, album: null, trackIds: [] }));
    idx.artists[a].artistGroup = a;
    idx.artists[a].entries.push(e);
    idx.artistOf[e] = a;
    const t = group(idx.tracks, idx.byKey.track, trackNameKey(entry.artist, entry.name), () => ({ name: entry.name, artist: entry.artist, artistGroup: a, album: entry.album, trackIds: [] }));
    const track = idx.tracks[t];
    track.entries.push(e);
    if (entry.trackId && !track.trackIds.includes(entry.trackId)) track.trackIds.push(entry.trackId);
    idx.trackOf[e] = t;
    if (entry.album) {
      const al = group(idx.albums, idx.byKey.album, albumKey(entry.artist, entry.album), () => ({ name: entry.album!, artist: entry.artist, artistGroup: a, album: entry.album, trackIds: [] }));
      idx.albums[al].entries.push(e);
      idx.albumOf[e] = al;
    }
  }
  // A track's key is its (first) Spotify id when it has one; its name key keeps working too.
  idx.tracks.forEach((t, g) => {
    for (const id of t.trackIds) if (!idx.byKey.track.has(id)) idx.byKey.track.set(id, g);
    if (t.trackIds.length) t.key = t.trackIds[0];
  });
  return idx;
}

/** The group a key names, or -1. An artist key's Spotify id part is ignored here (history has none). */
export function groupOfKey(idx: PersonalIndex, kind: PersonalKind, key: string): number {
  const k = kind === 'artist' ? key.slice(0, 16) : key;
  return idx.byKey[kind].get(k) ?? -1;
}

export function groupsOf(idx: PersonalIndex, kind: PersonalKind): { groups: PersonalGroup[]; of: Int32Array } {
  return kind === 'artist' ? { groups: idx.artists, of: idx.artistOf } : kind === 'track' ? { groups: idx.tracks, of: idx.trackOf } : { groups: idx.albums, of: idx.albumOf };
}
