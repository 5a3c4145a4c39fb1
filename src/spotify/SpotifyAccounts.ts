import axios, { type AxiosInstance } from 'axios';
import { ReauthRequired, UpstreamError } from '../errors';
import type { Metrics } from '../metrics';
import { sleep } from '../util/sleep';
import type { TokenSource } from '../upstream/UpstreamHttp';

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  scope?: string;
}

/** Spotify's accounts service: the token endpoint (the authorize redirect is passport's). */
export class SpotifyAccounts {
  private readonly http: AxiosInstance;

  constructor(
    readonly accountsUrl: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly metrics?: Metrics,
  ) {
    this.http = axios.create({ baseURL: accountsUrl, timeout: 10_000, validateStatus: () => true });
  }

  /** Refreshes a user's access token. A rejected refresh token becomes ReauthRequired. */
  refresh(refreshToken: string): Promise<TokenResponse> {
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  clientCredentials(): Promise<TokenResponse> {
    return this.token({ grant_type: 'client_credentials' });
  }

  private async token(form: Record<string, string>): Promise<TokenResponse> {
    const basic = Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64');
    for (let attempt = 1; ; attempt++) {
      let status: number | string;
      let data: unknown;
      try {
        const res = await this.http.post('/api/token', new URLSearchParams(form).toString(), {
          headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        });
        status = res.status;
        data = res.data;
      } catch (err) {
        status = (err as { code?: string }).code ?? 'error';
      }
      this.metrics?.spotifyRequests.inc({ endpoint: 'POST /api/token', status: String(status) });
      if (status === 200 && typeof (data as TokenResponse)?.access_token === 'string') return data as TokenResponse;
      const error = (data as { error?: string } | undefined)?.error;
      if (status === 400 && error === 'invalid_grant') throw new ReauthRequired();
      const transient = typeof status === 'string' || status === 429 || status >= 500;
      if (!transient || attempt >= 4) {
        throw new UpstreamError(`Spotify accounts answered ${status}${error ? ` (${error})` : ''} to ${form.grant_type}`, typeof status === 'number' ? status : undefined);
      }
      await sleep(Math.random() * 200 * 2 ** attempt);
    }
  }
}

/** The app's own token (client credentials) for catalog endpoints; cached until shortly before expiry. */
export class AppTokenSource implements TokenSource {
  private current?: { token: string; expiresAt: number };
  private pending?: Promise<string>;

  constructor(private readonly accounts: SpotifyAccounts) {}

  async get(): Promise<string> {
    if (this.current && this.current.expiresAt - 60_000 > Date.now()) return this.current.token;
    this.pending ??= this.accounts
      .clientCredentials()
      .then((t) => {
        this.current = { token: t.access_token, expiresAt: Date.now() + t.expires_in * 1000 };
        return t.access_token;
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }

  invalidate(rejected: string): void {
    if (this.current?.token === rejected) this.current = undefined;
  }
}

/** Where the authorization code flow runs: the accounts service's two paths and the Web API's profile. */
export function oauthEndpoints(accountsUrl: string, apiUrl: string): { authorizationURL: string; tokenURL: string; userProfileURL: string } {
  return { authorizationURL: `${accountsUrl}/authorize`, tokenURL: `${accountsUrl}/api/token`, userProfileURL: `${apiUrl}/me` };
}
