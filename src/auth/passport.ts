import passport_ from 'passport';

export type Authenticator = InstanceType<typeof passport_.Authenticator>;
import { Strategy as SpotifyStrategy } from 'passport-spotify';
import type { Config } from '../config';
import type { UserRepository } from '../store/UserRepository';

/** Scopes the dashboard and history need. */
export const SCOPES = ['user-read-private', 'user-read-email', 'user-top-read', 'user-read-recently-played'];

export interface SessionUser {
  id: string;
}

/**
 * All passport wiring in one place. A Passport instance per app (not the global singleton),
 * so tests can build several apps in one process.
 */
export function createPassport(config: Config, users: UserRepository): Authenticator {
  const passport = new passport_.Authenticator();
  passport.use(
    'spotify',
    new SpotifyStrategy(
      {
        clientID: config.spotify.clientId,
        clientSecret: config.spotify.clientSecret,
        callbackURL: config.callbackUrl,
        authorizationURL: `${config.spotify.accountsUrl}/authorize`,
        tokenURL: `${config.spotify.accountsUrl}/api/token`,
        userProfileURL: `${config.spotify.apiUrl}/me`,
        scope: SCOPES,
        // passport-oauth2 keeps a random state in the session and checks it on the callback.
        state: true,
      },
      // passport-spotify passes expires_in (seconds) as the third argument.
      (accessToken: string, refreshToken: string, expiresIn: number, profile: SpotifyProfile, done: Done) => {
        const json = profile._json ?? {};
        users
          .upsertFromLogin(
            {
              // `account_id` (May 2026) is the stable key when present; the classic id otherwise.
              id: String(json.account_id ?? profile.id),
              displayName: profile.displayName || profile.id,
              imageUrl: profile.photos?.[0]?.value ?? null,
              country: json.country ?? null,
              product: json.product ?? null,
            },
            { accessToken, refreshToken, expiresAt: Date.now() + Number(expiresIn || 3600) * 1000, scope: SCOPES.join(' ') },
          )
          .then((user) => done(null, { id: user.id }), (err) => done(err));
      },
    ),
  );
  passport.serializeUser((user, done) => done(null, (user as SessionUser).id));
  passport.deserializeUser((id: string, done) => done(null, { id }));
  return passport;
}

interface SpotifyProfile {
  id: string;
  displayName?: string;
  photos?: { value: string }[] | null;
  _json?: { account_id?: string; country?: string; product?: string };
}
type Done = (err: unknown, user?: SessionUser) => void;
