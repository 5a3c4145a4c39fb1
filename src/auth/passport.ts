import passport_ from 'passport';

export type Authenticator = InstanceType<typeof passport_.Authenticator>;
import { Strategy as SpotifyStrategy } from 'passport-spotify';
import type { Config } from '../config';
import { toLoginProfile } from '../spotify/mappers';
import { oauthEndpoints } from '../spotify/SpotifyAccounts';
import type { UserRepository } from '../store/UserRepository';

/** Scopes the dashboard and history need: all that login asks for. */
export const SCOPES = ['user-read-private', 'user-read-email', 'user-top-read', 'user-read-recently-played'];

/**
 * Scopes asked for later, only when a feature first needs them (incremental consent through
 * /auth/spotify/consent): making a private playlist.
 */
export const OPTIONAL_SCOPES = ['playlist-modify-private'] as const;

/** What the token endpoint answered besides the tokens (passport-spotify hides it; see below). */
interface TokenParams {
  expires_in?: number;
  scope?: string;
}

export interface SessionUser {
  id: string;
}

/**
 * All passport wiring in one place. A Passport instance per app (not the global singleton),
 * so tests can build several apps in one process.
 */
export function createPassport(config: Config, users: UserRepository): Authenticator {
  const passport = new passport_.Authenticator();
  const strategy = new SpotifyStrategy(
    {
      clientID: config.spotify.clientId,
      clientSecret: config.spotify.clientSecret,
      callbackURL: config.callbackUrl,
      ...oauthEndpoints(config.spotify.accountsUrl, config.spotify.apiUrl),
      scope: SCOPES,
      // passport-oauth2 keeps a random state in the session and checks it on the callback.
      state: true,
    },
    (accessToken: string, refreshToken: string, params: TokenParams, profile: Parameters<typeof toLoginProfile>[0], done: Done) => {
      users
        .upsertFromLogin(
          toLoginProfile(profile),
          // The scope Spotify granted (a consent round trip may have added one), not what login asks for.
          { accessToken, refreshToken, expiresAt: Date.now() + Number(params.expires_in || 3600) * 1000, scope: params.scope ?? SCOPES.join(' ') },
        )
        .then((user) => done(null, { id: user.id }), (err) => done(err));
    },
  );
  exposeTokenParams(strategy);
  passport.use('spotify', strategy);
  passport.serializeUser((user, done) => done(null, (user as SessionUser).id));
  passport.deserializeUser((id: string, done) => done(null, { id }));
  return passport;
}

type Done = (err: unknown, user?: SessionUser) => void;

/**
 * passport-spotify passes only `expires_in` on to the verify callback and drops the rest of the
 * token answer, `scope` included; this hands the verify callback the whole answer instead, so
 * the stored scope is what Spotify granted.
 */
function exposeTokenParams(strategy: InstanceType<typeof SpotifyStrategy>): void {
  type Callback = (err: unknown, accessToken?: string, refreshToken?: string, expiresIn?: number, results?: Record<string, unknown>) => void;
  const oauth2 = (strategy as unknown as { _oauth2: { getOAuthAccessToken(code: string, params: unknown, cb: Callback): void } })._oauth2;
  const original = oauth2.getOAuthAccessToken;
  oauth2.getOAuthAccessToken = function (this: unknown, code, params, cb) {
    original.call(this, code, params, (err, accessToken, refreshToken, expiresIn, results) =>
      cb(err, accessToken, refreshToken, { ...(results ?? {}), expires_in: expiresIn } as never));
  };
}
