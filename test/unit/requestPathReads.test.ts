import type session from 'express-session';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoSessionStore } from '../../src/store/DynamoSessionStore';
import type { Store } from '../../src/store/Store';
import type { SpotifyAccounts } from '../../src/spotify/SpotifyAccounts';
import { UserTokens, type StoredTokens, type TokenStore } from '../../src/spotify/UserTokenSource';

/** DynamoDB reads and writes a request with a session makes before its answer: each one is a round trip. */

describe('UserTokens: requests sent side by side', () => {
  const fresh: StoredTokens = { accessToken: 'a1', expiresAt: Date.now() + 3600_000, refreshToken: 'r1', scope: '' };

  it('share one read of the stored tokens; a later request reads again (and sees a newer token)', async () => {
    let stored = fresh;
    const getTokens = jest.fn(async () => stored);
    const store: TokenStore = { getTokens, saveTokens: async () => undefined, clearTokens: async () => undefined };
    const auth = new UserTokens(store, {} as SpotifyAccounts).forUser('u1');

    const seven = await Promise.all(Array.from({ length: 7 }, () => auth.get()));
    expect(seven).toEqual(Array(7).fill('a1'));
    expect(getTokens).toHaveBeenCalledTimes(1);

    stored = { ...fresh, accessToken: 'a2' };
    expect(await auth.get()).toBe('a2');
    expect(getTokens).toHaveBeenCalledTimes(2);
  });

  it('a failed read fails the requests that shared it, and the next request reads again', async () => {
    const getTokens = jest.fn().mockRejectedValueOnce(new Error('throttled')).mockResolvedValue(fresh);
    const auth = new UserTokens({ getTokens, saveTokens: async () => undefined, clearTokens: async () => undefined }, {} as SpotifyAccounts).forUser('u1');
    const both = await Promise.allSettled([auth.get(), auth.get()]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await auth.get()).toBe('a1');
    expect(getTokens).toHaveBeenCalledTimes(2);
  });
});

describe('DynamoSessionStore.touch', () => {
  function fakeStore(ttlStored: number) {
    const sent: unknown[] = [];
    const store = {
      tables: { app: 'app' },
      doc: {
        send: jest.fn(async (cmd: unknown) => {
          sent.push(cmd);
          if (cmd instanceof GetCommand) return { Item: { ttl: ttlStored, data: JSON.stringify({ cookie: {} }) } };
          return {};
        }),
      },
    } as unknown as Store;
    return { store, updates: () => sent.filter((c) => c instanceof UpdateCommand) as UpdateCommand[] };
  }
  const sessionExpiring = (atMs: number) => ({ cookie: { expires: new Date(atMs) } }) as unknown as session.SessionData;
  const call = (fn: (cb: (err?: unknown) => void) => void) => new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));

  it('skips a write that would move the stored expiry by less than an hour, and writes one that moves it further', async () => {
    const now = Date.now();
    const storedTtl = Math.ceil((now + 14 * 86400_000) / 1000);
    const { store, updates } = fakeStore(storedTtl);
    const sessions = new DynamoSessionStore(store);
    await new Promise<void>((resolve, reject) => sessions.get('sid', (err) => (err ? reject(err) : resolve())));

    // The next request, a minute later: the cookie's expiry moved by a minute.
    await call((cb) => sessions.touch('sid', sessionExpiring(now + 14 * 86400_000 + 60_000), cb));
    expect(updates()).toHaveLength(0);

    // Two hours later: the expiry is written, and the next touch is measured from it.
    const later = now + 14 * 86400_000 + 2 * 3600_000;
    await call((cb) => sessions.touch('sid', sessionExpiring(later), cb));
    expect(updates()).toHaveLength(1);
    expect(updates()[0].input.ExpressionAttributeValues).toEqual({ ':ttl': Math.ceil(later / 1000) });
    await call((cb) => sessions.touch('sid', sessionExpiring(later + 60_000), cb));
    expect(updates()).toHaveLength(1);
  });

  it('writes a touch for a session it has not read or written (another worker made it)', async () => {
    const { store, updates } = fakeStore(0);
    await call((cb) => new DynamoSessionStore(store).touch('other', sessionExpiring(Date.now() + 86400_000), cb));
    expect(updates()).toHaveLength(1);
  });
});
