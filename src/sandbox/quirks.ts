/**
 * The real service's quirks, for a sandbox started with `quirks: true` (CLI `--quirks`); see
 * SPOTIFY.md "Markets and copies of one release" and test/fixtures/QUIRKS.md for where each was
 * seen. Every choice is a hash of an id, so two runs answer byte for byte the same.
 *
 * - Some albums exist as 2 or 3 copies (one per market group): copy 0 is the catalog album
 *   (COPY_MARKETS[0]), copy 1 is sold in CA/MX/US, copy 2 (when present) nowhere (`[]`). Copies
 *   have their own album and track ids, and the same names, durations and numbers.
 * - Some embedded album objects say `album_type` in upper case; some releases have a year or
 *   month precision date; some albums have `images: []` or one image with null height/width;
 *   half the tracks have a string `preview_url`; recently played carries album, playlist, artist,
 *   show and null contexts.
 */
import type { Catalog, CatalogAlbum, CatalogTrack } from './catalog';
import { base62Id, hashString } from './random';

export const MARKETS = ['AR', 'AU', 'BR', 'CA', 'DE', 'ES', 'FR', 'GB', 'JP', 'KR', 'MX', 'NG', 'NL', 'SE', 'US'];
const NORTH_AMERICA = ['CA', 'MX', 'US'];
/** available_markets of copy n of a release with copies (disjoint; the last one empty). */
export const COPY_MARKETS: readonly (readonly string[])[] = [MARKETS.filter((m) => !NORTH_AMERICA.includes(m)), NORTH_AMERICA, []];

/** 2 or 3 copies for about a quarter of the albums of type album, else 1. */
export function copyCount(album: CatalogAlbum): number {
  if (album.albumType !== 'album' || hashString(album.id, 0x51) % 4 !== 0) return 1;
  return hashString(album.id, 0x52) % 2 === 0 ? 3 : 2;
}

const copyId = (id: string, n: number): string => base62Id(`quirk-copy:${id}:${n}`);

export interface CopyOf {
  /** The catalog entity this is a copy of (itself for copy 0). */
  originalId: string;
  copy: number;
  count: number;
}

/** The catalog plus every copy album and copy track, and which copy each id is. */
export interface QuirkIndex {
  catalog: Catalog;
  copyOf(id: string): CopyOf | undefined;
  /** Id of copy n of a catalog album or track (copy 0 = the catalog id). */
  idOfCopy(originalId: string, n: number): string;
}

const indexes = new WeakMap<Catalog, QuirkIndex>();

export function quirkIndex(catalog: Catalog): QuirkIndex {
  const cached = indexes.get(catalog);
  if (cached) return cached;
  const albums = new Map(catalog.albums);
  const tracks = new Map(catalog.tracks);
  const copies = new Map<string, CopyOf>();
  for (const al of catalog.albums.values()) {
    const count = copyCount(al);
    if (count === 1) continue;
    copies.set(al.id, { originalId: al.id, copy: 0, count });
    for (const tid of al.trackIds) copies.set(tid, { originalId: tid, copy: 0, count });
    for (let n = 1; n < count; n++) {
      const id = copyId(al.id, n);
      const trackIds = al.trackIds.map((tid) => copyId(tid, n));
      albums.set(id, { ...al, id, trackIds, popularity: Math.max(0, al.popularity - 20 * n) });
      copies.set(id, { originalId: al.id, copy: n, count });
      al.trackIds.forEach((tid, i) => {
        const t = catalog.tracks.get(tid)!;
        tracks.set(trackIds[i], { ...t, id: trackIds[i], albumId: id, popularity: Math.max(0, t.popularity - 20 * n) });
        copies.set(trackIds[i], { originalId: tid, copy: n, count });
      });
    }
  }
  const index: QuirkIndex = {
    catalog: { ...catalog, albums, tracks },
    copyOf: (id) => copies.get(id),
    idOfCopy: (originalId, n) => (n === 0 ? originalId : copyId(originalId, n)),
  };
  indexes.set(catalog, index);
  return index;
}

export const originalId = (index: QuirkIndex, id: string): string => index.copyOf(id)?.originalId ?? id;

/** Markets an album or track (copy) is sold in. */
export function marketsOf(index: QuirkIndex, id: string): readonly string[] {
  const c = index.copyOf(id);
  return c ? COPY_MARKETS[c.copy] : MARKETS;
}

/** The copy of this release sold in `market` (its id), or undefined when none is. */
export function copyPlayableIn(index: QuirkIndex, id: string, market: string): string | undefined {
  const c = index.copyOf(id);
  if (!c) return MARKETS.includes(market) ? id : undefined;
  for (let n = 0; n < c.count; n++) if (COPY_MARKETS[n].includes(market)) return index.idOfCopy(c.originalId, n);
  return undefined;
}

// Per-entity quirks, decided on the catalog (original) id so every copy and every endpoint agree.
export const upperCaseAlbumType = (albumId: string): boolean => hashString(albumId, 0x53) % 3 === 0;

export function releaseDateOf(album: CatalogAlbum, albumId: string): { date: string; precision: CatalogAlbum['releaseDatePrecision'] } {
  if (album.releaseDatePrecision === 'day') {
    const h = hashString(albumId, 0x54) % 7;
    if (h === 0) return { date: album.releaseDate.slice(0, 4), precision: 'year' };
    if (h === 1) return { date: album.releaseDate.slice(0, 7), precision: 'month' };
  }
  return { date: album.releaseDate, precision: album.releaseDatePrecision };
}

export type ImageQuirk = 'none' | 'empty' | 'unsized';
export function imageQuirk(albumId: string): ImageQuirk {
  const h = hashString(albumId, 0x55) % 11;
  return h === 0 ? 'empty' : h === 1 ? 'unsized' : 'none';
}

export const hasPreview = (track: CatalogTrack, trackId: string): boolean => track.durationMs > 0 && hashString(trackId, 0x56) % 2 === 0;

export type ContextKind = 'album' | 'playlist' | 'artist' | 'show' | null;
const CONTEXT_KINDS: ContextKind[] = ['album', 'playlist', 'artist', 'show', null];
/** Context kind of the listener's n-th most recent play: every kind in any five consecutive plays. */
export const contextKindOf = (position: number): ContextKind => CONTEXT_KINDS[position % CONTEXT_KINDS.length];

export const playlistIdFor = (artistId: string): string => base62Id(`quirk-playlist:${artistId}`);
export const showIdFor = (trackId: string): string => base62Id(`quirk-show:${trackId}`);
