import type { SpotifyClient } from '../spotify/SpotifyClient';
import type { TokenSource } from '../upstream/UpstreamHttp';
import { parseFeatures, type FeatureProvider, type TrackFeatures } from './FeatureProvider';

/** Spotify's own /audio-features (100 ids a request). Restricted for apps created after Nov 2024: 403. */
export class SpotifyFeatureProvider implements FeatureProvider {
  readonly name = 'spotify' as const;
  readonly batchSize = 100;

  constructor(
    private readonly spotify: SpotifyClient,
    private readonly auth: TokenSource,
  ) {}

  async fetchBatch(ids: string[]): Promise<Map<string, TrackFeatures>> {
    const out = new Map<string, TrackFeatures>();
    const res = await this.spotify.audioFeatures(ids, this.auth);
    for (const f of res.audio_features ?? []) {
      if (f && typeof f.id === 'string') out.set(f.id, parseFeatures(f as unknown as Record<string, unknown>));
    }
    return out;
  }
}
