/** Longest name (artist, track, album, genre, display name) a cached snapshot keeps. */
export const MAX_NAME_CHARS = 300;

/**
 * Keys whose string values (or arrays of strings) are names, cut to MAX_NAME_CHARS in snapshots
 * ("artists" and "tracks" hold names as plain strings in places, e.g. a genre's artists; ids are
 * 22 characters and never cut).
 */
const NAME_KEYS = new Set(['name', 'display_name', 'genre', 'genres', 'label', 'title', 'artists', 'tracks']);

/** A name cut to `max` characters, the last one an ellipsis (never half a surrogate pair). */
export function truncateName(s: string, max = MAX_NAME_CHARS): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * A copy of a JSON-like value with every name (a string under one of NAME_KEYS, or in an array
 * under one) cut to `max` characters: bounds what a snapshot of Spotify's names can weigh, so
 * 10,000-character names cannot push a cached item over DynamoDB's 400 KB.
 */
export function boundNames<T>(value: T, max = MAX_NAME_CHARS): T {
  const walk = (v: unknown, isName: boolean): unknown => {
    if (typeof v === 'string') return isName ? truncateName(v, max) : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, isName));
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, NAME_KEYS.has(k));
      return out;
    }
    return v;
  };
  return walk(value, false) as T;
}
