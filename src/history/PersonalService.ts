import { BadRequest, NotFound } from '../errors';
import { LruCache } from '../util/LruCache';
import type { CountingRules } from './countingRules';
import type { HistoryStatsService } from './HistoryStatsService';
import { groupOfKey, groupsOf, personalIndex, type PersonalKind } from './personalIndex';
import { ALBUM_KEY, parseArtistKey, TRACK_KEY } from './personalKeys';
import { personalPage, rankedTop, type PersonalPage, type RankedItem } from './personalStats';
import { resolvePeriod, todayIn, type ResolvedPeriod } from './period';
import { playLog, type PlayLogPage, type PlayLogQuery } from './playLog';
import type { PersonalGroup } from './personalIndex';
import { topTracksOf, type PickedTrack } from './playlistTracks';

export interface PeriodInput {
  period?: string;
  from?: string;
  to?: string;
  tz?: string;
}

export type PersonalAnswer = PersonalPage & {
  period: ResolvedPeriod;
  /** Where the catalog page of the artist is: direct when the Spotify artist id is known, else through a track id (/tracks/:id redirects). */
  catalog: { artist_id: string | null; via_track_id: string | null };
};

const NOUN: Record<PersonalKind, string> = { artist: 'artist', track: 'track', album: 'album' };

/**
 * Your own story with an artist, track or album, the play log, and ranked top lists with the change
 * of rank, all from imported history. Reads the decoded history of HistoryStatsService (cached per
 * version); personal pages are cached per version, key, period, zone and rules.
 */
export class PersonalService {
  private readonly pages = new LruCache<PersonalPage>(2000);

  constructor(private readonly stats: HistoryStatsService) {}

  /** A period choice (preset, year, month or from/to) resolved in the person's zone, with their rules. */
  async period(userId: string, q: PeriodInput): Promise<{ period: ResolvedPeriod; tz: string; rules: CountingRules }> {
    const { tz } = await this.stats.settings(userId, { tz: q.tz });
    const period = resolvePeriod(q, todayIn(tz));
    // The dates are checked like the statistics' own (a real date, from before to).
    const settings = await this.stats.settings(userId, { from: period.from ?? undefined, to: period.to ?? undefined, tz });
    return { period, tz, rules: settings.rules };
  }

  async page(userId: string, kind: PersonalKind, key: string, q: PeriodInput): Promise<PersonalAnswer> {
    const valid = kind === 'artist' ? parseArtistKey(key) !== null : kind === 'track' ? TRACK_KEY.test(key) : ALBUM_KEY.test(key);
    if (!valid) throw new BadRequest(`That is not a personal ${NOUN[kind]} key (see /api/openapi.json).`, 'invalid_key');
    const { period, tz, rules } = await this.period(userId, q);
    const cols = await this.stats.columns(userId);
    const idx = personalIndex(cols);
    const group = groupOfKey(idx, kind, key);
    if (group < 0) throw new NotFound(`No plays of this ${NOUN[kind]} in your imported history yet.`, `${kind}_not_in_history`);
    const cacheKey = `${userId}|${cols.version}|${kind}|${group}|${period.from}|${period.to}|${tz}|${JSON.stringify(rules)}`;
    let page = this.pages.get(cacheKey);
    if (!page) {
      page = personalPage(cols, idx, kind, group, tz, period, rules);
      this.pages.set(cacheKey, page);
    }
    const artistId = kind === 'artist' ? parseArtistKey(key)!.spotifyId : null;
    // Any Spotify track id of it leads to the artist on Spotify (the export never names artist ids).
    const viaTrack = artistId ? null : (groupsOf(idx, kind).groups[group].entries.map((e) => cols.entries[e].trackId).find((t) => t !== null) ?? null);
    return { ...page, period, catalog: { artist_id: artistId, via_track_id: viaTrack } };
  }

  /** Top artists, tracks and albums of a period, with the change of rank against the period before. */
  async tops(userId: string, q: PeriodInput, limit = 25): Promise<{ period: ResolvedPeriod; time_zone: string; artists: RankedItem[]; tracks: RankedItem[]; albums: RankedItem[] }> {
    const { period, tz, rules } = await this.period(userId, q);
    const cols = await this.stats.columns(userId);
    const idx = personalIndex(cols);
    const top = (kind: PersonalKind) => rankedTop(cols, idx, kind, tz, period, period.previous, rules, { limit });
    return { period, time_zone: tz, artists: top('artist'), tracks: top('track'), albums: top('album') };
  }

  /**
   * The top tracks of a period for a playlist: by plays or listening time, optionally one artist's
   * (by personal artist key; 404 when never played) and only those `keep` accepts.
   */
  async topTracks(
    userId: string, q: PeriodInput, o: { by: 'plays' | 'ms'; limit: number; artistKey?: string; keep?: (track: PersonalGroup) => boolean },
  ): Promise<{ period: ResolvedPeriod; artist: string | null; tracks: PickedTrack[] }> {
    const { period, tz, rules } = await this.period(userId, q);
    const cols = await this.stats.columns(userId);
    const idx = personalIndex(cols);
    let artistGroup: number | undefined;
    if (o.artistKey !== undefined) {
      if (parseArtistKey(o.artistKey) === null) throw new BadRequest('That is not a personal artist key (see /api/openapi.json).', 'invalid_key');
      artistGroup = groupOfKey(idx, 'artist', o.artistKey);
      if (artistGroup < 0) throw new NotFound('No plays of this artist in your imported history yet.', 'artist_not_in_history');
    }
    const tracks = topTracksOf(cols, idx, tz, period, rules, { by: o.by, limit: o.limit, artistGroup, keep: o.keep });
    return { period, artist: artistGroup === undefined ? null : idx.artists[artistGroup].name, tracks };
  }

  async plays(userId: string, q: PeriodInput & Omit<PlayLogQuery, 'from' | 'to'>): Promise<PlayLogPage & { period: ResolvedPeriod; time_zone: string }> {
    const { period, tz, rules } = await this.period(userId, q);
    const cols = await this.stats.columns(userId);
    const page = playLog(cols, personalIndex(cols), tz, rules, { ...q, from: period.from, to: period.to });
    if (!page) throw new BadRequest('The cursor is not one this API gave out; start again without it.', 'invalid_cursor');
    return { ...page, period, time_zone: tz };
  }

  /** The years a person's history spans (newest first), for the period picker. */
  async years(userId: string): Promise<string[]> {
    const cols = await this.stats.columns(userId);
    if (!cols.n) return [];
    const first = new Date(cols.ts[0]).getUTCFullYear();
    const last = new Date(cols.ts[cols.n - 1]).getUTCFullYear();
    return Array.from({ length: last - first + 1 }, (_, k) => String(last - k));
  }

  /** Platforms seen in a person's history, for the play log's filter. */
  async platforms(userId: string): Promise<string[]> {
    return (await this.stats.columns(userId)).platforms.slice().sort();
  }
}
