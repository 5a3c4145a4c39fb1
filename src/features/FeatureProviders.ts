import type { ApiProfileName } from '../spotify/ApiProfile';
import { NoFeatureProvider, type FeatureProvider } from './FeatureProvider';

export interface ChosenProvider {
  provider: FeatureProvider;
  /** Shown on the artist page when features are missing or come from elsewhere than configured. */
  note: string | null;
}

/**
 * Chooses the feature provider from configuration and the API profile:
 * `auto` = Spotify's /audio-features with Extended Quota, ReccoBeats otherwise. When Spotify
 * refuses audio features (403: the Nov 2024 restriction), `auto` moves to ReccoBeats for good;
 * an explicit `spotify` leaves features empty and says how to enable another provider.
 */
export class FeatureProviders {
  private spotifyRefused = false;
  private readonly none = new NoFeatureProvider();

  constructor(
    private readonly configured: 'auto' | 'spotify' | 'reccobeats' | 'none',
    private readonly spotify: FeatureProvider,
    private readonly reccobeats: FeatureProvider,
  ) {}

  async current(profile: ApiProfileName): Promise<ChosenProvider> {
    switch (this.configured) {
      case 'none':
        return { provider: this.none, note: 'Audio features are turned off (FEATURES_PROVIDER=none).' };
      case 'reccobeats':
        return { provider: this.reccobeats, note: null };
      case 'spotify':
        return this.spotifyRefused ? this.refusedExplicit() : { provider: this.spotify, note: null };
      default:
        return profile === 'extended' && !this.spotifyRefused ? { provider: this.spotify, note: null } : { provider: this.reccobeats, note: null };
    }
  }

  /** Called when `name` answered 403: returns what to use instead. */
  async forbidden(name: FeatureProvider['name']): Promise<ChosenProvider> {
    if (name === 'spotify') this.spotifyRefused = true;
    if (name === 'spotify' && this.configured === 'auto') {
      return { provider: this.reccobeats, note: 'Spotify refused audio features for this app, so they come from ReccoBeats.' };
    }
    if (name === 'spotify') return this.refusedExplicit();
    return { provider: this.none, note: 'The audio feature service refused the request; features are not available.' };
  }

  private refusedExplicit(): ChosenProvider {
    return {
      provider: this.none,
      note: 'Spotify does not give audio features to this app (restricted for apps created after November 2024). Set FEATURES_PROVIDER=reccobeats (or auto) to take them from ReccoBeats.',
    };
  }
}
