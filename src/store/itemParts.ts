import crypto from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { partSk } from './keys';
import type { Item, Store } from './Store';

/** DynamoDB's limit on one item (names and values, key included). */
export const ITEM_LIMIT_BYTES = 400 * 1024;
/**
 * The most this app writes in one item: the limit less a safety margin (emulators and DynamoDB
 * count a few bytes differently, and a head item carries its part bookkeeping).
 */
export const ITEM_BUDGET_BYTES = 350 * 1024;
/** Bytes of the split attribute per item when an item is split. */
export const PART_BYTES = 300 * 1024;

/** An item that cannot be made to fit (its other attributes alone are too large): nothing is written. */
export class ItemTooLarge extends Error {
  override name = 'ItemTooLarge';
}

function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S, 'utf8');
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '').length / 2) + 1;
  if (v.B !== undefined) return v.B.byteLength;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS) return v.SS.reduce((s, x) => s + Buffer.byteLength(x, 'utf8'), 0);
  if (v.NS) return v.NS.reduce((s, x) => s + Math.ceil(x.length / 2) + 1, 0);
  if (v.BS) return v.BS.reduce((s, x) => s + x.byteLength, 0);
  if (v.L) return 3 + v.L.reduce((s, x) => s + 1 + valueSize(x), 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((s, [k, x]) => s + Buffer.byteLength(k, 'utf8') + 1 + valueSize(x), 0);
  return 0;
}

/** The size DynamoDB counts for an item, measured on its marshalled form (attribute names included). */
export function itemSize(item: Item): number {
  const m = marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true });
  return Object.entries(m).reduce((s, [k, v]) => s + Buffer.byteLength(k, 'utf8') + valueSize(v as AttributeValue), 0);
}

/**
 * Splitting a large item (used for history day items and undo records; the layout is keys.ts's
 * "parts"): when an item would exceed ITEM_BUDGET_BYTES, its binary attribute `z` is cut into
 * pieces of PART_BYTES. The head item keeps the key, every other attribute and the first piece,
 * plus `zparts` (how many more pieces) and `zgen` (a generation id); piece i lives at
 * sk "<head sk>#<zgen>.<i>". Parts are written before their head, and a new generation never
 * overwrites the parts an older head points to, so a reader sees the old day or the new one whole.
 */
export interface SplitWrite {
  /** Written first. */
  parts: Item[];
  /** Written once every part is there. */
  head: Item;
}

const SPLIT_ATTR = 'z';

/** `gen`: the new generation id; by default a random one, made only for an item that is split (most are not). */
export function splitItem(item: Item & { pk: string; sk: string }, gen?: string): SplitWrite {
  const plain = { ...item };
  delete plain.zparts;
  delete plain.zgen;
  if (itemSize(plain) <= ITEM_BUDGET_BYTES) {
    return { parts: [], head: plain };
  }
  const z = plain[SPLIT_ATTR];
  if (!(z instanceof Uint8Array)) throw new ItemTooLarge(`Item ${item.sk} is ${itemSize(plain)} bytes and has no binary attribute to split.`);
  gen ??= crypto.randomBytes(4).toString('hex');
  const buf = Buffer.from(z.buffer, z.byteOffset, z.byteLength);
  const pieces: Buffer[] = [];
  for (let off = 0; off < buf.length; off += PART_BYTES) pieces.push(buf.subarray(off, off + PART_BYTES));
  const head: Item = { ...plain, [SPLIT_ATTR]: pieces[0], zparts: pieces.length - 1, zgen: gen };
  const parts = pieces.slice(1).map((piece, i) => ({ pk: item.pk, sk: partSk(item.sk, gen, i + 1), [SPLIT_ATTR]: piece, zgen: gen }));
  // Validated before anything is written: every item of the write fits.
  for (const it of [head, ...parts]) {
    const size = itemSize(it);
    if (size > ITEM_BUDGET_BYTES) throw new ItemTooLarge(`Item ${String(it.sk)} would be ${size} bytes (budget ${ITEM_BUDGET_BYTES}).`);
  }
  return { parts, head };
}

/** The keys of the parts a stored head points to (none for an item that is not split). */
export function partKeysOf(head: Item): { pk: string; sk: string }[] {
  const n = Number(head.zparts) || 0;
  if (!n || typeof head.zgen !== 'string') return [];
  return Array.from({ length: n }, (_, i) => ({ pk: String(head.pk), sk: partSk(String(head.sk), head.zgen as string, i + 1) }));
}

/**
 * A stored head joined with its parts (found by sort key): the item as it was before splitting.
 * A part missing (or of another generation) is an error, never a silently shorter day.
 */
export function joinItem(head: Item, parts: Map<string, Item>): Item {
  const keys = partKeysOf(head);
  const { zparts: _n, zgen: _g, ...plain } = head;
  if (keys.length === 0) return plain;
  const pieces: Uint8Array[] = [head[SPLIT_ATTR] as Uint8Array];
  for (const k of keys) {
    const part = parts.get(k.sk);
    if (!part || part.zgen !== head.zgen || !(part[SPLIT_ATTR] instanceof Uint8Array)) throw new Error(`Part ${k.sk} of a split item is missing.`);
    pieces.push(part[SPLIT_ATTR] as Uint8Array);
  }
  return { ...plain, [SPLIT_ATTR]: Buffer.concat(pieces) };
}

/**
 * Reads and writes split items of one table (HistoryRepository's days, ImportUndoRepository's
 * records). Remembers the parts of the split heads it read, so rewriting such an item (merge,
 * undo) deletes the older generation's parts once the new head is written.
 */
export class SplitItems {
  private readonly seen = new Map<string, string[]>();

  constructor(
    private readonly store: Store,
    private readonly table: () => string,
  ) {}

  private remember(head: Item): void {
    const keys = partKeysOf(head).map((k) => k.sk);
    const id = `${String(head.pk)}|${String(head.sk)}`;
    if (keys.length === 0) return;
    if (this.seen.size > 10_000) this.seen.clear();
    this.seen.set(id, keys);
  }

  /** The items of these keys that exist, each joined with its parts. */
  async getMany(keys: { pk: string; sk: string }[]): Promise<Item[]> {
    const heads = keys.length ? await this.store.batchGet(this.table(), keys) : [];
    return this.joinAll(heads, new Map());
  }

  /**
   * Query results (heads and parts of a key range) as whole items: parts are joined to their
   * heads; leftovers of older generations are dropped. `isHead` tells a head's sort key.
   */
  async fromQuery(items: Item[], isHead: (sk: string) => boolean): Promise<Item[]> {
    const heads: Item[] = [];
    const parts = new Map<string, Item>();
    for (const item of items) {
      const sk = String(item.sk);
      if (isHead(sk)) heads.push(item);
      else parts.set(sk, item);
    }
    return this.joinAll(heads, parts);
  }

  private async joinAll(heads: Item[], parts: Map<string, Item>): Promise<Item[]> {
    const missing = heads.flatMap((h) => partKeysOf(h)).filter((k) => !parts.has(k.sk));
    if (missing.length) {
      // Parts are written before their head: read them strongly consistent, so a head just written finds them.
      for (const part of await this.store.batchGet(this.table(), missing, { consistentRead: true })) parts.set(String(part.sk), part);
    }
    const out: Item[] = [];
    for (const h of heads) {
      try {
        out.push(joinItem(h, parts));
        this.remember(h);
      } catch {
        // Rewritten while we read (its older parts deleted): read the head again, and its parts.
        out.push(await this.reread({ pk: String(h.pk), sk: String(h.sk) }));
      }
    }
    return out;
  }

  private async reread(key: { pk: string; sk: string }): Promise<Item> {
    const [head] = await this.store.batchGet(this.table(), [key], { consistentRead: true });
    if (!head) throw new Error(`Split item ${key.sk} vanished while it was read.`);
    const parts = new Map<string, Item>();
    const keys = partKeysOf(head);
    if (keys.length) for (const part of await this.store.batchGet(this.table(), keys, { consistentRead: true })) parts.set(String(part.sk), part);
    this.remember(head);
    return joinItem(head, parts);
  }

  /**
   * Writes items (replacing what was there), splitting those too large. Every item is split and
   * measured before anything is written; parts go first, then heads, then the parts of older
   * generations this process read are deleted.
   */
  async putMany(items: (Item & { pk: string; sk: string })[], opts?: { concurrency?: number }): Promise<void> {
    if (items.length === 0) return;
    const writes = items.map((item) => splitItem(item));
    const parts = writes.flatMap((w) => w.parts);
    if (parts.length) await this.store.batchPut(this.table(), parts, opts);
    await this.store.batchPut(this.table(), writes.map((w) => w.head), opts);
    const stale: { pk: string; sk: string }[] = [];
    for (const w of writes) {
      const id = `${String(w.head.pk)}|${String(w.head.sk)}`;
      const old = this.seen.get(id);
      this.seen.delete(id);
      this.remember(w.head);
      if (!old) continue;
      const now = new Set(w.parts.map((p) => String(p.sk)));
      for (const sk of old) if (!now.has(sk)) stale.push({ pk: String(w.head.pk), sk });
    }
    // Leftover parts are harmless (no head points to them); deleting them is tidiness, not correctness.
    if (stale.length) await this.store.batchDelete(this.table(), stale, opts).catch(() => undefined);
  }
}
