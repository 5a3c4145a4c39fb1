import type { Metrics } from '../metrics';
import { UpstreamHttp, type RetryPolicy } from '../upstream/UpstreamHttp';
import { parseFeatures, type FeatureProvider, type TrackFeatures } from './FeatureProvider';
import { SPOTIFY_ID_PATTERN } from '../spotify/ids';

/** ReccoBeats accepts this many Spotify track ids per `GET /v1/audio-features` request. */
export const RECCOBEATS_BATCH = 40;

const SPOTIFY_TRACK_URL = new RegExp(`^https://open\\.spotify\\.com/track/(${SPOTIFY_ID_PATTERN})$`);

/**
 * ReccoBeats (free, keyless): Spotify-style audio features by Spotify track id. The answer is
 * `{"content":[{id: <ReccoBeats uuid>, href: "https://open.spotify.com/track/<spotifyId>", ...features}]}`,
 * unknown ids simply absent; the Spotify id is read back from `href`. Untrusted: values are range-checked.
 */
export class ReccoBeatsFeatureProvider implements FeatureProvider {
  readonly name = 'reccobeats' as const;
  readonly batchSize = RECCOBEATS_BATCH;
  private readonly http: UpstreamHttp;

  constructor(baseUrl: string, opts: { metrics?: Metrics; concurrency?: number; retry?: Partial<RetryPolicy> } = {}) {
    this.http = new UpstreamHttp(`${baseUrl}/v1`, { service: 'ReccoBeats', metrics: opts.metrics, concurrency: opts.concurrency ?? 4, retry: opts.retry });
  }

  async fetchBatch(ids: string[]): Promise<Map<string, TrackFeatures>> {
    const wanted = new Set(ids);
    const res = await this.http.get<{ content?: unknown }>('/audio-features', { ids: ids.join(',') });
    const out = new Map<string, TrackFeatures>();
    if (!Array.isArray(res.content)) return out;
    for (const entry of res.content as Record<string, unknown>[]) {
      const id = SPOTIFY_TRACK_URL.exec(String(entry?.href ?? ''))?.[1];
      if (id && wanted.has(id)) out.set(id, parseFeatures(entry));
    }
    return out;
  }
}
