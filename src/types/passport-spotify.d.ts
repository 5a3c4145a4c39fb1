declare module 'passport-spotify' {
  import type { Strategy as PassportStrategy } from 'passport';
  export interface StrategyOptions {
    clientID: string;
    clientSecret: string;
    callbackURL: string;
    authorizationURL?: string;
    tokenURL?: string;
    userProfileURL?: string;
    scope?: string[];
    state?: boolean;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export class Strategy extends PassportStrategy {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(options: StrategyOptions, verify: (...args: any[]) => void);
  }
}
