import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { APP_KEY, CATALOG_KEY } from '../../src/store/keys';
import { Lease, liveHolder } from '../../src/store/Lease';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../src/store/embedded';
import { Store } from '../../src/store/Store';

/** The lease against a real (in-memory) dynalite: the conditional put is what makes it a lease. */
let dynamo: EmbeddedDynamo;
let store: Store;
let n = 0;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  store = new Store({ endpoint: dynamo.endpoint, tablePrefix: 'lease_test_' });
  await store.ensureTables();
});
afterAll(async () => {
  store.destroy();
  await dynamo.close();
});

/** A fresh lease item per test (app table), so tests do not share state. */
const freshLease = () => new Lease(store, store.tables.app, { pk: `TEST#lease${++n}`, sk: 'LEASE' });
const T0 = 1_700_000_000_000;

describe('Lease', () => {
  it('is taken when free and then held by someone else for everyone else', async () => {
    const lease = freshLease();
    expect(await lease.acquire('a', 1000, T0)).toBe(true);
    expect(await lease.acquire('b', 1000, T0 + 1)).toBe(false);
    expect(await lease.heldByOther('b', T0 + 1)).toEqual({ owner: 'a', expiresAt: T0 + 1000 });
    expect(await lease.heldByOther('a', T0 + 1)).toBeNull();
  });

  it('is renewed by its holder, which moves the expiry', async () => {
    const lease = freshLease();
    await lease.acquire('a', 1000, T0);
    expect(await lease.renew('a', 1000, T0 + 900)).toBe(true);
    expect(await lease.holder(T0 + 1500)).toEqual({ owner: 'a', expiresAt: T0 + 1900 });
    expect(await lease.acquire('b', 1000, T0 + 1500)).toBe(false);
  });

  it('can be taken by another owner once it has lapsed (a crashed holder), and the old holder cannot renew it', async () => {
    const lease = freshLease();
    await lease.acquire('a', 1000, T0);
    expect(await lease.holder(T0 + 1001)).toBeNull();
    expect(await lease.acquire('b', 1000, T0 + 1001)).toBe(true);
    expect(await lease.renew('a', 1000, T0 + 1002)).toBe(false);
    expect((await lease.holder(T0 + 1002))?.owner).toBe('b');
  });

  it('is released only by its holder; a release by someone else leaves it held and does not throw', async () => {
    const lease = freshLease();
    await lease.acquire('a', 1000, T0);
    await lease.release('b');
    expect((await lease.holder(T0))?.owner).toBe('a');
    await lease.release('a');
    expect(await lease.holder(T0)).toBeNull();
    expect(await lease.acquire('b', 1000, T0)).toBe(true);
    await lease.release('nobody-holds-this');
  });

  it('writes owner, expires_at and a TTL an hour past expiry (seconds), so DynamoDB removes a stale lease', async () => {
    const key = { pk: `TEST#lease${++n}`, sk: 'LEASE' };
    await new Lease(store, store.tables.app, key).acquire('a', 1500, T0);
    const item = (await store.doc.send(new GetCommand({ TableName: store.tables.app, Key: key }))).Item;
    expect(item).toMatchObject({ owner: 'a', expires_at: T0 + 1500, ttl: Math.ceil((T0 + 1500) / 1000) + 3600 });
  });

  it('works on the catalog table with the artist ingest key, and on the app table with the capture key', async () => {
    const ingest = new Lease(store, store.tables.catalog, CATALOG_KEY.lease('0LyfQWJT6nXafLPZqxe9Of'));
    expect(await ingest.acquire('w1', 1000, T0)).toBe(true);
    expect(await ingest.acquire('w2', 1000, T0)).toBe(false);
    const capture = new Lease(store, store.tables.app, APP_KEY.captureLease);
    expect(await capture.acquire('w2', 1000, T0)).toBe(true);
  });
});

describe('liveHolder (reading a stored lease item)', () => {
  it('is null for no item, a malformed item, or one that expired before now', () => {
    expect(liveHolder(undefined, T0)).toBeNull();
    expect(liveHolder({ owner: 'a' }, T0)).toBeNull();
    expect(liveHolder({ owner: 'a', expires_at: T0 - 1 }, T0)).toBeNull();
  });

  it('is the holder up to and including the expiry instant (the put condition is expires_at < now)', () => {
    expect(liveHolder({ owner: 'a', expires_at: T0 }, T0)).toEqual({ owner: 'a', expiresAt: T0 });
  });
});
