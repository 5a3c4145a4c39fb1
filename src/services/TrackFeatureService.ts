import type { Logger } from 'pino';
import type { TrackFeatures } from '../features/FeatureProvider';
import type { FeatureProviders } from '../features/FeatureProviders';
import type { ApiProfile } from '../spotify/ApiProfile';
import type { SpotifyClient } from '../spotify/SpotifyClient';
import type { TokenSource } from '../upstream/UpstreamHttp';
import type { ArtistRepository } from '../store/ArtistRepository';
import { FeatureBatcher } from './IngestPipeline';

export interface FeaturesResult {
  features: Map<string, TrackFeatures>;
  provider: string;
  /** Why features are missing or come from elsewhere, for the page. */
  note: string | null;
}

/**
 * Features for arbitrary tracks (a user's top tracks): first what the catalog table already knows
 * (ingested artists, earlier lookups), then the configured provider in full batches; new answers
 * are cached in the catalog table.
 */
export class TrackFeatureService {
  constructor(
    private readonly repo: ArtistRepository,
    private readonly providers: FeatureProviders,
    private readonly profile: ApiProfile,
    private readonly spotify: SpotifyClient,
    private readonly appAuth: TokenSource,
    private readonly logger?: Logger,
  ) {}

  async forTracks(tracks: { id: string; artistId: string }[]): Promise<FeaturesResult> {
    const unique = [...new Map(tracks.map((t) => [t.id, t])).values()];
    const features = await this.repo.knownFeatures(unique.map((t) => ({ trackId: t.id, artistId: t.artistId })));
    const missing = unique.filter((t) => !features.has(t.id));
    if (missing.length === 0) return { features, provider: 'cache', note: null };

    const profile = await this.profile.resolve(() => this.spotify.batchEndpointsAvailable(missing[0].artistId, this.appAuth));
    type Row = { id: string; artistId: string } & TrackFeatures;
    const fetched: Row[] = [];
    const batcher = new FeatureBatcher<Row>(
      await this.providers.current(profile),
      (name) => this.providers.forbidden(name),
      (rows) => fetched.push(...rows),
    );
    batcher.add(missing.map((t) => ({ id: t.id, artistId: t.artistId }) as Row));
    await batcher.finish();
    const found = fetched.filter((r) => typeof r.energy === 'number' || typeof r.tempo === 'number');
    for (const r of found) features.set(r.id, pickFeatures(r));
    // The feature cache is a cache: a write it refuses is logged, and the features found are served.
    if (found.length) {
      await this.repo
        .cacheFeatures(found.map((r) => ({ trackId: r.id, artistId: r.artistId, features: pickFeatures(r) })))
        .catch((err: unknown) => this.logger?.warn({ err }, 'feature cache write failed; serving the features found'));
    }
    return { features, provider: batcher.providerName, note: batcher.note };
  }
}

/** Only the feature fields of a row that carries more. */
export function pickFeatures(r: TrackFeatures): TrackFeatures {
  const { tempo, energy, danceability, valence, acousticness, instrumentalness, liveness, speechiness, loudness, key, mode, time_signature } = r;
  return { tempo, energy, danceability, valence, acousticness, instrumentalness, liveness, speechiness, loudness, key, mode, time_signature };
}
