import crypto from 'node:crypto';
import { decodeDay, encodeDay } from '../../src/history/dayCodec';
import type { Play } from '../../src/history/play';
import { AccountRepository } from '../../src/store/AccountRepository';
import { HistoryRepository } from '../../src/store/HistoryRepository';
import { ImportUndoRepository } from '../../src/store/ImportUndoRepository';
import { ITEM_BUDGET_BYTES, ITEM_LIMIT_BYTES, ItemTooLarge, itemSize, joinItem, splitItem } from '../../src/store/itemParts';
import { historyPk, userPk } from '../../src/store/keys';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../src/store/embedded';
import { Store } from '../../src/store/Store';
import { play } from '../helpers/historyColumns';

jest.setTimeout(120_000);

const noise = (chars: number, seed: string) => {
  let out = '';
  for (let i = 0; out.length < chars; i++) out += crypto.createHash('sha256').update(`${seed}:${i}`).digest('base64');
  return out.slice(0, chars);
};
const dayStart = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** 20,000 plays of 2,000 tracks with 300-character names, one every 4 seconds. */
const manyPlays = (date: string): Play[] =>
  Array.from({ length: 20_000 }, (_, i) =>
    play({ ts: dayStart(date) + i * 4000, name: noise(300, `t${i % 2000}`), artist: noise(300, `a${i % 300}`), album: noise(300, `l${i % 500}`), ms: 1000 + i, platform: `p${i % 7}`, country: 'DE', skipped: i % 3 === 0 }));
/** 200 plays whose names, artists and albums are 10,000 characters. */
const longNamePlays = (date: string): Play[] =>
  Array.from({ length: 200 }, (_, i) =>
    play({ ts: dayStart(date) + i * 60_000, name: noise(10_000, `n${i}`), artist: noise(10_000, `r${i % 20}`), album: noise(10_000, `b${i % 40}`), ms: 200_000 }));

describe('splitItem (pure)', () => {
  it('leaves an item under the budget alone', () => {
    const item = { pk: 'HIST#u', sk: 'D#2024-01-01', z: Buffer.alloc(1000, 1), n: 3 };
    expect(splitItem(item)).toEqual({ parts: [], head: item });
  });

  it('cuts a large binary into parts that each fit, and joins them back byte for byte', () => {
    const z = crypto.randomBytes(1_500_000);
    const { head, parts } = splitItem({ pk: 'HIST#u', sk: 'D#2024-01-01', z, n: 7, count: 5, ms: 9 }, 'g1');
    expect(parts.length).toBe(4);
    for (const it of [head, ...parts]) expect(itemSize(it)).toBeLessThanOrEqual(ITEM_BUDGET_BYTES);
    expect(parts.map((p) => p.sk)).toEqual(['D#2024-01-01#g1.1', 'D#2024-01-01#g1.2', 'D#2024-01-01#g1.3', 'D#2024-01-01#g1.4']);
    const joined = joinItem(head, new Map(parts.map((p) => [String(p.sk), p])));
    expect(Buffer.compare(joined.z as Buffer, z)).toBe(0);
    expect(joined).toMatchObject({ pk: 'HIST#u', sk: 'D#2024-01-01', n: 7, count: 5, ms: 9 });
    expect(joined).not.toHaveProperty('zparts');
  });

  it('refuses, before writing, an item too large with nothing binary to split', () => {
    expect(() => splitItem({ pk: 'p', sk: 's', text: 'x'.repeat(ITEM_LIMIT_BYTES) })).toThrow(ItemTooLarge);
  });

  it('a missing part is an error, never a shorter item', () => {
    const { head, parts } = splitItem({ pk: 'p', sk: 'D#2024-01-01', z: crypto.randomBytes(700_000) }, 'g');
    expect(() => joinItem(head, new Map(parts.slice(1).map((p) => [String(p.sk), p])))).toThrow(/missing/);
  });

  it('measures the marshalled size as DynamoDB does (names, strings in UTF-8, binaries)', () => {
    expect(itemSize({ ab: 'é', c: Buffer.alloc(10), d: 5 })).toBe(2 + 2 + 1 + 10 + 1 + 2);
  });
});

describe('split day items in DynamoDB (dynalite enforces 400 KB)', () => {
  let dynamo: EmbeddedDynamo;
  let store: Store;
  let repo: HistoryRepository;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    store = new Store({ endpoint: dynamo.endpoint, tablePrefix: 'split_test_' });
    await store.ensureTables();
    repo = new HistoryRepository(store);
  });
  afterAll(async () => {
    store.destroy();
    await dynamo.close();
  });

  const keysOf = async (pk: string) =>
    (await store.queryAll({ TableName: store.tables.app, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } })).map((i) => String(i.sk));

  it('a day of 20,000 plays and a day of 10,000-character names come back identical, through getDays and allDays', async () => {
    const a = manyPlays('2024-02-01');
    const b = longNamePlays('2024-02-02');
    const small = [play({ ts: dayStart('2024-02-03') + 5000, name: 'short' })];
    const items = [
      { date: '2024-02-01', item: encodeDay('2024-02-01', a) },
      { date: '2024-02-02', item: encodeDay('2024-02-02', b) },
      { date: '2024-02-03', item: encodeDay('2024-02-03', small) },
    ];
    expect(itemSize(items[0].item)).toBeGreaterThan(ITEM_LIMIT_BYTES);
    expect(itemSize(items[1].item)).toBeGreaterThan(ITEM_LIMIT_BYTES);
    await repo.putDays('u1', items);
    const sks = await keysOf(historyPk('u1'));
    expect(sks.length).toBeGreaterThan(4);
    const sorted = (p: Play[]) => [...p].sort((x, y) => x.ts - y.ts);
    const got = await new HistoryRepository(store).getDays('u1', ['2024-02-01', '2024-02-02', '2024-02-03', '2024-02-04']);
    expect(got.size).toBe(3);
    expect(decodeDay('2024-02-01', got.get('2024-02-01')!)).toEqual(sorted(a));
    expect(decodeDay('2024-02-02', got.get('2024-02-02')!)).toEqual(sorted(b));
    const all = await new HistoryRepository(store).allDays('u1');
    expect(all.map((d) => d.date)).toEqual(['2024-02-01', '2024-02-02', '2024-02-03']);
    expect(decodeDay('2024-02-01', all[0].item)).toEqual(sorted(a));
    expect(decodeDay('2024-02-02', all[1].item)).toEqual(sorted(b));
    expect(decodeDay('2024-02-03', all[2].item)).toEqual(small);
    expect([...(await repo.dayDates('u1'))].sort()).toEqual(['2024-02-01', '2024-02-02', '2024-02-03']);
  });

  it('a split day rewritten smaller (undo) reads back as the new day, and its old parts are deleted', async () => {
    await repo.putDays('u2', [{ date: '2024-03-01', item: encodeDay('2024-03-01', longNamePlays('2024-03-01')) }]);
    const day = (await repo.getDays('u2', ['2024-03-01'])).get('2024-03-01')!;
    const kept = decodeDay('2024-03-01', day).slice(0, 3);
    await repo.putDays('u2', [{ date: '2024-03-01', item: encodeDay('2024-03-01', kept) }]);
    expect(await keysOf(historyPk('u2'))).toEqual(['D#2024-03-01']);
    expect(decodeDay('2024-03-01', (await repo.allDays('u2'))[0].item)).toEqual(kept);
  });

  it('a leftover part of an older generation (a crash between writes) is ignored by readers', async () => {
    const other = new HistoryRepository(store); // never read the day, so it cannot delete the old parts
    await repo.putDays('u3', [{ date: '2024-04-01', item: encodeDay('2024-04-01', longNamePlays('2024-04-01')) }]);
    const next = longNamePlays('2024-04-01').slice(0, 150);
    await other.putDays('u3', [{ date: '2024-04-01', item: encodeDay('2024-04-01', next) }]);
    expect((await keysOf(historyPk('u3'))).length).toBeGreaterThan(3);
    expect(decodeDay('2024-04-01', (await repo.allDays('u3'))[0].item)).toEqual(next);
    expect(decodeDay('2024-04-01', (await repo.getDays('u3', ['2024-04-01'])).get('2024-04-01')!)).toEqual(next);
    expect([...(await repo.dayDates('u3'))]).toEqual(['2024-04-01']);
  });

  it('undo records are split too, and removing them removes every part', async () => {
    const undo = new ImportUndoRepository(store);
    const plays = longNamePlays('2024-05-01');
    await undo.put('u4', 'job1', [{ date: '2024-05-01', item: encodeDay('2024-05-01', plays) }]);
    expect((await keysOf(userPk('u4'))).length).toBeGreaterThan(1);
    expect(decodeDay('2024-05-01', (await undo.get('u4', 'job1', ['2024-05-01'])).get('2024-05-01')!)).toEqual(plays);
    const all = await undo.all('u4', 'job1');
    expect(all.map((r) => r.date)).toEqual(['2024-05-01']);
    expect(decodeDay('2024-05-01', all[0].item)).toEqual(plays);
    await undo.remove('u4', 'job1', ['2024-05-01']);
    expect(await keysOf(userPk('u4'))).toEqual([]);
  });

  it('account deletion finds every part of every split item', async () => {
    await repo.putDays('u5', [{ date: '2024-06-01', item: encodeDay('2024-06-01', longNamePlays('2024-06-01')) }]);
    await new ImportUndoRepository(store).put('u5', 'j', [{ date: '2024-06-01', item: encodeDay('2024-06-01', longNamePlays('2024-06-01')) }]);
    await new AccountRepository(store).deleteEverything('u5');
    expect(await keysOf(historyPk('u5'))).toEqual([]);
    expect(await keysOf(userPk('u5'))).toEqual([]);
  });
});
