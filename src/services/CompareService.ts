import { NotFound } from '../errors';
import type { TimeRange } from '../spotify/SpotifyClient';
import type { AlbumRecord, TrackRecord } from '../store/ArtistRepository';
import type { ArtistService, ArtistStatus, ArtistView } from './ArtistService';
import { RANGE_LABELS, type DashboardService } from './DashboardService';
import type { ProfileService } from './ProfileService';
import { COMPARED_FEATURES, SIMILARITY_METHOD, explainSimilarity, possessive, similarity, type FeatureMeans, type SimilaritySubjects } from './similarity';

/** The 0–1 features drawn as distributions (the compared features without tempo). */
export const UNIT_FEATURES = ['energy', 'danceability', 'valence', 'acousticness', 'instrumentalness', 'speechiness', 'liveness'] as const;
type UnitFeature = (typeof UNIT_FEATURES)[number];

export const KEY_NAMES = ['C', 'C♯', 'D', 'D♯', 'E', 'F', 'F♯', 'G', 'G♯', 'A', 'A♯', 'B'];
/** Shared histogram bins, so both sides can be overlaid; values beyond the ends go into the edge bins. */
const TEMPO_BINS = { start: 0, size: 10, count: 25 };
const DURATION_BINS = { start: 0, size: 0.5, count: 30 };
const RANGE_PHRASE: Record<TimeRange, string> = { short_term: 'from the last 4 weeks', medium_term: 'from the last 6 months', long_term: 'of all time' };

export interface BoxStats {
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  mean: number;
}

/** Tracks per bin: bin i covers [start + i·size, start + (i+1)·size); the last also takes everything above. */
export interface Histogram {
  start: number;
  size: number;
  unit: string;
  counts: number[];
}

export interface ArtistProfile {
  id: string;
  name: string;
  image: string | null;
  genres: string[];
  spotify_url: string | null;
  fetched_at: string | null;
  releases: number;
  tracks: number;
  tracks_with_features: number;
  features_provider: string | null;
  features_note: string | null;
  /** Average of each compared feature over the tracks that have it; null when none has. */
  means: FeatureMeans;
  distributions: Record<UnitFeature, BoxStats | null>;
  tempo: { stats: BoxStats | null; histogram: Histogram };
  keys: { names: string[]; major: number[]; minor: number[]; tracks_with_key: number; major_share: number | null };
  durations: { stats_ms: BoxStats | null; histogram: Histogram };
  releases_per_year: { year: number; album: number; single: number; compilation: number; total: number }[];
}

export interface SimilarityResult {
  score: number | null;
  explanation: string;
  features: { feature: string; a: number; b: number; difference: number }[];
  method: string;
}

export interface ArtistComparison {
  kind: 'artists';
  same_artist: boolean;
  a: ArtistProfile;
  b: ArtistProfile;
  similarity: SimilarityResult;
}

export interface TasteComparison {
  kind: 'taste';
  range: TimeRange;
  range_label: string;
  you: {
    display_name: string;
    /** Top tracks of the range, and how many of them have audio features. */
    top_tracks: number;
    tracks_with_features: number;
    means: FeatureMeans | null;
    note: string | null;
  };
  b: ArtistProfile;
  similarity: SimilarityResult;
}

/** A page either has its data, or an artist is still being fetched (or failed to be). */
export type PageResult<T> = { state: 'ready'; comparison: T } | { state: 'pending' | 'failed'; status: ArtistStatus };

/**
 * Compare two artists' discographies, or a listener's taste (the dashboard's feature averages over
 * their top tracks) with an artist's. Artists come from ArtistService (cached or ingested); nothing
 * here talks to Spotify or DynamoDB directly.
 */
export class CompareService {
  constructor(private readonly d: { artists: ArtistService; dashboard: DashboardService; profiles: ProfileService }) {}

  /** For the JSON API: waits for any ingest the artists need. */
  async compareArtists(aId: string, bId: string): Promise<ArtistComparison> {
    const [a, b] = await Promise.all([this.d.artists.get(aId), aId === bId ? null : this.d.artists.get(bId)]);
    return compareViews(a, b ?? a);
  }

  async compareTaste(userId: string, bId: string, range: TimeRange): Promise<TasteComparison> {
    const [view, taste] = await Promise.all([this.d.artists.get(bId), this.taste(userId, range)]);
    return compareTasteWith(taste, view, range);
  }

  /** For pages: uses any complete copy at once (refreshing a stale one behind it) and never waits long for an ingest. */
  async artistsPage(aId: string, bId: string): Promise<PageResult<ArtistComparison>> {
    const loaded = await this.forPage(aId === bId ? [aId] : [aId, bId]);
    if (!Array.isArray(loaded)) return loaded;
    return { state: 'ready', comparison: compareViews(loaded[0], loaded[1] ?? loaded[0]) };
  }

  async tastePage(userId: string, bId: string, range: TimeRange): Promise<PageResult<TasteComparison>> {
    const [loaded, taste] = await Promise.all([this.forPage([bId]), this.taste(userId, range)]);
    if (!Array.isArray(loaded)) return loaded;
    return { state: 'ready', comparison: compareTasteWith(taste, loaded[0], range) };
  }

  private async taste(userId: string, range: TimeRange): Promise<UserTaste> {
    const user = await this.d.profiles.user(userId);
    const summary = await this.d.dashboard.summary(user);
    const r = summary.ranges[range];
    return {
      display_name: summary.user.display_name,
      top_tracks: r.tracks.length,
      taste: r.taste,
      features_note: summary.features.note,
    };
  }

  /** Every artist's view, or the state of the first one that is not ready. Ingests of all run side by side. */
  private async forPage(ids: string[]): Promise<ArtistView[] | { state: 'pending' | 'failed'; status: ArtistStatus }> {
    const outcomes = await Promise.all(ids.map((id) => this.pageView(id)));
    for (const o of outcomes) if (!('view' in o)) return o;
    return outcomes.map((o) => (o as { view: ArtistView }).view);
  }

  private async pageView(id: string): Promise<{ view: ArtistView } | { state: 'pending' | 'failed'; status: ArtistStatus }> {
    const { artists } = this.d;
    const cached = await artists.cached(id);
    if (cached) {
      // A failed refresh is recorded on the artist item (and logged by ArtistService); the copy stays usable.
      if (!cached.fresh) artists.ensureIngest(id).catch(() => undefined);
      return { view: cached.view };
    }
    const status = await artists.status(id);
    // As on the artist page: a failed fetch is shown (with a way to retry there), not retried on every view.
    if (status.status === 'failed') return { state: 'failed', status };
    const outcome = await artists.ingestBriefly(id);
    if (outcome === 'missing') throw new NotFound(`Spotify has no artist with the id ${id}.`);
    if (outcome === 'pending') return { state: 'pending', status: await artists.status(id) };
    const fresh = await artists.cached(id);
    return fresh ? { view: fresh.view } : { state: 'failed', status: await artists.status(id) };
  }
}

interface UserTaste {
  display_name: string;
  top_tracks: number;
  taste: Awaited<ReturnType<DashboardService['summary']>>['ranges'][TimeRange]['taste'];
  features_note: string | null;
}

/** Two artists side by side (the same artist twice is allowed, and said). */
export function compareViews(a: ArtistView, b: ArtistView): ArtistComparison {
  const pa = artistProfile(a);
  const pb = artistProfile(b);
  const same = pa.id === pb.id;
  const who: SimilaritySubjects = { a: `${possessive(pa.name)} catalog`, aPlural: false, b: possessive(pb.name) };
  let reason: string | null = null;
  if (pa.tracks_with_features === 0 || pb.tracks_with_features === 0) {
    const without = (same ? [pa] : [pa, pb]).filter((p) => p.tracks_with_features === 0);
    reason = `No similarity score: ${without.map((p) => p.name).join(' and ')} ${without.length > 1 ? 'have' : 'has'} no tracks with audio features.${sentence(without[0].features_note)}`;
  }
  const result = scored(pa.means, pb.means, who, reason);
  if (same && result.score !== null) {
    result.explanation = `${result.score}/100: both sides are ${possessive(pa.name)} catalog, so all ${result.features.length} feature averages are identical.`;
  }
  return { kind: 'artists', same_artist: same, a: pa, b: pb, similarity: result };
}

/** A listener's taste (feature averages of their top tracks in a range) against an artist's discography. */
export function compareTasteWith(t: UserTaste, view: ArtistView, range: TimeRange): TasteComparison {
  const pb = artistProfile(view);
  const averages = t.taste ? (Object.fromEntries(COMPARED_FEATURES.map((f) => [f, round(t.taste![f])])) as FeatureMeans) : null;
  // A taste whose averages are all missing is no taste profile, whatever its track count says.
  const means = averages && COMPARED_FEATURES.some((f) => averages[f] !== null) ? averages : null;
  const period = RANGE_PHRASE[range];
  let reason: string | null = null;
  let note: string | null = null;
  if (!means) {
    note = t.top_tracks === 0
      ? `Spotify lists no top tracks of yours ${period} yet, so there is no taste profile to compare.`
      : `None of your ${t.top_tracks} top tracks ${period} has audio features${t.features_note ? `: ${t.features_note}` : '.'}`;
    reason = `No similarity score: ${note}`;
  } else if (pb.tracks_with_features === 0) {
    reason = `No similarity score: no track of ${pb.name} has audio features.${sentence(pb.features_note)}`;
  }
  const who: SimilaritySubjects = { a: 'your top tracks', aPlural: true, b: `${possessive(pb.name)} catalog` };
  return {
    kind: 'taste',
    range,
    range_label: RANGE_LABELS[range],
    you: { display_name: t.display_name, top_tracks: t.top_tracks, tracks_with_features: means ? (t.taste?.tracks_with_features ?? 0) : 0, means, note },
    b: pb,
    similarity: scored(means ?? emptyMeans(), pb.means, who, reason),
  };
}

function scored(a: FeatureMeans, b: FeatureMeans, who: SimilaritySubjects, reason: string | null): SimilarityResult {
  const s = similarity(a, b);
  return {
    score: reason ? null : s.score,
    explanation: reason ?? explainSimilarity(s, who),
    features: s.differences.map((d) => ({ feature: d.feature, a: d.a, b: d.b, difference: round(d.difference)! })),
    method: SIMILARITY_METHOD,
  };
}

export function artistProfile(view: ArtistView): ArtistProfile {
  const t = view.tracks;
  const a = view.artist;
  const values = (f: keyof TrackRecord) => t.map((x) => x[f]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const means = Object.fromEntries(COMPARED_FEATURES.map((f) => [f, round(meanOf(values(f)))])) as FeatureMeans;
  const distributions = Object.fromEntries(UNIT_FEATURES.map((f) => [f, boxStats(values(f))])) as Record<UnitFeature, BoxStats | null>;
  const tempos = values('tempo');
  const durations = values('duration_ms');

  const major = KEY_NAMES.map(() => 0);
  const minor = KEY_NAMES.map(() => 0);
  for (const x of t) {
    if (x.key === null || x.key < 0 || x.key > 11 || (x.mode !== 0 && x.mode !== 1)) continue;
    (x.mode === 1 ? major : minor)[x.key]++;
  }
  const withKey = sum(major) + sum(minor);

  return {
    id: a.id,
    name: a.name,
    image: a.image,
    genres: a.genres,
    spotify_url: a.spotify_url,
    fetched_at: view.fetched_at,
    releases: view.albums.length,
    tracks: t.length,
    tracks_with_features: t.filter((x) => x.energy !== null).length,
    features_provider: a.features_provider,
    features_note: a.features_note,
    means,
    distributions,
    tempo: { stats: boxStats(tempos), histogram: histogram(tempos, TEMPO_BINS, 'BPM') },
    keys: { names: KEY_NAMES, major, minor, tracks_with_key: withKey, major_share: withKey ? round(sum(major) / withKey) : null },
    durations: { stats_ms: boxStats(durations), histogram: histogram(durations.map((ms) => ms / 60_000), DURATION_BINS, 'minutes') },
    releases_per_year: releasesPerYear(view.albums),
  };
}

function releasesPerYear(albums: AlbumRecord[]): ArtistProfile['releases_per_year'] {
  const years = new Map<number, { year: number; album: number; single: number; compilation: number; total: number }>();
  for (const al of albums) {
    const year = Number(al.release_date.slice(0, 4));
    if (!Number.isInteger(year) || year <= 0) continue;
    const row = years.get(year) ?? { year, album: 0, single: 0, compilation: 0, total: 0 };
    if (al.album_type === 'album' || al.album_type === 'single' || al.album_type === 'compilation') row[al.album_type]++;
    row.total++;
    years.set(year, row);
  }
  return [...years.values()].sort((x, y) => x.year - y.year);
}

function histogram(values: number[], bins: { start: number; size: number; count: number }, unit: string): Histogram {
  const counts = new Array<number>(bins.count).fill(0);
  for (const v of values) counts[Math.min(bins.count - 1, Math.max(0, Math.floor((v - bins.start) / bins.size)))]++;
  return { start: bins.start, size: bins.size, unit, counts };
}

/** Quartiles by linear interpolation between order statistics (the method of numpy's default). */
export function boxStats(values: number[]): BoxStats | null {
  if (values.length === 0) return null;
  const s = [...values].sort((x, y) => x - y);
  const q = (p: number) => {
    const pos = (s.length - 1) * p;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return s[lo] + (s[hi] - s[lo]) * (pos - lo);
  };
  return { n: s.length, min: s[0], q1: round(q(0.25))!, median: round(q(0.5))!, q3: round(q(0.75))!, max: s[s.length - 1], mean: round(meanOf(s))! };
}

function meanOf(values: number[]): number | null {
  return values.length ? sum(values) / values.length : null;
}

function sum(values: number[]): number {
  return values.reduce((s, v) => s + v, 0);
}

function round(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 10_000) / 10_000 : null;
}

/** A note from elsewhere, appended as its own sentence. */
function sentence(note: string | null): string {
  return note ? ` ${note.replace(/([^.!?])$/, '$1.')}` : '';
}

function emptyMeans(): FeatureMeans {
  return Object.fromEntries(COMPARED_FEATURES.map((f) => [f, null])) as FeatureMeans;
}
