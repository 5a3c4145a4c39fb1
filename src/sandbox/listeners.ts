/**
 * Demo listeners of the sandbox: who they are, their top artists/tracks per time range, their 50
 * most recent plays and a generated "Extended streaming history" export. All derived
 * deterministically from the listener's taste and the catalog (seeded PRNG, no Math.random).
 */
import { type Catalog, type CatalogArtist, VARIOUS_ARTISTS_ID, getDefaultCatalog } from './catalog';
import { Rng, base62Id } from './random';

// Module-scoped alias: under jest's vm sandbox every global `Math` lookup is slow (~200 ns), and
// catalog building makes millions of them.
const Math = globalThis.Math;


export type TimeRange = 'short_term' | 'medium_term' | 'long_term';
export const TIME_RANGES: readonly TimeRange[] = ['short_term', 'medium_term', 'long_term'];

export interface DemoListener {
  id: string;
  displayName: string;
  /** One line describing the taste (shown on the consent page). */
  description: string;
  country: string;
  product: 'premium' | 'free';
  email: string;
  /** Genre keywords with weights: a genre equal to the keyword scores the weight, one containing it 80%. */
  taste: ReadonlyArray<readonly [string, number]>;
  platforms: readonly string[];
}

export const DEMO_LISTENERS: readonly DemoListener[] = [
  {
    id: 'ava.demo', displayName: 'Ava', description: 'Indie & dream pop, with shoegaze and indie folk on rainy days',
    country: 'GB', product: 'premium', email: 'ava.demo@sandbox.invalid', platforms: ['ios', 'osx', 'web_player'],
    taste: [['indie pop', 1], ['dream pop', 1], ['bedroom pop', 0.8], ['shoegaze', 0.7], ['indie folk', 0.6], ['indie rock', 0.5], ['indie', 0.8], ['synthpop', 0.3], ['pop', 0.15]],
  },
  {
    id: 'marcus.demo', displayName: 'Marcus', description: 'Jazz & soul: hard bop records, neo soul and Motown classics',
    country: 'US', product: 'premium', email: 'marcus.demo@sandbox.invalid', platforms: ['android', 'windows'],
    taste: [['hard bop', 1], ['cool jazz', 0.9], ['neo soul', 0.9], ['vocal jazz', 0.7], ['funk', 0.7], ['motown', 0.6], ['soul', 0.8], ['jazz', 0.8], ['r&b', 0.6], ['new jack swing', 0.4]],
  },
  {
    id: 'rin.demo', displayName: 'Rin', description: 'Electronic & K-pop: deep house, UK garage, techno and city pop',
    country: 'JP', product: 'premium', email: 'rin.demo@sandbox.invalid', platforms: ['android', 'windows', 'web_player'],
    taste: [['k-pop', 1], ['deep house', 0.9], ['uk garage', 0.8], ['techno', 0.7], ['city pop', 0.6], ['j-pop', 0.6], ['drum and bass', 0.5], ['edm', 0.8], ['house', 0.7], ['electro', 0.6]],
  },
  {
    id: 'newcomer.demo', displayName: 'Newcomer', description: 'A brand-new account: no top items and no recent plays yet',
    country: 'DE', product: 'free', email: 'newcomer.demo@sandbox.invalid', platforms: ['android'], taste: [],
  },
];

export function findListener(id: string): DemoListener | undefined {
  return DEMO_LISTENERS.find((l) => l.id === id);
}

function affinity(listener: DemoListener, artist: CatalogArtist): number {
  let best = 0;
  for (const genre of artist.genres) {
    const g = genre.toLowerCase();
    for (const [kw, w] of listener.taste) {
      if (g === kw) best = Math.max(best, w);
      else if (g.includes(kw)) best = Math.max(best, w * 0.8);
    }
  }
  return best;
}

export interface TopItems { artists: string[]; tracks: string[] }

const TOP_ARTISTS = 80;
const TOP_TRACKS = 100;
const topsCache = new WeakMap<Catalog, Map<string, Record<TimeRange, TopItems>>>();

/** Top artist and track ids per time range (ranked); empty for a listener without taste. */
export function listenerTops(catalog: Catalog, listener: DemoListener): Record<TimeRange, TopItems> {
  let perCatalog = topsCache.get(catalog);
  if (!perCatalog) {
    perCatalog = new Map();
    topsCache.set(catalog, perCatalog);
  }
  const cached = perCatalog.get(listener.id);
  if (cached) return cached;

  const result = {} as Record<TimeRange, TopItems>;
  const candidates = [...catalog.artists.values()]
    .filter((a) => a.id !== VARIOUS_ARTISTS_ID && a.albumIds.length > 0)
    .map((a) => ({ a, aff: affinity(listener, a) }));
  const noise: Record<TimeRange, number> = { short_term: 0.6, medium_term: 0.35, long_term: 0.2 };
  for (const range of TIME_RANGES) {
    if (listener.taste.length === 0) {
      result[range] = { artists: [], tracks: [] };
      continue;
    }
    const rng = new Rng(`${listener.id}:top:${range}`);
    const scored = candidates
      .map(({ a, aff }) => ({ a, score: (aff > 0 ? aff : 0.02) * (0.4 + a.popularity / 100) * Math.exp(rng.normal(0, noise[range])) }))
      .sort((x, y) => y.score - x.score || x.a.id.localeCompare(y.a.id))
      .slice(0, TOP_ARTISTS);
    const trackScores: Array<{ id: string; score: number }> = [];
    for (const { a, score } of scored.slice(0, 40)) {
      const own: Array<{ id: string; score: number }> = [];
      for (const albumId of a.albumIds) {
        for (const tid of catalog.albums.get(albumId)!.trackIds) {
          const t = catalog.tracks.get(tid)!;
          own.push({ id: tid, score: score * (0.3 + t.popularity / 100) * Math.exp(rng.normal(0, noise[range])) });
        }
      }
      own.sort((x, y) => y.score - x.score || x.id.localeCompare(y.id));
      trackScores.push(...own.slice(0, 5));
    }
    trackScores.sort((x, y) => y.score - x.score || x.id.localeCompare(y.id));
    result[range] = { artists: scored.map((s) => s.a.id), tracks: trackScores.slice(0, TOP_TRACKS).map((t) => t.id) };
  }
  perCatalog.set(listener.id, result);
  return result;
}

export interface RecentPlay {
  trackId: string;
  /** Unix ms. */
  playedAt: number;
  /** The album the track was played from, or null (no context). */
  contextAlbumId: string | null;
}

/** The listener's 50 most recent plays, newest first, ending a few minutes before `anchorMs`. */
export function recentPlays(catalog: Catalog, listener: DemoListener, anchorMs: number): RecentPlay[] {
  const tops = listenerTops(catalog, listener);
  const pool = [...new Set([...tops.short_term.tracks, ...tops.medium_term.tracks])];
  if (pool.length === 0) return [];
  const rng = new Rng(`${listener.id}:recent`);
  const plays: RecentPlay[] = [];
  let t = anchorMs - rng.int(3, 40) * 60_000;
  for (let i = 0; i < 50; i++) {
    const trackId = pool[Math.floor(pool.length * rng.float() ** 2)];
    const track = catalog.tracks.get(trackId)!;
    plays.push({ trackId, playedAt: t, contextAlbumId: rng.chance(0.6) ? track.albumId : null });
    const gap = rng.chance(0.12) ? rng.int(2 * 3600, 9 * 3600) * 1000 : track.durationMs + rng.int(0, 20_000);
    t -= Math.max(1000, gap);
  }
  return plays;
}

// ---------------------------------------------------------------------------------------------
// Extended streaming history (the "Download your data" export, Streaming_History_Audio_*.json)

export interface StreamingHistoryEntry {
  ts: string;
  platform: string;
  ms_played: number;
  conn_country: string;
  ip_addr: string;
  master_metadata_track_name: string | null;
  master_metadata_album_artist_name: string | null;
  master_metadata_album_album_name: string | null;
  spotify_track_uri: string | null;
  episode_name: string | null;
  episode_show_name: string | null;
  spotify_episode_uri: string | null;
  audiobook_title: string | null;
  audiobook_uri: string | null;
  audiobook_chapter_uri: string | null;
  audiobook_chapter_title: string | null;
  reason_start: string;
  reason_end: string;
  shuffle: boolean;
  skipped: boolean;
  offline: boolean;
  offline_timestamp: number | null;
  incognito_mode: boolean;
}

export interface HistoryOptions {
  /** Number of entries (music and podcast), default 5000. */
  plays?: number;
  /** Years of history ending at `end`, default 3. */
  years?: number;
  seed?: number | string;
  /** Catalog the tracks come from, default the synthetic catalog (seed 1). */
  catalog?: Catalog;
  /** End of the history (Date or Unix ms), default the start of the current UTC day. */
  end?: Date | number;
}

/** The podcasts of generated histories; the sandbox's search finds them (type=show). */
export const SHOWS = [
  'The Sandbox Daily', 'Deep Cuts Radio', 'Liner Notes', 'Crate Diggers', 'The Mix Down', 'Vinyl & Coffee',
];
const EPISODE_TITLES = ['On Record Stores', 'The Year in Music', 'Why Tempo Matters', 'Interview Special', 'Listener Mail'];
const START_REASONS = ['clickrow', 'playbtn', 'appload', 'remote'];
const HOUR_WEIGHTS = [0.3, 0.15, 0.08, 0.05, 0.05, 0.1, 0.4, 1, 1.3, 1.1, 0.9, 0.9, 1.2, 1, 0.9, 0.9, 1, 1.3, 1.5, 1.4, 1.5, 1.4, 1.1, 0.7];
const DAY_MS = 86_400_000;

/**
 * Streams a listener's extended streaming history, oldest first, ending at or before `end`.
 * Plays follow the listener's taste (favourites repeat, tastes drift over the years), a daily
 * rhythm (few plays at night, peaks on commutes and evenings), busier weekends, skips (~18%) and
 * some podcast episodes (~5% of sessions). A listener without taste (the Newcomer) yields nothing.
 */
const HITS = 12;
const hitsOf = new WeakMap<Catalog, string[]>();

/** The catalog's most popular tracks, one per artist (ties by id), the same for every listener. */
function globalHits(catalog: Catalog): string[] {
  let hits = hitsOf.get(catalog);
  if (!hits) {
    const artists = new Set<string>();
    hits = [];
    for (const t of [...catalog.tracks.values()].sort((a, b) => b.popularity - a.popularity || a.id.localeCompare(b.id))) {
      if (artists.has(t.artistIds[0])) continue;
      artists.add(t.artistIds[0]);
      hits.push(t.id);
      if (hits.length === HITS) break;
    }
    hitsOf.set(catalog, hits);
  }
  return hits;
}

export function* generateListeningHistory(listenerId: string, opts: HistoryOptions = {}): Generator<StreamingHistoryEntry> {
  const listener = findListener(listenerId);
  if (!listener) throw new Error(`unknown demo listener: ${listenerId}`);
  if (listener.taste.length === 0) return;
  const catalog = opts.catalog ?? getDefaultCatalog();
  const total = Math.max(0, Math.floor(opts.plays ?? 5000));
  const years = opts.years ?? 3;
  const end = opts.end !== undefined ? +opts.end : Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const days = Math.max(1, Math.round(years * 365.25));
  const start = end - days * DAY_MS;
  const rng = new Rng(`${listener.id}:history:${opts.seed ?? ''}`);

  const tops = listenerTops(catalog, listener);
  const pool = [...new Set([...tops.long_term.tracks, ...tops.medium_term.tracks, ...tops.short_term.tracks])];
  for (const artistId of tops.long_term.artists) {
    const artist = catalog.artists.get(artistId)!;
    const own = artist.albumIds.flatMap((al) => catalog.albums.get(al)!.trackIds)
      .sort((a, b) => catalog.tracks.get(b)!.popularity - catalog.tracks.get(a)!.popularity)
      .slice(0, 15);
    for (const t of own) pool.push(t);
  }
  const unique = [...new Set(pool)];
  // Everybody's hits: the catalog's most popular tracks turn up in every listener's history, as the
  // charts do in real ones, so any two demo listeners share some artists and tracks (friends, blends).
  const hits = globalHits(catalog).filter((t) => !unique.includes(t));
  hits.forEach((t, k) => unique.splice(Math.min(unique.length, 5 + 2 * k), 0, t));
  const ips = [0, 1, 2].map((i) => `203.0.113.${(listener.id.length * 17 + i * 41) % 250 + 1}`);

  const dayWeight = (dayStart: number) => ([0, 6].includes(new Date(dayStart).getUTCDay()) ? 1.3 : 1);
  let remaining = total;
  let remainingWeight = 0;
  for (let d = 0; d < days; d++) remainingWeight += dayWeight(start + d * DAY_MS);
  let clock = start;

  for (let d = 0; d < days && remaining > 0; d++) {
    const dayStart = start + d * DAY_MS;
    const w = dayWeight(dayStart);
    const share = remaining * (w / remainingWeight);
    remainingWeight -= w;
    const quiet = rng.chance(0.06);
    const dayPlays = d === days - 1 ? remaining : quiet ? 0 : Math.min(remaining, Math.round(share * (0.4 + rng.float() * 1.2)));
    remaining -= dayPlays;
    if (dayPlays === 0) continue;

    const sessions: Array<{ hour: number; size: number }> = [];
    for (let left = dayPlays; left > 0;) {
      const size = Math.min(left, rng.int(3, 25));
      sessions.push({ hour: rng.weighted(HOUR_WEIGHTS) + rng.float(), size });
      left -= size;
    }
    sessions.sort((a, b) => a.hour - b.hour);
    const drift = Math.floor((d / days) * unique.length * 0.3);

    for (const { hour, size } of sessions) {
      clock = Math.max(clock, dayStart + Math.floor(hour * 3_600_000));
      const platform = rng.pick(listener.platforms);
      const shuffle = rng.chance(0.4);
      const offline = rng.chance(0.03);
      const incognito = rng.chance(0.01);
      const podcast = rng.chance(0.05);
      const ip = rng.pick(ips);
      let previousEnd = '';
      for (let i = 0; i < size; i++) {
        // One object literal per entry (no spreads): keeps 250k entries fast and GC-light.
        const entry: StreamingHistoryEntry = {
          ts: '', platform, ms_played: 0, conn_country: listener.country, ip_addr: ip,
          master_metadata_track_name: null, master_metadata_album_artist_name: null, master_metadata_album_album_name: null,
          spotify_track_uri: null, episode_name: null, episode_show_name: null, spotify_episode_uri: null,
          audiobook_title: null, audiobook_uri: null, audiobook_chapter_uri: null, audiobook_chapter_title: null,
          reason_start: 'clickrow', reason_end: 'trackdone', shuffle, skipped: false, offline,
          offline_timestamp: offline ? clock : null, incognito_mode: incognito,
        };
        if (podcast && i < 2) {
          const show = SHOWS[rng.int(0, SHOWS.length - 1)];
          const n = rng.int(1, 400);
          entry.ms_played = rng.int(8, 55) * 60_000;
          entry.episode_name = `#${n}: ${EPISODE_TITLES[rng.int(0, EPISODE_TITLES.length - 1)]}`;
          entry.episode_show_name = show;
          entry.spotify_episode_uri = `spotify:episode:${base62Id(`${show}:${n}`)}`;
          entry.reason_start = i === 0 ? 'clickrow' : 'trackdone';
          entry.reason_end = rng.chance(0.7) ? 'trackdone' : 'endplay';
        } else {
          let idx = Math.floor(unique.length * rng.float() ** 2.2);
          if (rng.chance(0.5)) idx = (idx + drift) % unique.length;
          const track = catalog.tracks.get(unique[idx])!;
          const r = rng.float();
          const reasonEnd = r < 0.18 ? 'fwdbtn' : r < 0.22 ? 'endplay' : r < 0.23 ? 'logout' : 'trackdone';
          entry.ms_played = reasonEnd === 'fwdbtn' ? rng.int(1500, 30_000)
            : reasonEnd === 'trackdone' ? track.durationMs : rng.int(10_000, Math.max(10_001, track.durationMs));
          entry.master_metadata_track_name = track.name;
          entry.master_metadata_album_artist_name = catalog.artists.get(track.artistIds[0])!.name;
          entry.master_metadata_album_album_name = catalog.albums.get(track.albumId)!.name;
          entry.spotify_track_uri = `spotify:track:${track.id}`;
          entry.reason_start = i === 0 ? START_REASONS[rng.int(0, START_REASONS.length - 1)]
            : previousEnd === 'fwdbtn' ? 'fwdbtn' : previousEnd === 'trackdone' ? 'trackdone' : 'clickrow';
          entry.reason_end = reasonEnd;
          entry.skipped = reasonEnd === 'fwdbtn';
        }
        clock = Math.min(end, clock + entry.ms_played);
        entry.ts = `${new Date(clock).toISOString().slice(0, 19)}Z`;
        previousEnd = entry.reason_end;
        clock += rng.int(0, 3000);
        yield entry;
      }
    }
  }
}
