import { CAPTURE_PLATFORM, packFlags, playKey, type Play } from './play';

/**
 * When two entries are one play. Within one precision only exact duplicates are (playKey). Across
 * precisions the rule pairs plays one to one, so it never merges two real plays (each can pair
 * with at most one other) and never doubles one (the copy of a play seen by another source pairs
 * with it):
 *   minute   account data: endTime to the minute, no platform, no flags
 *   second   extended history (and backups of it): ts to the second
 *   capture  live capture: played_at to the millisecond, ms = the track's length (no ms_played)
 * - minute ~ second: the second-precision end lies in that minute and ms played are equal.
 * - capture ~ minute or second: the same track ending within CAPTURE_TOLERANCE_MS of the
 *   captured instant (of the minute, for account data), the nearest unpaired one.
 */
export type PlayPrecision = 'minute' | 'second' | 'capture';

/** How far a captured played_at may be from the export's end time of the same play. */
export const CAPTURE_TOLERANCE_MS = 30_000;

export function precisionOf(p: Play): PlayPrecision {
  if (p.platform === CAPTURE_PLATFORM) return 'capture';
  if (p.platform === null && p.ts % 60_000 === 0 && packFlags(p) === 0) return 'minute';
  return 'second';
}

const trackKey = (p: Play) => `${p.kind[0]}|${p.artist.toLowerCase()}|${p.name.toLowerCase()}`;

/** How far apart two plays of one track of different precision are, or null when they cannot be one play. */
export function crossDistance(a: Play, b: Play): number | null {
  const pa = precisionOf(a);
  const pb = precisionOf(b);
  if (pa === pb) return null;
  if (pa === 'capture' || pb === 'capture') {
    const [c, o] = pa === 'capture' ? [a, b] : [b, a];
    // A minute-precision end is anywhere in [minute, minute + 60 s).
    const [lo, hi] = precisionOf(o) === 'minute' ? [o.ts, o.ts + 60_000] : [o.ts, o.ts];
    const d = c.ts < lo ? lo - c.ts : c.ts > hi ? c.ts - hi : 0;
    return d <= CAPTURE_TOLERANCE_MS ? d : null;
  }
  const [m, s] = pa === 'minute' ? [a, b] : [b, a];
  return Math.floor(s.ts / 60_000) * 60_000 === m.ts && s.ms === m.ms ? Math.abs(s.ts - m.ts) : null;
}

/**
 * The plays of `incoming` that are new to a day holding `before` (in incoming's order). Exact
 * duplicates go first; then each remaining play pairs with the nearest unpaired play of another
 * precision (stored, or added just now), longest plays first, so a captured play (which only
 * counted plays produce) pairs with the full play rather than a skipped fragment of it.
 */
export function newPlays(before: Play[], incoming: Play[]): Play[] {
  const keys = new Set(before.map(playKey));
  const fresh: Play[] = [];
  for (const p of incoming) {
    const k = playKey(p);
    if (keys.has(k)) continue;
    keys.add(k);
    fresh.push(p);
  }
  if (fresh.length === 0) return fresh;
  // Plays of one precision never pair (crossDistance): then every play left is new. (An import of an
  // extended export into days of the same export, the usual case, needs no pairing at all.)
  const first = precisionOf(fresh[0]);
  if (before.every((p) => precisionOf(p) === first) && fresh.every((p) => precisionOf(p) === first)) return fresh;
  const pool = new Map<string, { play: Play; paired: boolean }[]>();
  const addToPool = (p: Play) => {
    const k = trackKey(p);
    const list = pool.get(k);
    if (list) list.push({ play: p, paired: false });
    else pool.set(k, [{ play: p, paired: false }]);
  };
  before.forEach(addToPool);
  const order = fresh.map((p, i) => ({ p, i })).sort((x, y) => y.p.ms - x.p.ms || x.i - y.i);
  const kept = new Set<number>();
  for (const { p, i } of order) {
    let best: { play: Play; paired: boolean } | undefined;
    let bestD = Infinity;
    for (const c of pool.get(trackKey(p)) ?? []) {
      if (c.paired) continue;
      const d = crossDistance(p, c.play);
      if (d !== null && d < bestD) {
        best = c;
        bestD = d;
      }
    }
    if (best) {
      best.paired = true;
      continue;
    }
    kept.add(i);
    addToPool(p);
  }
  return fresh.filter((_, i) => kept.has(i));
}
