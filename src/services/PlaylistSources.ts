import { z } from 'zod';
import { BadRequest } from '../errors';
import type { PersonalService } from '../history/PersonalService';
import { PERIOD_CHOICE, type ResolvedPeriod } from '../history/period';
import { ARTIST_KEY } from '../history/personalKeys';
import type { TasteService } from '../history/TasteService';
import { TIME_RANGES, type TimeRange } from '../spotify/SpotifyClient';
import type { User } from '../store/UserRepository';
import type { FriendService } from './FriendService';
import { RANGE_LABELS, TASTE_FEATURES, type DashboardService } from './DashboardService';

/** One track of a selection. `id` is the Spotify track id, or null (old exports): then it is matched by search or skipped. */
export interface PlaylistTrack {
  id: string | null;
  name: string;
  artist: string;
}

/** What a source picked: the playlist's name and description say what it holds. */
export interface PlaylistSelection {
  title: string;
  description: string;
  tracks: PlaylistTrack[];
}

/** Parameters every source receives, already validated by the routes, next to its own fields. */
export interface CommonPlaylistParams {
  /** How many tracks at most (1–MAX_PLAYLIST_TRACKS). */
  n: number;
  /** Rank by number of plays or by listening time (a source without either, like Spotify's top tracks, ignores it). */
  by: 'plays' | 'minutes';
}

/**
 * THE CONTRACT of a playlist source: `async (userId, params) => ({ title, description, tracks })`.
 * - `params` is the request's fields (form or JSON) with `n` and `by` validated (CommonPlaylistParams)
 *   and every other field as sent (strings): the source validates its own (`sourceParams` below) and
 *   throws BadRequest (a 400) when they are wrong, NotFound when what they name does not exist.
 * - `tracks` in playlist order, at most `params.n`; an empty list is answered with a clear 400.
 * - It reads; it never writes to Spotify (PlaylistService does that, after consent).
 * Adding a source is one line: `sources.register('blend', async (userId, params) => ...)`
 * (a form then posts `source=blend&friend=<userId>`).
 */
export type PlaylistSource = (userId: string, params: CommonPlaylistParams & Record<string, unknown>) => Promise<PlaylistSelection>;

export const MAX_PLAYLIST_TRACKS = 200;

/** The registry: source name → source. Names are what forms and the API send as `source`. */
export class PlaylistSources {
  private readonly sources = new Map<string, PlaylistSource>();

  register(name: string, source: PlaylistSource): this {
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(name)) throw new Error(`playlist source names are short lower-case words, not ${JSON.stringify(name)}`);
    if (this.sources.has(name)) throw new Error(`playlist source ${name} is registered twice`);
    this.sources.set(name, source);
    return this;
  }

  get(name: string): PlaylistSource | undefined {
    return this.sources.get(name);
  }

  names(): string[] {
    return [...this.sources.keys()];
  }
}

/** Validates a source's own fields; a failure is a 400 naming the field. */
export function sourceParams<S extends z.ZodType>(schema: S, params: unknown): z.output<S> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new BadRequest(`${issue.path.map(String).join('.') || 'input'}: ${issue.message}`, 'invalid_playlist_params');
}

const blankIsAbsent = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const period = {
  period: blankIsAbsent(z.string().regex(PERIOD_CHOICE, 'one of 7d, 30d, 90d, this_year, last_year, all, a year (2024) or a month (2024-05)')),
  from: blankIsAbsent(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')),
  to: blankIsAbsent(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')),
};

/** Spotify's top-track ranges as a span of time, for descriptions. */
const RANGE_SPAN: Record<TimeRange, string> = { short_term: '4 weeks', medium_term: '6 months', long_term: 'about a year' };
const FEATURE_NAMES = TASTE_FEATURES as unknown as [string, ...string[]];

/** "Last 30 days" → "last 30 days", "This year" → "this year"; "May 2024" and "2024" stay. */
const inTitle = (label: string) => label.replace(/^(Last|This|All)\b/, (w) => w.toLowerCase());
const spanOf = (p: ResolvedPeriod) => (p.from || p.to ? `${p.from ?? 'the start'} to ${p.to ?? 'today'}` : 'all time');
const byWord = (by: 'plays' | 'minutes') => (by === 'plays' ? 'by plays' : 'by listening time');
const orderOf = (by: 'plays' | 'minutes') => (by === 'plays' ? 'plays' : 'ms') as 'plays' | 'ms';

/** The four sources of issue #15: the dashboard, a history period, a personal artist page, taste over time. */
export function builtInPlaylistSources(d: {
  dashboard: Pick<DashboardService, 'summary'>;
  user: (userId: string) => Promise<User>;
  personal: Pick<PersonalService, 'topTracks'>;
  taste: Pick<TasteService, 'knownFeatures'>;
}): PlaylistSources {
  const sources = new PlaylistSources();

  // Spotify's own top tracks of a time range (its order: it gives no play counts, so `by` does not apply).
  sources.register('dashboard', async (userId, params) => {
    const { range } = sourceParams(z.object({ range: z.enum(TIME_RANGES as [TimeRange, ...TimeRange[]]).default('medium_term') }), params);
    const summary = await d.dashboard.summary(await d.user(userId));
    const tracks = summary.ranges[range].tracks.slice(0, params.n);
    return {
      title: `My top ${tracks.length} · ${inTitle(RANGE_LABELS[range])}`,
      description: `Made by Spotify Data App from your top tracks, ${RANGE_SPAN[range]} to ${summary.generated_at.slice(0, 10)}`,
      tracks: tracks.map((t) => ({ id: t.id, name: t.name, artist: t.artists.map((a) => a.name).join(', ') })),
    };
  });

  // The most played tracks of a history period.
  sources.register('history', async (userId, params) => {
    const q = sourceParams(z.object(period), params);
    const top = await d.personal.topTracks(userId, q, { by: orderOf(params.by), limit: params.n });
    return {
      title: `My top ${top.tracks.length} · ${inTitle(top.period.label)}`,
      description: `Made by Spotify Data App from your listening history: your most played tracks ${byWord(params.by)}, ${spanOf(top.period)}`,
      tracks: top.tracks,
    };
  });

  // One artist's tracks that this person played most (a personal artist page).
  sources.register('artist', async (userId, params) => {
    const q = sourceParams(z.object({ key: z.string().regex(ARTIST_KEY, 'an artist key as the personal pages use'), ...period }), params);
    const top = await d.personal.topTracks(userId, q, { by: orderOf(params.by), limit: params.n, artistKey: q.key });
    const when = top.period.choice === 'all' ? '' : ` · ${inTitle(top.period.label)}`;
    return {
      title: `My top ${top.tracks.length} · ${top.artist}${when}`,
      description: `Made by Spotify Data App from your listening history: your most played tracks by ${top.artist} ${byWord(params.by)}, ${spanOf(top.period)}`,
      tracks: top.tracks,
    };
  });

  // Taste over time: a month's tracks whose audio feature is at least `min` ("my most upbeat month").
  sources.register('taste', async (userId, params) => {
    const q = sourceParams(z.object({
      month: z.string().regex(/^\d{4}-(?:0[1-9]|1[0-2])$/, 'a month as YYYY-MM'),
      feature: z.enum(FEATURE_NAMES),
      min: z.coerce.number().min(0).max(1).default(0.7),
    }), params);
    const features = await d.taste.knownFeatures(userId);
    const feature = q.feature as (typeof TASTE_FEATURES)[number];
    const top = await d.personal.topTracks(userId, { period: q.month }, {
      by: orderOf(params.by), limit: params.n,
      // Only tracks with a Spotify id have features; a value is kept only when the provider gave one.
      keep: (t) => t.trackIds.some((id) => {
        const v = features(id)?.[feature];
        return typeof v === 'number' && v >= q.min;
      }),
    });
    return {
      title: `My top ${top.tracks.length} · ${top.period.label} · ${feature} ≥ ${q.min}`,
      description: `Made by Spotify Data App from your listening in ${top.period.label}: tracks with ${feature} of at least ${q.min}, ${byWord(params.by)}`,
      tracks: top.tracks,
    };
  });

  return sources;
}

/**
 * Issue #15's blend: tracks both friends love, from both histories (FriendService.blend, which
 * checks the friendship first: a 404 for anyone who is not a friend). Fields: friend (their id) and
 * a period as the history source takes.
 */
export function registerBlendSource(sources: PlaylistSources, friends: Pick<FriendService, 'blend'>): void {
  sources.register('blend', async (userId, params) => {
    const q = sourceParams(z.object({ friend: z.string().min(1).max(200), ...period }), params);
    const { friend, period: p, tracks } = await friends.blend(userId, q.friend, q, params.n);
    return {
      title: `Blend · you & ${friend.display_name}${p.choice === 'all' ? '' : ` · ${inTitle(p.label)}`}`,
      description: `Made by Spotify Data App: tracks you and ${friend.display_name} both played most, ${spanOf(p)}`,
      tracks: tracks.map((t) => ({ id: t.id, name: t.name, artist: t.artist })),
    };
  });
}
