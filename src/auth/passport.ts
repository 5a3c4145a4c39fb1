import passport_ from 'passport';

export type Authenticator = InstanceType<typeof passport_.Authenticator>;
import { Strategy as SpotifyStrategy } from 'passport-spotify';
import type { Config } from '../config';
import { toLoginProfile } from '../spotify/mappers';
import { oauthEndpoints } from '../spotify/SpotifyAccounts';
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
        ...oauthEndpoints(config.spotify.accountsUrl, config.spotify.apiUrl),
        scope: SCOPES,
        // passport-oauth2 keeps a random state in the session and checks it on the callback.
        state: true,
      },
      // passport-spotify passes expires_in (seconds) as the third argument.
      (accessToken: string, refreshToken: string, expiresIn: number, profile: Parameters<typeof toLoginProfile>[0], done: Done) => {
        users
          .upsertFromLogin(
            toLoginProfile(profile),
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

type Done = (err: unknown, user?: SessionUser) => void;
