import { ReauthRequired } from '../errors';
import type { SpotifyAccounts } from './SpotifyAccounts';
import type { TokenSource } from '../upstream/UpstreamHttp';

export interface StoredTokens {
  accessToken: string;
  expiresAt: number;
  refreshToken: string;
  scope: string;
}

/** Where a user's tokens live (UserRepository implements it). */
export interface TokenStore {
  getTokens(userId: string): Promise<StoredTokens | null>;
  saveTokens(userId: string, tokens: StoredTokens): Promise<void>;
  clearTokens(userId: string): Promise<void>;
}

/**
 * Hands out a user's access token, refreshing it a minute before expiry or after a 401.
 * Concurrent callers for the same user share one refresh. Spotify may omit a new refresh token:
 * then the old one is kept. A rejected refresh token clears the stored tokens (ReauthRequired).
 */
export class UserTokens {
  private readonly refreshing = new Map<string, Promise<string>>();

  constructor(
    private readonly store: TokenStore,
    private readonly accounts: SpotifyAccounts,
  ) {}

  forUser(userId: string): TokenSource {
    let forceRefresh = false;
    // Requests sent side by side (the dashboard's seven) share one read of the stored tokens
    // instead of one DynamoDB read each ahead of their Spotify request.
    let reading: Promise<StoredTokens | null> | undefined;
    const read = () => {
      reading ??= this.store.getTokens(userId).finally(() => (reading = undefined));
      return reading;
    };
    return {
      get: async () => {
        const tokens = await read();
        if (!tokens) throw new ReauthRequired('You are not connected to Spotify. Please log in again.');
        if (!forceRefresh && tokens.expiresAt - 60_000 > Date.now()) return tokens.accessToken;
        forceRefresh = false;
        return this.refresh(userId, tokens);
      },
      invalidate: () => {
        forceRefresh = true;
      },
    };
  }

  private refresh(userId: string, tokens: StoredTokens): Promise<string> {
    let pending = this.refreshing.get(userId);
    if (!pending) {
      pending = (async () => {
        try {
          const t = await this.accounts.refresh(tokens.refreshToken);
          await this.store.saveTokens(userId, {
            accessToken: t.access_token,
            expiresAt: Date.now() + t.expires_in * 1000,
            refreshToken: t.refresh_token ?? tokens.refreshToken,
            scope: t.scope ?? tokens.scope,
          });
          return t.access_token;
        } catch (err) {
          if (err instanceof ReauthRequired) await this.store.clearTokens(userId);
          throw err;
        }
      })().finally(() => this.refreshing.delete(userId));
      this.refreshing.set(userId, pending);
    }
    return pending;
  }
}
