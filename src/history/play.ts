/**
 * The play: one entry of listening history, whatever export or capture it came from. Every part of
 * src/history (import, day codec, statistics, backup) speaks this shape.
 */
export type PlayKind = 'music' | 'episode' | 'audiobook';

/** The kinds in their stored order: a kind is stored (and held in columns) as its index here. */
export const PLAY_KINDS: readonly PlayKind[] = ['music', 'episode', 'audiobook'];

export interface Play {
  /** End of the play, ms since the epoch (UTC). */
  ts: number;
  kind: PlayKind;
  /** Track, episode or chapter name. */
  name: string;
  /** Artist, show or audiobook. */
  artist: string;
  album: string | null;
  /** Spotify track id when the export gives the URI. */
  trackId: string | null;
  ms: number;
  skipped: boolean | null;
  shuffle: boolean | null;
  offline: boolean | null;
  incognito: boolean | null;
  platform: string | null;
  country: string | null;
  /** `skipped` was not in the export (null) and was read from reason_end instead (see historyStats). */
  skipInferred?: boolean;
}

/**
 * How a play's four yes/no/unknown fields are stored (in day items, see dayCodec): two bits
 * each, the value and whether it is known at all (the account-data export knows none of them).
 */
const FLAG_SHIFT = { skipped: 0, shuffle: 2, offline: 4, incognito: 6 } as const;
export type PlayFlag = keyof typeof FLAG_SHIFT;

/** Bit 8 of packed flags: `skipped` was read from reason_end (Play.skipInferred). */
export const SKIP_INFERRED_BIT = 1 << 8;

export function packFlags(p: Pick<Play, PlayFlag> & { skipInferred?: boolean }): number {
  let f = 0;
  for (const flag of Object.keys(FLAG_SHIFT) as PlayFlag[]) {
    const v = p[flag];
    if (v !== null) f |= ((v ? 1 : 0) | 2) << FLAG_SHIFT[flag];
  }
  if (p.skipInferred && p.skipped !== null) f |= SKIP_INFERRED_BIT;
  return f;
}

/** One field of packed flags: true, false, or null when the export did not say. */
export function flagOf(flags: number, flag: PlayFlag): boolean | null {
  const shift = FLAG_SHIFT[flag];
  return flags & (2 << shift) ? Boolean(flags & (1 << shift)) : null;
}

/** An entry (of an export, a backup) that is not a valid play; the message names the field. */
export class InvalidEntry extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEntry';
  }
}

/** The platform live capture gives its plays (the Web API's recently played says no device). */
export const CAPTURE_PLATFORM = 'spotify-api';

/** The flags as identity sees them: a skip inferred from reason_end is not a fact of the source. */
function identityFlags(p: Pick<Play, PlayFlag> & { skipInferred?: boolean }): number {
  const f = packFlags(p);
  return p.skipInferred ? f & ~(3 << FLAG_SHIFT.skipped) & ~SKIP_INFERRED_BIT : f;
}

/**
 * Exact identity of a play: same end time to the second (what the day codec keeps), same kind,
 * track (or episode, chapter), milliseconds played, platform and flags. Only entries equal in all
 * of these are one play (re-imports, overlapping files, a file twice in a zip); two entries that
 * differ in any of them are two plays, however close. See playIdentity.ts for plays of different precision.
 */
export function playKey(p: Pick<Play, 'ts' | 'kind' | 'name' | 'artist' | 'ms' | 'platform' | PlayFlag> & { skipInferred?: boolean }): string {
  return `${Math.round(p.ts / 1000)}|${p.kind[0]}|${p.ms}|${p.platform ?? ''}|${identityFlags(p)}|${p.artist.toLowerCase()}|${p.name.toLowerCase()}`;
}
