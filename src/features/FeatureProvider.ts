/** Audio features on Spotify's scale. Every value may be null: missing is never invented as 0. */
export interface TrackFeatures {
  tempo: number | null;
  energy: number | null;
  danceability: number | null;
  valence: number | null;
  acousticness: number | null;
  instrumentalness: number | null;
  liveness: number | null;
  speechiness: number | null;
  loudness: number | null;
  key: number | null;
  mode: number | null;
  time_signature: number | null;
}

export const FEATURE_NAMES: readonly (keyof TrackFeatures)[] = [
  'tempo', 'energy', 'danceability', 'valence', 'acousticness', 'instrumentalness',
  'liveness', 'speechiness', 'loudness', 'key', 'mode', 'time_signature',
];

export const NO_FEATURES: TrackFeatures = Object.freeze(
  Object.fromEntries(FEATURE_NAMES.map((n) => [n, null])) as unknown as TrackFeatures,
);

/** A source of audio features by Spotify track id (Spotify, ReccoBeats, or none). */
export interface FeatureProvider {
  readonly name: 'spotify' | 'reccobeats' | 'none';
  /** Ids per request; callers batch by this so requests are the provider's minimum. */
  readonly batchSize: number;
  /** Features for the given ids (at most batchSize); ids without features are absent. */
  fetchBatch(ids: string[]): Promise<Map<string, TrackFeatures>>;
}

/** Fetches features for any number of ids in batches of the provider's size, concurrently. */
export async function fetchAllFeatures(provider: FeatureProvider, ids: string[]): Promise<Map<string, TrackFeatures>> {
  const out = new Map<string, TrackFeatures>();
  if (provider.batchSize <= 0 || ids.length === 0) return out;
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += provider.batchSize) batches.push(ids.slice(i, i + provider.batchSize));
  const results = await Promise.all(batches.map((b) => provider.fetchBatch(b)));
  for (const r of results) for (const [id, f] of r) out.set(id, f);
  return out;
}

/** Reads a number from untrusted JSON; anything else (missing, string, NaN) is null. */
export function num(v: unknown, min = -Infinity, max = Infinity): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : null;
}

/** Maps a Spotify-style audio features object (Spotify or ReccoBeats) onto TrackFeatures, validating ranges. */
export function parseFeatures(raw: Record<string, unknown>): TrackFeatures {
  const unit = (k: string) => num(raw[k], 0, 1);
  const key = num(raw.key, -1, 11);
  return {
    tempo: num(raw.tempo, 0, 400),
    energy: unit('energy'),
    danceability: unit('danceability'),
    valence: unit('valence'),
    acousticness: unit('acousticness'),
    instrumentalness: unit('instrumentalness'),
    liveness: unit('liveness'),
    speechiness: unit('speechiness'),
    loudness: num(raw.loudness, -80, 10),
    key: key === -1 ? null : key,
    mode: raw.mode === 0 || raw.mode === 1 ? raw.mode : null,
    time_signature: num(raw.time_signature, 1, 12),
  };
}

export class NoFeatureProvider implements FeatureProvider {
  readonly name = 'none' as const;
  readonly batchSize = 0;
  async fetchBatch(): Promise<Map<string, TrackFeatures>> {
    return new Map();
  }
}

/**
 * How many tracks of an ingest got features: `with` features, `without` (the provider answered
 * and had none, or said 404 for the ids), `error` (the provider failed: 4xx, 5xx, timeout or a
 * malformed answer; asked again on the next ingest). `reason` says why some have none.
 */
export interface FeaturesCoverage {
  provider: FeatureProvider['name'];
  with: number;
  without: number;
  error: number;
  reason: string | null;
}
