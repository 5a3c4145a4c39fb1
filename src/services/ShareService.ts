import crypto from 'node:crypto';
import { BadRequest, NotFound } from '../errors';
import type { Share, ShareRepository } from '../store/ShareRepository';
import type { UserRepository } from '../store/UserRepository';
import { LruCache } from '../util/LruCache';
import type { HistoryStatsService } from '../history/HistoryStatsService';
import { ogPng, ogSvg } from './ogImage';

/** Slugs are 16 random bytes: unguessable, so a link is only found by someone it was given to. */
export const SLUG_PATTERN = /^[A-Za-z0-9_-]{22}$/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export interface ShareLink extends Share {
  url: string;
}

/**
 * What a public share page shows: the display name and one year's numbers. Deliberately nothing
 * that identifies the account (no user id, Spotify id, e-mail or time zone).
 */
export interface ShareSummary {
  slug: string;
  year: string;
  display_name: string;
  hours: number;
  plays: number;
  distinct_artists: number;
  top_artists: { name: string; hours: number; plays: number }[];
  top_tracks: { name: string; artist: string; hours: number; plays: number }[];
  longest_streak: { days: number; from: string | null; to: string | null };
  top_month: { month: string; name: string; hours: number } | null;
}

const hours = (ms: number) => Math.round((ms / 3_600_000) * 10) / 10;

/** Opt-in, revocable public links to a yearly summary of a person's imported listening history. */
export class ShareService {
  /** Rendered PNGs by slug and content: a crawler re-fetching an unchanged card costs no render. */
  private readonly images = new LruCache<Buffer>(32 * 1024 * 1024);

  constructor(
    private readonly repo: ShareRepository,
    private readonly users: UserRepository,
    private readonly stats: HistoryStatsService,
    private readonly publicUrl: string,
  ) {}

  url(slug: string): string {
    return `${this.publicUrl}/share/${slug}`;
  }

  /** Years with listening history (in the person's time zone), newest first. */
  async years(userId: string): Promise<string[]> {
    const user = await this.users.get(userId);
    if (!user) throw new NotFound('No such user');
    const all = await this.stats.stats(userId, { tz: user.timeZone });
    return all.years.filter((y) => y.plays > 0 || y.hours > 0).map((y) => y.year).reverse();
  }

  async list(userId: string): Promise<ShareLink[]> {
    return (await this.repo.list(userId)).map((s) => ({ ...s, url: this.url(s.slug) }));
  }

  /** One link per year: asking again for a year already shared returns that link (`created` false). */
  async create(userId: string, year: string): Promise<{ link: ShareLink; created: boolean }> {
    const years = await this.years(userId);
    if (!years.includes(year)) {
      throw new BadRequest(
        years.length ? `year must be one you have listening history for: ${years.join(', ')}.` : 'Import your listening history first: there is no year to share yet.',
        'invalid_year',
      );
    }
    const existing = (await this.repo.list(userId)).find((s) => s.year === year);
    if (existing) return { link: { ...existing, url: this.url(existing.slug) }, created: false };
    const share: Share = { slug: crypto.randomBytes(16).toString('base64url'), year, created_at: new Date().toISOString() };
    await this.repo.create(userId, share);
    return { link: { ...share, url: this.url(share.slug) }, created: true };
  }

  async revoke(userId: string, slug: string): Promise<void> {
    if (!SLUG_PATTERN.test(slug) || !(await this.repo.revoke(userId, slug))) throw new NotFound('You have no share link with that id.', 'share_not_found');
  }

  /** Removes every link of a user (account deletion). */
  deleteAllForUser(userId: string): Promise<number> {
    return this.repo.deleteAllForUser(userId);
  }

  /** The public summary behind a slug; NotFound for an unknown or revoked one. */
  async summary(slug: string): Promise<ShareSummary> {
    const gone = () => new NotFound('This share link does not exist or has been revoked.', 'share_not_found');
    if (!SLUG_PATTERN.test(slug)) throw gone();
    const share = await this.repo.find(slug);
    if (!share) throw gone();
    const user = await this.users.get(share.userId);
    if (!user) throw gone();
    // The same numbers as /api/me/history/stats for the year, in the owner's time zone (which is not shown).
    const s = await this.stats.stats(share.userId, { from: `${share.year}-01-01`, to: `${share.year}-12-31`, tz: user.timeZone });
    const month = [...s.per_month].sort((a, b) => b.ms - a.ms || a.month.localeCompare(b.month))[0];
    // Spotify falls back to the account id when a profile has no display name: never show that.
    const name = user.displayName.trim();
    return {
      slug,
      year: share.year,
      display_name: name && name !== user.id ? name : 'A listener',
      hours: s.hours,
      plays: s.plays,
      distinct_artists: s.distinct.artists,
      top_artists: s.top_artists.slice(0, 5).map((a) => ({ name: a.name, hours: hours(a.ms_played), plays: a.plays })),
      top_tracks: s.top_tracks.slice(0, 5).map((t) => ({ name: t.name, artist: t.artist ?? '', hours: hours(t.ms_played), plays: t.plays })),
      longest_streak: s.longest_streak,
      top_month: month && month.ms > 0 ? { month: month.month, name: MONTHS[Number(month.month.slice(5, 7)) - 1], hours: hours(month.ms) } : null,
    };
  }

  /** The Open Graph card as PNG, cached by slug and by what it shows (so a new import redraws it). */
  async ogImage(slug: string): Promise<{ png: Buffer; etag: string }> {
    const summary = await this.summary(slug);
    const etag = crypto.createHash('sha256').update(JSON.stringify(summary)).digest('base64url').slice(0, 27);
    const key = `${slug}:${etag}`;
    let png = this.images.get(key);
    if (!png) {
      png = await ogPng(ogSvg(summary));
      this.images.set(key, png, png.length);
    }
    return { png, etag };
  }
}
