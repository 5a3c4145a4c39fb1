import type { TrackFeatures } from '../features/FeatureProvider';
import { packFeatures, unpackFeatures } from './ArtistRepository';
import type { Store } from './Store';
import { ARTIST_NAME_PREFIX, CATALOG_KEY, TRACK_FACTS_PREFIX } from './keys';

/**
 * What the history's taste analysis learns about tracks and artists it only knows by id or name
 * (catalog table, shared by every user, since a track's features do not depend on who played it):
 *   features of a track   artist_id="#track#<trackId>"   track_id="#features"   features (packed) | none=true, fetched_at
 *   artist by name        artist_id="#name#<lowercased>" track_id="#artist"     spotify_id | null, genres, fetched_at
 * "none" and null answers are kept too, so a track the provider does not know is not asked about again.
 */
export interface ArtistByName {
  spotifyId: string | null;
  /** Genres the search answer carried (Extended Quota); [] otherwise. */
  genres: string[];
}

const featureKey = CATALOG_KEY.trackFacts;
const nameKey = CATALOG_KEY.artistByName;

export class TrackFactsRepository {
  constructor(private readonly store: Store) {}

  private get table(): string {
    return this.store.tables.catalog;
  }

  /** Known answers: a track maps to its features, or to null when the provider had none. */
  async features(trackIds: string[]): Promise<Map<string, TrackFeatures | null>> {
    const out = new Map<string, TrackFeatures | null>();
    for (const item of await this.store.batchGet(this.table, trackIds.map(featureKey))) {
      const id = String(item.artist_id).slice(TRACK_FACTS_PREFIX.length);
      out.set(id, typeof item.features === 'string' ? unpackFeatures(item.features) : null);
    }
    return out;
  }

  async putFeatures(entries: { trackId: string; features: TrackFeatures | null }[]): Promise<void> {
    const at = new Date().toISOString();
    await this.store.batchPut(
      this.table,
      entries.map((e) => ({ ...featureKey(e.trackId), ...(e.features ? { features: packFeatures(e.features) } : { none: true }), fetched_at: at })),
    );
  }

  async artistsByName(names: string[]): Promise<Map<string, ArtistByName>> {
    const out = new Map<string, ArtistByName>();
    const wanted = new Map(names.map((n) => [n.toLowerCase().slice(0, 400), n]));
    for (const item of await this.store.batchGet(this.table, [...wanted.values()].map(nameKey))) {
      const name = wanted.get(String(item.artist_id).slice(ARTIST_NAME_PREFIX.length));
      if (name !== undefined) out.set(name, { spotifyId: (item.spotify_id as string | null) ?? null, genres: (item.genres as string[] | undefined) ?? [] });
    }
    return out;
  }

  async putArtistByName(name: string, artist: ArtistByName): Promise<void> {
    await this.store.batchPut(this.table, [{ ...nameKey(name), spotify_id: artist.spotifyId, genres: artist.genres, fetched_at: new Date().toISOString() }]);
  }
}
