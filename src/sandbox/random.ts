/**
 * Deterministic randomness for the sandbox: every catalog and listener value comes from these
 * seeded generators (never Math.random), so two builds with the same seed are identical.
 */

// Module-scoped alias: under jest's vm sandbox every global `Math` lookup is slow (~200 ns), and
// catalog building makes millions of them.
const Math = globalThis.Math;

/** mulberry32: tiny, fast 32-bit PRNG; good enough for synthetic data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32-bit string hash (murmur3-style mixing of FNV-1a), with a seed to get independent hashes. */
export function hashString(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number | string) {
    this.next = mulberry32(typeof seed === 'string' ? hashString(seed) : seed);
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }
  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Normal distribution (Box-Muller). */
  normal(mean: number, sd: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** Index chosen with probability proportional to weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const BASE62_ID = /^[0-9A-Za-z]{22}$/;

/** Stable 22-character base62 id (Spotify id shape) derived from a key. */
export function base62Id(key: string): string {
  const rng = mulberry32(hashString(key, 1) ^ Math.imul(hashString(key, 2), 31));
  const rng2 = mulberry32(hashString(key, 3));
  let out = '';
  for (let i = 0; i < 22; i++) {
    const r = (rng() + rng2()) % 1;
    out += BASE62[Math.floor(r * 62)];
  }
  return out;
}

/** Stable UUID-v4-shaped string derived from a key (for MusicBrainz MBIDs, ReccoBeats ids). */
export function uuidFrom(key: string): string {
  const hex = [0, 1, 2, 3].map((i) => hashString(key, 101 + i).toString(16).padStart(8, '0')).join('');
  const variant = '89ab'[parseInt(hex[16], 16) % 4];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
