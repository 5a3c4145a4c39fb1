import { z } from 'zod';
import { flagOf } from './play';

/**
 * How a history entry counts, per user. Every statistic (history stats, taste over time, shared
 * summaries) classifies each stored entry with `classify`, so the rules live in one place.
 */
export interface CountingRules {
  /** A music entry of at least this many seconds is a play; shorter ones add listening time only. */
  min_play_seconds: number;
  /** Entries the export marks as skipped: a play like any other ('count') or listening time only ('time_only'). */
  skipped: 'count' | 'time_only';
  /** Entries played offline (synced later): counted, or left out entirely. */
  offline: 'count' | 'exclude';
  /** Entries from a private (incognito) session: left out entirely, as Spotify Wrapped does, or counted. */
  incognito: 'count' | 'exclude';
}

export const DEFAULT_RULES: CountingRules = Object.freeze({ min_play_seconds: 30, skipped: 'count', offline: 'count', incognito: 'exclude' });

export const countingRulesSchema = z.object({
  min_play_seconds: z.coerce.number().int().min(0).max(600),
  skipped: z.enum(['count', 'time_only']),
  offline: z.enum(['count', 'exclude']),
  incognito: z.enum(['count', 'exclude']),
});

/** Stored rules, with anything missing or invalid (an older item) replaced by the default. */
export function rulesFrom(raw: unknown): CountingRules {
  const parsed = countingRulesSchema.partial().safeParse(raw ?? {});
  return { ...DEFAULT_RULES, ...(parsed.success ? Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) : {}) };
}

/** What an entry contributes: nothing, listening time only, or listening time and a play. */
export const EXCLUDED = 0;
export const TIME_ONLY = 1;
export const PLAY = 2;

/** `flags` as packed by packFlags (play.ts). */
export function classify(flags: number, ms: number, rules: CountingRules): 0 | 1 | 2 {
  // An unknown flag (null) never excludes anything.
  if (rules.incognito === 'exclude' && flagOf(flags, 'incognito') === true) return EXCLUDED;
  if (rules.offline === 'exclude' && flagOf(flags, 'offline') === true) return EXCLUDED;
  if (ms < rules.min_play_seconds * 1000) return TIME_ONLY;
  if (rules.skipped === 'time_only' && flagOf(flags, 'skipped') === true) return TIME_ONLY;
  return PLAY;
}

/** The rules as sentences, for the "How we count" page and every stats answer. */
export function describeRules(r: CountingRules): string[] {
  return [
    `A music play counts as a play when at least ${r.min_play_seconds} seconds of it were played; shorter ones (partial plays) add their listening time but no play.`,
    r.skipped === 'count'
      ? 'A play the export marks as skipped still counts when it passed that threshold.'
      : 'A play the export marks as skipped adds its listening time but never counts as a play.',
    r.offline === 'count'
      ? 'Plays made offline (synced when the app came back online) count like any other.'
      : 'Plays made offline are left out entirely.',
    r.incognito === 'exclude'
      ? 'Plays from a private session are left out entirely, as Spotify Wrapped does.'
      : 'Plays from a private session count like any other.',
    'Listening time is the sum of ms_played over every music entry that is not left out.',
    'Podcast episodes and audiobooks are kept apart: they appear only in the episode totals.',
    'Two entries of the same track ending in the same minute are one play (re-imports, overlapping files and live capture add nothing twice).',
    'Skip rate and shuffle share are over entries whose export says whether they were skipped or shuffled (the extended history does; account data does not).',
    'Days, hours and weekdays are in your time zone; the export is in UTC.',
  ];
}
