import { NotFound } from '../errors';
import type { CountingRules } from '../history/countingRules';
import type { SpotifyClient } from '../spotify/SpotifyClient';
import type { UserTokens } from '../spotify/UserTokenSource';
import type { User, UserRepository } from '../store/UserRepository';

export interface Profile {
  id: string;
  displayName: string;
  imageUrl: string | null;
  /** null when the API profile does not give it (Development Mode drops product and country). */
  product: string | null;
  country: string | null;
  spotifyUrl: string | null;
}

/** The logged-in person's Spotify profile, read live (which also proves the token still works). */
export class ProfileService {
  constructor(
    private readonly users: UserRepository,
    private readonly spotify: SpotifyClient,
    private readonly tokens: UserTokens,
  ) {}

  async user(userId: string): Promise<User> {
    const user = await this.users.get(userId);
    if (!user) throw new NotFound('No such user');
    return user;
  }

  setTimeZone(userId: string, tz: string): Promise<void> {
    return this.users.setTimeZone(userId, tz);
  }

  setCountingRules(userId: string, rules: CountingRules): Promise<void> {
    return this.users.setCountingRules(userId, rules);
  }

  async liveProfile(userId: string): Promise<Profile> {
    const me = await this.spotify.me(this.tokens.forUser(userId));
    const extra = me as { product?: string; country?: string };
    return {
      id: userId,
      displayName: me.display_name || me.id,
      imageUrl: me.images?.[0]?.url ?? null,
      product: extra.product ?? null,
      country: extra.country ?? null,
      spotifyUrl: me.external_urls?.spotify ?? null,
    };
  }
}
