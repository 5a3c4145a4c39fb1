import { NotFound } from '../errors';
import type { CountingRules } from '../history/countingRules';
import { toSpotifyProfile, type SpotifyProfile } from '../spotify/mappers';
import type { SpotifyClient } from '../spotify/SpotifyClient';
import type { UserTokens } from '../spotify/UserTokenSource';
import type { User, UserRepository } from '../store/UserRepository';

/** The person's live Spotify profile, under the app's user id. */
export interface Profile extends SpotifyProfile {
  id: string;
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
    return { id: userId, ...toSpotifyProfile(me) };
  }
}
