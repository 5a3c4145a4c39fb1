/**
 * The sandbox catalog: artists, albums, tracks and audio features, either generated
 * deterministically (buildSyntheticCatalog) or loaded from a spotify_songs.csv-style file
 * (loadCsvCatalog). Everything else in the sandbox reads this one in-memory structure.
 *
 * Synthetic catalog (default seed 1): ~440 artists over 38 genres, releases 1955–2026, genre-shaped
 * feature distributions, ~2% of tracks without audio features, ~5% of artists unknown to
 * MusicBrainz, plus notable fixtures (see NOTABLE): one artist with 330 albums/singles/compilations,
 * one 120-track box set, one small artist (2 albums) and artists with hostile names (markup,
 * quotes, commas, RTL and CJK text, emoji).
 *
 * CSV catalog: columns of the TidyTuesday spotify_songs.csv (track_id, track_name, track_artist,
 * track_popularity, track_album_id, track_album_name, track_album_release_date, playlist_name,
 * playlist_id, playlist_genre, playlist_subgenre, danceability, energy, key, loudness, mode,
 * speechiness, acousticness, instrumentalness, liveness, valence, tempo, duration_ms) and the
 * optional artist_id, artist_genres, track_number, disc_number, explicit, album_type.
 * - rows are deduplicated by track_id (first row wins; every row's playlist genres count);
 * - artist id = artist_id column, else a stable base62 id hashed from the artist name;
 * - genres = artist_genres split on ';' (or on ',' when the cell has no ';'), else the artist's
 *   playlist_genre and playlist_subgenre values, most frequent first;
 * - release dates YYYY / YYYY-MM / YYYY-MM-DD set release_date_precision year / month / day;
 * - track numbers follow row order within an album when the track_number column is absent;
 * - a track whose feature cells are empty or not numbers has no audio features (null);
 * - album_type column, else 'single' for 1–3 tracks and 'album' otherwise.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { GENRES, type GenreDef, albumTitle, artistName, songTitle } from './genres';
import { BASE62_ID, Rng, base62Id, hashString, uuidFrom } from './random';

// Module-scoped alias: under jest's vm sandbox every global `Math` lookup is slow (~200 ns), and
// catalog building makes millions of them.
const Math = globalThis.Math;


export type AlbumType = 'album' | 'single' | 'compilation';
export type DatePrecision = 'year' | 'month' | 'day';

export interface AudioFeatures {
  danceability: number; energy: number; key: number; loudness: number; mode: number;
  speechiness: number; acousticness: number; instrumentalness: number; liveness: number;
  valence: number; tempo: number; time_signature: number;
}

export interface CatalogArtist {
  id: string;
  name: string;
  genres: string[];
  popularity: number;
  followers: number;
  /** Albums, singles and compilations released by this artist (album artist). */
  albumIds: string[];
  /** Albums by others on which this artist appears (Spotify's appears_on group). */
  appearsOnAlbumIds: string[];
  /** false → the MusicBrainz stand-in answers 404 for this artist. */
  inMusicBrainz: boolean;
  kind: 'person' | 'group';
  beginYear: number;
}

export interface CatalogAlbum {
  id: string;
  name: string;
  albumType: AlbumType;
  artistIds: string[];
  releaseDate: string;
  releaseDatePrecision: DatePrecision;
  label: string;
  popularity: number;
  trackIds: string[];
  upc: string;
  genre: string;
}

export interface CatalogTrack {
  id: string;
  name: string;
  albumId: string;
  artistIds: string[];
  discNumber: number;
  trackNumber: number;
  durationMs: number;
  explicit: boolean;
  popularity: number;
  isrc: string;
  features: AudioFeatures | null;
  /** The track's id in the ReccoBeats stand-in (UUID). */
  reccobeatsId: string;
}

export interface Notable {
  /** An artist with 1–3 albums, all tracks with features, known to MusicBrainz. */
  smallArtistId: string;
  /** The artist with the most albums/singles/compilations (≥300 in the synthetic catalog). */
  largestArtistId: string;
  /** The album with the most tracks (>50 in the synthetic catalog). */
  bigAlbumId: string;
  /** An artist whose name is markup (`</script><script>alert(1)</script>` in the synthetic catalog). */
  hostileArtistId: string;
  /** An artist the MusicBrainz stand-in does not know (404). */
  unknownToMusicBrainzArtistId: string;
  /** A track without audio features (null from /audio-features, omitted by ReccoBeats); '' if none. */
  trackWithoutFeaturesId: string;
}

export interface Catalog {
  source: 'synthetic' | 'csv';
  seed: number | null;
  artists: Map<string, CatalogArtist>;
  albums: Map<string, CatalogAlbum>;
  tracks: Map<string, CatalogTrack>;
  /** Every genre that some artist carries, sorted. */
  genres: string[];
  notable: Notable;
  /** ReccoBeats UUID → Spotify track id. */
  trackByReccobeatsId: Map<string, string>;
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

function finalize(
  source: Catalog['source'], seed: number | null,
  artists: Map<string, CatalogArtist>, albums: Map<string, CatalogAlbum>, tracks: Map<string, CatalogTrack>,
  preferred: Partial<Notable> = {},
): Catalog {
  const genreSet = new Set<string>();
  for (const a of artists.values()) for (const g of a.genres) genreSet.add(g);
  const trackByReccobeatsId = new Map<string, string>();
  for (const t of tracks.values()) trackByReccobeatsId.set(t.reccobeatsId, t.id);

  const artistList = [...artists.values()];
  const albumList = [...albums.values()];
  const largest = artistList.reduce((best, a) => (a.albumIds.length > best.albumIds.length ? a : best), artistList[0]);
  const bigAlbum = albumList.reduce((best, a) => (a.trackIds.length > best.trackIds.length ? a : best), albumList[0]);
  const small = artistList.find((a) => a.albumIds.length >= 1 && a.albumIds.length <= 3 && a.inMusicBrainz) ?? artistList[0];
  const hostile = artistList.find((a) => /[<>"&]/.test(a.name)) ?? artistList[0];
  const unknownMb = artistList.find((a) => !a.inMusicBrainz) ?? artistList[0];
  const noFeatures = [...tracks.values()].find((t) => t.features === null);
  const notable: Notable = {
    smallArtistId: preferred.smallArtistId ?? small?.id ?? '',
    largestArtistId: preferred.largestArtistId ?? largest?.id ?? '',
    bigAlbumId: preferred.bigAlbumId ?? bigAlbum?.id ?? '',
    hostileArtistId: preferred.hostileArtistId ?? hostile?.id ?? '',
    unknownToMusicBrainzArtistId: unknownMb?.id ?? '',
    trackWithoutFeaturesId: noFeatures?.id ?? '',
  };
  return { source, seed, artists, albums, tracks, genres: [...genreSet].sort(), notable, trackByReccobeatsId };
}

// ---------------------------------------------------------------------------------------------
// Synthetic catalog

interface ArtistPlan {
  name: string;
  genres: GenreDef[];
  albums: number;
  singles: number;
  compilations: number;
  popularity?: number;
  beginYear?: number;
  endYear?: number;
  inMusicBrainz?: boolean;
  featuresAlways?: boolean;
  albumTracks?: [number, number];
  titles?: { album?: string[]; track?: string[] };
}

const HOSTILE_TITLES = [
  '"><img src=x onerror=alert(1)>', "It's a 'Quote', \"Really\"", 'Commas, Commas, Commas', 'A & B < C > D',
  '</title><script>alert(2)</script>', '{{constructor.constructor(\'alert(3)\')()}}', 'Ünïcödé — ñ ☃ 𝄞', '${7*7} #{7*7}',
];

class SyntheticBuilder {
  readonly artists = new Map<string, CatalogArtist>();
  readonly albums = new Map<string, CatalogAlbum>();
  readonly tracks = new Map<string, CatalogTrack>();
  private readonly names = new Set<string>();
  private counter = 0;
  private readonly protectedArtists = new Set<string>();

  constructor(readonly seed: number, readonly rng: Rng) {}

  private nextId(kind: string): string {
    return base62Id(`${this.seed}:${kind}:${this.counter++}`);
  }

  uniqueName(make: () => string): string {
    for (let i = 0; i < 50; i++) {
      const n = make();
      if (!this.names.has(n.toLowerCase())) {
        this.names.add(n.toLowerCase());
        return n;
      }
    }
    let n = make();
    for (let k = 2; this.names.has(n.toLowerCase()); k++) n = `${make()} ${k}`;
    this.names.add(n.toLowerCase());
    return n;
  }

  features(genre: GenreDef, live: boolean): AudioFeatures {
    const r = this.rng;
    const pr = genre.profile;
    const unit = (mean: number, sd: number) => round(clamp(r.normal(mean, sd), 0, 1), 4);
    const instr = pr.instrumentalness < 0.15
      ? round(clamp(pr.instrumentalness * Math.exp(r.normal(0, 1.5)) * 0.3, 0, 1), 6)
      : unit(pr.instrumentalness, 0.15);
    const ts = r.chance(pr.waltz ?? 0.03) ? 3 : r.chance(0.04) ? 5 : 4;
    return {
      danceability: unit(pr.danceability, 0.1),
      energy: unit(pr.energy, 0.12),
      key: r.int(0, 11),
      loudness: round(clamp(r.normal(pr.loudness, 2.5), -40, -0.5), 3),
      mode: r.chance(pr.major) ? 1 : 0,
      speechiness: round(clamp(r.normal(pr.speechiness, pr.speechiness * 0.4 + 0.01), 0.022, 0.95), 4),
      acousticness: round(clamp(r.normal(pr.acousticness, 0.15), 0.000001, 0.996), 6),
      instrumentalness: instr,
      liveness: live ? unit(0.82, 0.08) : round(clamp(r.normal(pr.liveness, 0.08), 0.02, 0.99), 4),
      valence: unit(pr.valence, 0.15),
      tempo: round(clamp(r.normal(pr.tempo, pr.tempo * 0.09), 40, 230), 3),
      time_signature: ts,
    };
  }

  addArtist(plan: ArtistPlan): CatalogArtist {
    const r = this.rng;
    const id = this.nextId('artist');
    const main = plan.genres[0];
    const popularity = plan.popularity ?? clamp(Math.round(r.normal(45, 18)), 3, 92);
    const begin = plan.beginYear ?? r.int(main.era[0], Math.min(main.era[1], 2024));
    const end = plan.endYear ?? Math.min(2026, begin + r.int(1, 35));
    const artist: CatalogArtist = {
      id, name: plan.name, genres: plan.genres.map((g) => g.name), popularity,
      followers: Math.round(Math.exp(popularity / 8) * (3 + r.float() * 20)),
      albumIds: [], appearsOnAlbumIds: [],
      inMusicBrainz: plan.inMusicBrainz ?? hashString(id, 7) % 20 !== 0,
      kind: /^(The |Los |La |El )|Quartet|Trio|Quintet|Sextet|Orchestra|Band|Ensemble|Consort|Collegium|Gang|[A-Z]{3,}/.test(plan.name) ? 'group' : 'person',
      beginYear: begin,
    };
    if (plan.featuresAlways) this.protectedArtists.add(id);
    this.artists.set(id, artist);
    const kinds: AlbumType[] = [
      ...Array<AlbumType>(plan.albums).fill('album'),
      ...Array<AlbumType>(plan.singles).fill('single'),
      ...Array<AlbumType>(plan.compilations).fill('compilation'),
    ];
    kinds.forEach((kind, i) => {
      const year = kind === 'compilation'
        ? r.int(Math.min(begin + 5, end), Math.max(end, Math.min(2026, begin + 8)))
        : r.int(begin, end);
      const n = kind === 'album'
        ? r.int(plan.albumTracks?.[0] ?? 7, plan.albumTracks?.[1] ?? 13)
        : kind === 'single' ? r.int(1, 3) : r.int(12, 18);
      const genre = plan.genres[i % plan.genres.length];
      const title = plan.titles?.album?.[i] ?? (kind === 'compilation'
        ? `${r.pick(['Greatest Hits', 'The Essential', 'Anthology', 'The Best Of', 'Collected'])} ${kind === 'compilation' && r.chance(0.5) ? `Vol. ${r.int(1, 4)}` : plan.name}`.trim()
        : albumTitle(r, genre.family, plan.name));
      this.addAlbum(artist, genre, kind, title, year, n, plan.titles?.track);
    });
    return artist;
  }

  addAlbum(
    artist: CatalogArtist, genre: GenreDef, kind: AlbumType, name: string, year: number, trackCount: number,
    trackTitles?: string[], discs = 1,
  ): CatalogAlbum {
    const r = this.rng;
    const id = this.nextId('album');
    const precision: DatePrecision = year < 1980 && r.chance(0.25) ? 'year' : r.chance(0.05) ? 'month' : 'day';
    const mm = String(r.int(1, 12)).padStart(2, '0');
    const dd = String(r.int(1, 28)).padStart(2, '0');
    const releaseDate = precision === 'year' ? `${year}` : precision === 'month' ? `${year}-${mm}` : `${year}-${mm}-${dd}`;
    const album: CatalogAlbum = {
      id, name, albumType: kind, artistIds: [artist.id], releaseDate, releaseDatePrecision: precision,
      label: r.pick(familyLabels(genre)), popularity: 0, trackIds: [],
      upc: String(hashString(id, 11)).padStart(10, '0') + String(hashString(id, 12) % 100).padStart(2, '0'), genre: genre.name,
    };
    this.albums.set(id, album);
    artist.albumIds.push(id);
    const live = name.startsWith('Live at');
    const perDisc = Math.ceil(trackCount / discs);
    let popSum = 0;
    for (let i = 0; i < trackCount; i++) {
      const tid = this.nextId('track');
      const pop = clamp(Math.round(artist.popularity + r.normal(kind === 'single' ? 5 : -5, 12) - (2026 - year) * 0.15), 0, 100);
      popSum += pop;
      const features = this.protectedArtists.has(artist.id) || !r.chance(0.02) ? this.features(genre, live) : null;
      const durationMs = Math.round(clamp(r.normal(genre.profile.duration, genre.profile.duration * 0.22), 45, 1500) * 1000);
      const track: CatalogTrack = {
        id: tid,
        name: trackTitles?.[i % trackTitles.length] ?? (kind === 'single' && i === 0 ? name : songTitle(r, genre.family)),
        albumId: id, artistIds: [artist.id],
        discNumber: Math.floor(i / perDisc) + 1, trackNumber: (i % perDisc) + 1,
        durationMs, explicit: r.chance(genre.profile.explicit), popularity: pop,
        isrc: `QZ${base62Id(tid).slice(0, 3).toUpperCase()}${String(year % 100).padStart(2, '0')}${String(hashString(tid, 5) % 100000).padStart(5, '0')}`,
        features, reccobeatsId: uuidFrom(`reccobeats:${tid}`),
      };
      this.tracks.set(tid, track);
      album.trackIds.push(tid);
    }
    album.popularity = clamp(Math.round(popSum / Math.max(1, trackCount) + 3), 0, 100);
    return album;
  }

  /** Second pass: some tracks feature another artist of the same genre (→ appears_on). */
  addFeaturings(byGenre: Map<string, CatalogArtist[]>): void {
    const r = this.rng;
    for (const t of this.tracks.values()) {
      if (!r.chance(0.05)) continue;
      const main = this.artists.get(t.artistIds[0])!;
      if (this.protectedArtists.has(main.id)) continue;
      const pool = (byGenre.get(main.genres[0]) ?? []).filter((a) => a.id !== main.id && !this.protectedArtists.has(a.id));
      if (pool.length === 0) continue;
      const guest = r.pick(pool);
      t.artistIds.push(guest.id);
      t.name = `${t.name} (feat. ${guest.name})`;
      if (!guest.appearsOnAlbumIds.includes(t.albumId)) guest.appearsOnAlbumIds.push(t.albumId);
    }
  }
}

function familyLabels(genre: GenreDef): string[] {
  switch (genre.family) {
    case 'jazz': return ['Blue Note Sandbox', 'Prestige Demo', 'Riverside Test', 'Impulse Sandbox'];
    case 'classical': return ['Deutsche Grammophon Sandbox', 'Harmonia Mundi Demo', 'Naxos Test'];
    case 'metal': return ['Relapse Sandbox', 'Nuclear Blast Demo', 'Profound Lore Test'];
    case 'electronic': return ['Warp Sandbox', 'Kompakt Demo', 'Hyperdub Test', 'Ninja Tune Sandbox'];
    case 'hiphop': return ['Def Jam Sandbox', 'Rawkus Demo', 'Chillhop Test'];
    case 'latin': return ['Fania Sandbox', 'Verve Brasil Demo', 'Rimas Test'];
    case 'kpop': return ['SM Sandbox', 'YG Demo', 'HYBE Test'];
    case 'jpop': return ['Toshiba EMI Sandbox', 'Victor Demo', 'Avex Test'];
    case 'country': return ['Sun Records Sandbox', 'Rounder Demo', 'Nashville Test'];
    case 'soul': return ['Motown Sandbox', 'Stax Demo', 'Soulection Test'];
    default: return ['Sub Pop Sandbox', 'Bella Union Demo', 'Rough Trade Test', 'Matador Sandbox', 'Independent'];
  }
}

const genre = (name: string): GenreDef => {
  const g = GENRES.find((x) => x.name === name);
  if (!g) throw new Error(`unknown genre ${name}`);
  return g;
};

export const VARIOUS_ARTISTS_ID = '0LyfQWJT6nXafLPZqxe9Of';

/** Deterministic synthetic catalog; the same seed always gives the same catalog. */
export function buildSyntheticCatalog(seed = 1): Catalog {
  const rng = new Rng(seed * 2654435761);
  const b = new SyntheticBuilder(seed, rng);

  // Notable fixtures first, so their ids do not depend on the size of the regular catalog.
  const small = b.addArtist({
    name: b.uniqueName(() => 'Juniper Vale'), genres: [genre('indie folk'), genre('dream pop')],
    albums: 2, singles: 0, compilations: 0, popularity: 38, beginYear: 2016, endYear: 2022,
    inMusicBrainz: true, featuresAlways: true, albumTracks: [8, 10],
  });
  const largest = b.addArtist({
    name: b.uniqueName(() => 'Thelonious Marlowe'), genres: [genre('hard bop'), genre('cool jazz'), genre('vocal jazz')],
    albums: 140, singles: 170, compilations: 20, popularity: 71, beginYear: 1955, endYear: 2026,
    inMusicBrainz: true, albumTracks: [5, 9],
  });
  const boxArtist = b.addArtist({
    name: b.uniqueName(() => 'Leipzig Collegium Musicum'), genres: [genre('baroque')],
    albums: 2, singles: 1, compilations: 0, popularity: 44, beginYear: 1968, endYear: 2024, inMusicBrainz: true,
  });
  const box = b.addAlbum(boxArtist, genre('baroque'), 'compilation', 'Bach: The Complete Cantatas (Box Set)', 2000, 120,
    Array.from({ length: 40 }, (_, i) => `Cantata BWV ${i + 1}`).flatMap((c) => [`${c}: I. Chorus`, `${c}: II. Aria`, `${c}: III. Chorale`]), 6);
  const hostile = b.addArtist({
    name: b.uniqueName(() => '</script><script>alert(1)</script>'), genres: [genre('indie pop'), genre('synthpop')],
    albums: 2, singles: 2, compilations: 0, popularity: 52, beginYear: 2015, inMusicBrainz: true,
    titles: { album: HOSTILE_TITLES, track: HOSTILE_TITLES },
  });
  const hostileNames: Array<[string, string[]]> = [
    ['<img src=x onerror=alert(1)>', ['punk']],
    ['Beyoncé & the "Quotes"', ['dance pop', 'neo soul']],
    ['Sigur Rós', ['dream pop', 'ambient']],
    ['坂本龍一', ['ambient', 'city pop']],
    ['Crosby, Stills, Nash & Commas', ['classic rock']],
    ["Bobby '; DROP TABLE artists;--", ['trap']],
    ['مشروع ليلى', ['indie rock']],
    ['Zoë 🎧 ${jndi:ldap://x} \\ Backslash', ['techno']],
  ];
  for (const [name, gs] of hostileNames) {
    b.addArtist({ name: b.uniqueName(() => name), genres: gs.map(genre), albums: rng.int(1, 4), singles: rng.int(0, 3), compilations: 0, titles: { track: HOSTILE_TITLES.slice(rng.int(0, 4)).concat(HOSTILE_TITLES) } });
  }

  // Regular artists: 11 per genre, discography size skewed (most small, a few big).
  for (const g of GENRES) {
    for (let i = 0; i < 11; i++) {
      const second = rng.chance(0.5) ? GENRES.filter((x) => x.family === g.family && x !== g) : [];
      const genres = [g, ...(second.length ? [rng.pick(second)] : [])];
      const size = rng.float();
      const albums = size < 0.5 ? rng.int(1, 3) : size < 0.9 ? rng.int(3, 8) : rng.int(8, 16);
      b.addArtist({
        name: b.uniqueName(() => artistName(rng, g.family)), genres,
        albums, singles: rng.int(0, albums + 2), compilations: size > 0.8 && rng.chance(0.5) ? 1 : 0,
      });
    }
  }

  const byGenre = new Map<string, CatalogArtist[]>();
  for (const a of b.artists.values()) {
    for (const g of a.genres) {
      if (!byGenre.has(g)) byGenre.set(g, []);
      byGenre.get(g)!.push(a);
    }
  }
  b.addFeaturings(byGenre);

  // Various Artists compilations: appears_on entries for the artists on them.
  const va: CatalogArtist = {
    id: VARIOUS_ARTISTS_ID, name: 'Various Artists', genres: [], popularity: 0, followers: 0,
    albumIds: [], appearsOnAlbumIds: [], inMusicBrainz: true, kind: 'group', beginYear: 1960,
  };
  b.artists.set(va.id, va);
  for (const g of GENRES.filter((_, i) => i % 3 === 0)) {
    const pool = (byGenre.get(g.name) ?? []).filter((a) => a.id !== small.id);
    const album = b.addAlbum(va, g, 'compilation', `${g.name.replace(/\b\w/g, (c) => c.toUpperCase())} Essentials`, rng.int(Math.max(g.era[0], 1990), 2025), Math.min(12, pool.length));
    album.trackIds.forEach((tid, i) => {
      const artist = pool[i];
      const t = b.tracks.get(tid)!;
      t.artistIds = [artist.id];
      if (!artist.appearsOnAlbumIds.includes(album.id)) artist.appearsOnAlbumIds.push(album.id);
    });
  }

  return finalize('synthetic', seed, b.artists, b.albums, b.tracks, {
    smallArtistId: small.id, largestArtistId: largest.id, bigAlbumId: box.id, hostileArtistId: hostile.id,
  });
}

let defaultCatalog: Catalog | undefined;
/** The synthetic catalog for seed 1, built once per process. */
export function getDefaultCatalog(): Catalog {
  defaultCatalog ??= buildSyntheticCatalog(1);
  return defaultCatalog;
}

/** Notable ids of the default synthetic catalog (seed 1); computed on first access. */
export const NOTABLE: Notable = {
  get smallArtistId() { return getDefaultCatalog().notable.smallArtistId; },
  get largestArtistId() { return getDefaultCatalog().notable.largestArtistId; },
  get bigAlbumId() { return getDefaultCatalog().notable.bigAlbumId; },
  get hostileArtistId() { return getDefaultCatalog().notable.hostileArtistId; },
  get unknownToMusicBrainzArtistId() { return getDefaultCatalog().notable.unknownToMusicBrainzArtistId; },
  get trackWithoutFeaturesId() { return getDefaultCatalog().notable.trackWithoutFeaturesId; },
};

// ---------------------------------------------------------------------------------------------
// CSV catalog

const FEATURE_COLUMNS = ['danceability', 'energy', 'key', 'loudness', 'mode', 'speechiness', 'acousticness',
  'instrumentalness', 'liveness', 'valence', 'tempo'] as const;

type Row = Record<string, string | undefined>;

function csvId(value: string | undefined, fallbackKey: string): string {
  const v = (value ?? '').trim();
  return BASE62_ID.test(v) ? v : base62Id(fallbackKey);
}

function parseReleaseDate(raw: string | undefined): { date: string; precision: DatePrecision } {
  const v = (raw ?? '').trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return { date: v, precision: 'day' };
  if (/^\d{4}-\d{2}$/.test(v)) return { date: v, precision: 'month' };
  if (/^\d{4}$/.test(v)) return { date: v, precision: 'year' };
  const year = /\d{4}/.exec(v)?.[0] ?? '1970';
  return { date: year, precision: 'year' };
}

function num(v: string | undefined): number | null {
  if (v === undefined || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function splitGenres(cell: string): string[] {
  const sep = cell.includes(';') ? ';' : ',';
  return cell.split(sep).map((g) => g.trim()).filter(Boolean);
}

/** Accumulates spotify_songs.csv rows (any order) and builds the catalog. */
class CsvCatalogBuilder {
  private readonly artists = new Map<string, CatalogArtist>();
  private readonly albums = new Map<string, CatalogAlbum>();
  private readonly tracks = new Map<string, CatalogTrack>();
  private readonly playlistGenres = new Map<string, Map<string, number>>();
  private readonly explicitGenres = new Map<string, string[]>();
  private readonly autoTypedAlbums = new Set<string>();

  addRow(row: Row): void {
    const { artists, albums, tracks } = this;
    const artistName = (row.track_artist ?? '').trim() || 'Unknown artist';
    const artistId = csvId(row.artist_id, `csv-artist:${artistName}`);
    let artist = artists.get(artistId);
    if (!artist) {
      artist = {
        id: artistId, name: artistName, genres: [], popularity: 0, followers: 0, albumIds: [], appearsOnAlbumIds: [],
        inMusicBrainz: hashString(artistId, 7) % 20 !== 0, kind: 'group', beginYear: 9999,
      };
      artists.set(artistId, artist);
    }
    const counts = this.playlistGenres.get(artistId) ?? new Map<string, number>();
    this.playlistGenres.set(artistId, counts);
    for (const g of [row.playlist_genre, row.playlist_subgenre]) {
      const v = (g ?? '').trim();
      if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    if (row.artist_genres && row.artist_genres.trim() && !this.explicitGenres.has(artistId)) {
      this.explicitGenres.set(artistId, splitGenres(row.artist_genres));
    }

    const rawTrackId = (row.track_id ?? '').trim();
    const trackId = csvId(rawTrackId, `csv-track:${rawTrackId}:${row.track_name}:${artistName}`);
    if (tracks.has(trackId)) return;

    const albumName = (row.track_album_name ?? '').trim() || 'Unknown album';
    const albumId = csvId(row.track_album_id, `csv-album:${albumName}:${artistName}`);
    let album = albums.get(albumId);
    const { date, precision } = parseReleaseDate(row.track_album_release_date);
    if (!album) {
      const t = (row.album_type ?? '').trim().toLowerCase();
      album = {
        id: albumId, name: albumName, albumType: (t === 'album' || t === 'single' || t === 'compilation') ? t : 'album',
        artistIds: [artistId], releaseDate: date, releaseDatePrecision: precision, label: 'Independent',
        popularity: 0, trackIds: [], upc: String(hashString(albumId, 11)).padStart(12, '0'),
        genre: (row.playlist_genre ?? '').trim(),
      };
      if (!t) this.autoTypedAlbums.add(albumId);
      albums.set(albumId, album);
      artist.albumIds.push(albumId);
    }
    const year = Number(date.slice(0, 4));
    if (Number.isFinite(year)) artist.beginYear = Math.min(artist.beginYear, year);

    const values = FEATURE_COLUMNS.map((c) => num(row[c]));
    const f = Object.fromEntries(FEATURE_COLUMNS.map((c, i) => [c, values[i]])) as Record<(typeof FEATURE_COLUMNS)[number], number | null>;
    const features: AudioFeatures | null = values.some((v) => v === null) ? null : {
      danceability: f.danceability!, energy: f.energy!, key: f.key!, loudness: f.loudness!, mode: f.mode!,
      speechiness: f.speechiness!, acousticness: f.acousticness!, instrumentalness: f.instrumentalness!,
      liveness: f.liveness!, valence: f.valence!, tempo: f.tempo!, time_signature: 4,
    };
    const popularity = clamp(Math.round(num(row.track_popularity) ?? 0), 0, 100);
    const trackNumber = num(row.track_number);
    const explicit = (row.explicit ?? '').trim().toLowerCase();
    const track: CatalogTrack = {
      id: trackId, name: (row.track_name ?? '').trim() || 'Untitled', albumId, artistIds: [artistId],
      discNumber: Math.max(1, Math.round(num(row.disc_number) ?? 1)),
      trackNumber: trackNumber !== null ? Math.round(trackNumber) : album.trackIds.length + 1,
      durationMs: Math.max(0, Math.round(num(row.duration_ms) ?? 0)),
      explicit: explicit === 'true' || explicit === '1' || explicit === 'yes',
      popularity, isrc: `QZCSV${String(hashString(trackId, 5)).padStart(10, '0').slice(0, 7)}`,
      features, reccobeatsId: uuidFrom(`reccobeats:${trackId}`),
    };
    tracks.set(trackId, track);
    album.trackIds.push(trackId);
    album.popularity = Math.max(album.popularity, popularity);
    artist.popularity = Math.max(artist.popularity, popularity);
  }

  finish(file: string): Catalog {
    const { artists, albums, tracks } = this;
    for (const album of albums.values()) {
      if (this.autoTypedAlbums.has(album.id)) album.albumType = album.trackIds.length <= 3 ? 'single' : 'album';
      album.trackIds.sort((a, b) => {
        const ta = tracks.get(a)!;
        const tb = tracks.get(b)!;
        return ta.discNumber - tb.discNumber || ta.trackNumber - tb.trackNumber;
      });
    }
    for (const artist of artists.values()) {
      const counts = this.playlistGenres.get(artist.id) ?? new Map<string, number>();
      artist.genres = this.explicitGenres.get(artist.id)
        ?? [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([g]) => g).slice(0, 8);
      artist.followers = Math.round(Math.exp(artist.popularity / 8) * (3 + (hashString(artist.id, 9) % 2000) / 100));
      if (artist.beginYear === 9999) artist.beginYear = 2000;
    }
    if (tracks.size === 0) throw new Error(`catalog file ${file} has no tracks`);
    return finalize('csv', null, artists, albums, tracks);
  }
}

const CSV_OPTIONS = {
  columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
  bom: true, skip_empty_lines: true, relax_column_count: true,
};

/** Streams a spotify_songs.csv-style file into a catalog (see the header comment for the rules). */
export async function loadCsvCatalog(file: string): Promise<Catalog> {
  const builder = new CsvCatalogBuilder();
  const parser = createReadStream(file).pipe(parse(CSV_OPTIONS));
  for await (const row of parser as AsyncIterable<Row>) builder.addRow(row);
  return builder.finish(file);
}

/** Same as loadCsvCatalog, blocking; used by createSandbox({ catalogFile }), which is synchronous. */
export function loadCsvCatalogSync(file: string): Catalog {
  const builder = new CsvCatalogBuilder();
  const rows = parseSync(readFileSync(file), CSV_OPTIONS) as Row[];
  for (const row of rows) builder.addRow(row);
  return builder.finish(file);
}
