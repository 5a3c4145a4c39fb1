import { RateStateRepository } from '../../src/store/RateStateRepository';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../src/store/embedded';
import { Store } from '../../src/store/Store';

/** The shared rate state against a real (in-memory) dynalite: the conditional updates are what keep writers from regressing each other. */
let dynamo: EmbeddedDynamo;
let store: Store;
let n = 0;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  store = new Store({ endpoint: dynamo.endpoint, tablePrefix: 'rate_test_' });
  await store.ensureTables();
});
afterAll(async () => {
  store.destroy();
  await dynamo.close();
});

const fresh = () => new RateStateRepository(store, { service: 'spotify', host: 'api.example:443', clientId: `client${++n}` });
const T0 = 1_700_000_000_000;

describe('RateStateRepository', () => {
  it('has nothing before the first 429, then what was published', async () => {
    const repo = fresh();
    expect(await repo.load()).toBeUndefined();
    await repo.publish({ pausedUntil: T0 + 29_000, budget: 150, learnedAt: T0, windowMs: 30_000 });
    expect(await repo.load()).toEqual({ pausedUntil: T0 + 29_000, budget: 150, learnedAt: T0, windowMs: 30_000 });
  });

  it('keeps the longer pause and the budget learned later, whatever order two writers come in', async () => {
    const repo = fresh();
    await repo.publish({ pausedUntil: T0 + 29_000, budget: 150, learnedAt: T0 + 10, windowMs: 30_000 });
    // An older writer: a shorter pause and an older budget change nothing.
    await repo.publish({ pausedUntil: T0 + 5_000, budget: 90, learnedAt: T0, windowMs: 30_000 });
    expect(await repo.load()).toEqual({ pausedUntil: T0 + 29_000, budget: 150, learnedAt: T0 + 10, windowMs: 30_000 });
    // A newer budget wins even when smaller; an episode that taught no budget moves only the pause.
    await repo.publish({ pausedUntil: T0 + 40_000, budget: 120, learnedAt: T0 + 20, windowMs: 30_000 });
    await repo.publish({ pausedUntil: T0 + 50_000 });
    expect(await repo.load()).toEqual({ pausedUntil: T0 + 50_000, budget: 120, learnedAt: T0 + 20, windowMs: 30_000 });
  });

  it('is kept per app: another client id (or host) has its own state', async () => {
    const a = fresh();
    const b = fresh();
    await a.publish({ pausedUntil: T0, budget: 3, learnedAt: T0, windowMs: 30_000 });
    expect(await b.load()).toBeUndefined();
  });
});
