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

  async setTimeZone(userId: string, tz: string): Promise<void> {
    await this.users.setTimeZone(userId, tz);
    this.zones.delete(userId);
  }

  /** The browser's zone, stored when the person has none yet (first login); whether it was stored. */
  async adoptBrowserTimeZone(userId: string, tz: string): Promise<{ stored: boolean; timeZone: string }> {
    const stored = await this.users.setTimeZoneIfUnset(userId, tz);
    this.zones.delete(userId);
    return { stored, timeZone: stored ? tz : (await this.user(userId)).timeZone };
  }

  /**
   * The zone every page formats dates in, and whether one is stored; kept a minute per user so a
   * page view costs no extra read (another process sees a change within that minute).
   */
  async displayZone(userId: string): Promise<{ timeZone: string; chosen: boolean }> {
    const hit = this.zones.get(userId);
    if (hit && hit.until > Date.now()) return hit.zone;
    const user = await this.users.get(userId);
    const zone = { timeZone: user?.timeZone ?? 'UTC', chosen: user?.timeZoneChosen ?? true };
    if (this.zones.size > 10_000) this.zones.clear();
    this.zones.set(userId, { zone, until: Date.now() + 60_000 });
    return zone;
  }

  private readonly zones = new Map<string, { zone: { timeZone: string; chosen: boolean }; until: number }>();

  setCountingRules(userId: string, rules: CountingRules): Promise<void> {
    return this.users.setCountingRules(userId, rules);
  }

  async liveProfile(userId: string): Promise<Profile> {
    const me = await this.spotify.me(this.tokens.forUser(userId));
    return { id: userId, ...toSpotifyProfile(me) };
  }
}
