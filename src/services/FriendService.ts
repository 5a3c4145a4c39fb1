import crypto from 'node:crypto';
import { AppError, BadRequest, NotFound } from '../errors';
import type { Columns } from '../history/columns';
import type { HistoryStatsService } from '../history/HistoryStatsService';
import type { PeriodInput, PersonalService } from '../history/PersonalService';
import type { ResolvedPeriod } from '../history/period';
import type { TasteService } from '../history/TasteService';
import type { FriendRepository, Invite } from '../store/FriendRepository';
import type { User } from '../store/UserRepository';
import { blendTracks, discoveredFirst, type BlendTrack, type DiscoveredFirst, type PlayedItem } from './friendTaste';
import { SIMILARITY_METHOD, similarity, type FeatureMeans, type SimilarityScore } from './similarity';

/** How long an invitation link works. */
export const INVITE_DAYS = 7;
/** Open invitations a person may have at once (each is also rate-limited per hour, see rateLimits.ts). */
export const MAX_OPEN_INVITES = 10;
/** How many top artists and tracks of each side are compared. */
const TOP_COMPARED = 200;
/** Each side's most played tracks the blend (and the page's "tracks you both love") is drawn from. */
const BLEND_POOL = 500;
/** What every invalid, expired, used or revoked link answers, so a link reveals nothing but that. */
const INVALID_INVITE = 'This invitation is not valid: it may have expired, been used or been revoked. Ask for a new link.';
/** What a request about someone who is not (or no longer) a friend answers: the same as for no one at all. */
const NOT_A_FRIEND = 'No friend with this id.';

export interface FriendSummary {
  id: string;
  display_name: string;
  image: string | null;
  since: string;
}

export interface SharedArtist {
  key: string;
  name: string;
  you: { plays: number; ms_played: number; rank: number };
  friend: { plays: number; ms_played: number; rank: number };
}

export interface FriendComparison {
  you: { id: string; display_name: string };
  friend: FriendSummary;
  period: ResolvedPeriod;
  /** Listening time side by side, per month of the period, and in total. */
  listening: {
    months: { month: string; you_ms: number; friend_ms: number }[];
    you: { ms_played: number; plays: number };
    friend: { ms_played: number; plays: number };
  };
  /** Artists in both top 200s of the period, ranked by the smaller of the two shares. */
  shared_artists: SharedArtist[];
  /** Tracks both played in the period, ranked by the smaller of the two shares (the blend's order). */
  shared_tracks: BlendTrack[];
  /** The dashboard's similarity score over the period's audio features, with its formula. */
  similarity: SimilarityScore & { method: string; you: Partial<FeatureMeans>; friend: Partial<FeatureMeans>; note: string | null };
  /** For each shared artist: whose first play (in each whole imported history) came first. */
  discovered_first: (DiscoveredFirst & { name: string })[];
}

type Deps = {
  repo: FriendRepository;
  users: { get(id: string): Promise<User | null> };
  personal: Pick<PersonalService, 'tops' | 'topTracks' | 'period'>;
  stats: Pick<HistoryStatsService, 'stats' | 'columns'>;
  taste: Pick<TasteService, 'taste'>;
  publicUrl: string;
  now?: () => number;
};

const hashOf = (token: string) => crypto.createHash('sha256').update(token).digest('hex');
const trackKey = (name: string, artist: string) => `${name.toLowerCase()}\u0000${artist.toLowerCase()}`;
/** A track is the same for two people when its name and artist are (ids differ between markets and exports). */
const playedTracks = (tracks: { id: string | null; name: string; artist: string; plays: number }[]): PlayedItem[] =>
  tracks.map((t) => ({ key: trackKey(t.name, t.artist), id: t.id, name: t.name, artist: t.artist, plays: t.plays }));

/**
 * Friends on one instance: invitations by link, friendships both people agreed to (the inviter by
 * making the link, the invitee by accepting it), and the comparison page. Every method about a
 * friend checks the friendship first, on every call, and answers 404 when there is none: a person
 * who is not a friend cannot tell an ended friendship from an account that never existed.
 */
export class FriendService {
  constructor(private readonly d: Deps) {}

  private now(): number {
    return this.d.now?.() ?? Date.now();
  }

  inviteUrl(token: string): string {
    return `${this.d.publicUrl}/friends/invite/${token}`;
  }

  /** A new invitation link; the token is shown once and only its hash is stored. */
  async createInvite(userId: string): Promise<{ url: string; id: string; expires_at: string }> {
    const open = (await this.d.repo.listInvites(userId)).filter((i) => Date.parse(i.expires_at) > this.now());
    if (open.length >= MAX_OPEN_INVITES) {
      throw new AppError(409, 'too_many_invites', `You have ${open.length} open invitations; revoke one (or wait until one expires) before making another.`);
    }
    const token = crypto.randomBytes(32).toString('base64url');
    const created = new Date(this.now());
    const invite: Invite = { hash: hashOf(token), created_at: created.toISOString(), expires_at: new Date(created.getTime() + INVITE_DAYS * 86_400_000).toISOString() };
    await this.d.repo.createInvite(userId, invite);
    return { url: this.inviteUrl(token), id: invite.hash.slice(0, 16), expires_at: invite.expires_at };
  }

  /** The person's open invitations (id: the first 16 hex digits of the hash, enough to revoke it). */
  async invites(userId: string): Promise<{ id: string; created_at: string; expires_at: string }[]> {
    return (await this.d.repo.listInvites(userId))
      .filter((i) => Date.parse(i.expires_at) > this.now())
      .map((i) => ({ id: i.hash.slice(0, 16), created_at: i.created_at, expires_at: i.expires_at }));
  }

  async revokeInvite(userId: string, id: string): Promise<void> {
    const invite = (await this.d.repo.listInvites(userId)).find((i) => i.hash.slice(0, 16) === id);
    if (!invite) throw new NotFound('No open invitation with this id.', 'invite_not_found');
    await this.d.repo.deleteInvite(userId, invite.hash);
  }

  /** What the confirmation page shows about a valid link: only the inviter's display name. */
  async invitation(token: string, viewerId: string): Promise<{ inviter: { display_name: string }; own: boolean; already_friends: boolean }> {
    const { invite, inviter } = await this.validInvite(token);
    const already = invite.inviter !== viewerId && (await this.d.repo.friendship(viewerId, invite.inviter)) !== null;
    return { inviter: { display_name: inviter.displayName }, own: invite.inviter === viewerId, already_friends: already };
  }

  /** Accepts a link: both people are friends from now on; the link is used up. */
  async accept(token: string, viewerId: string): Promise<{ friend_id: string }> {
    const { hash, invite } = await this.validInvite(token);
    if (invite.inviter === viewerId) throw new BadRequest('This is your own invitation: send the link to the person you want to compare with.', 'own_invite');
    if (await this.d.repo.friendship(viewerId, invite.inviter)) {
      await this.d.repo.consumeInvite(invite.inviter, hash);
      return { friend_id: invite.inviter };
    }
    if (!(await this.d.repo.consumeInvite(invite.inviter, hash))) throw new NotFound(INVALID_INVITE, 'invite_not_valid');
    await this.d.repo.addFriendship(invite.inviter, viewerId, new Date(this.now()).toISOString());
    return { friend_id: invite.inviter };
  }

  async friends(userId: string): Promise<FriendSummary[]> {
    const list = await this.d.repo.friends(userId);
    const out: FriendSummary[] = [];
    for (const f of list) {
      const user = await this.d.users.get(f.friend_id);
      if (user) out.push({ id: user.id, display_name: user.displayName, image: user.imageUrl, since: f.since });
    }
    return out;
  }

  /** The friend, if `friendId` is one of the person's friends right now; a 404 otherwise. */
  async friend(userId: string, friendId: string): Promise<FriendSummary> {
    const f = friendId === userId ? null : await this.d.repo.friendship(userId, friendId);
    const user = f ? await this.d.users.get(friendId) : null;
    if (!f || !user) throw new NotFound(NOT_A_FRIEND, 'friend_not_found');
    return { id: user.id, display_name: user.displayName, image: user.imageUrl, since: f.since };
  }

  /** Ends a friendship, for both; a 404 when there is none. */
  async end(userId: string, friendId: string): Promise<void> {
    await this.friend(userId, friendId);
    await this.d.repo.endFriendship(userId, friendId);
  }

  async comparison(userId: string, friendId: string, q: PeriodInput): Promise<FriendComparison> {
    const friend = await this.friend(userId, friendId);
    const me = await this.d.users.get(userId);
    // The viewer's period, as dates; the friend's side covers the same dates (each in their own zone).
    const { period } = await this.d.personal.period(userId, q);
    const same: PeriodInput = period.from || period.to ? { from: period.from ?? undefined, to: period.to ?? undefined } : { period: 'all' };
    const range = { from: period.from ?? undefined, to: period.to ?? undefined };
    const [myTops, theirTops, myTracks, theirTracks, myStats, theirStats, myCols, theirCols, myTaste, theirTaste] = await Promise.all([
      this.d.personal.tops(userId, q, TOP_COMPARED),
      this.d.personal.tops(friendId, same, TOP_COMPARED),
      this.d.personal.topTracks(userId, q, { by: 'plays', limit: BLEND_POOL }),
      this.d.personal.topTracks(friendId, same, { by: 'plays', limit: BLEND_POOL }),
      this.d.stats.stats(userId, range),
      this.d.stats.stats(friendId, range),
      this.d.stats.columns(userId),
      this.d.stats.columns(friendId),
      this.d.taste.taste(userId, range),
      this.d.taste.taste(friendId, range),
    ]);

    const months = new Map<string, { you_ms: number; friend_ms: number }>();
    for (const m of myStats.per_month) months.set(m.month, { you_ms: m.ms, friend_ms: 0 });
    for (const m of theirStats.per_month) months.set(m.month, { you_ms: months.get(m.month)?.you_ms ?? 0, friend_ms: m.ms });

    const theirArtists = new Map(theirTops.artists.map((a) => [a.key, a]));
    const myTotal = myTops.artists.reduce((s, a) => s + a.ms_played, 0) || 1;
    const theirTotal = theirTops.artists.reduce((s, a) => s + a.ms_played, 0) || 1;
    const sharedArtists = myTops.artists
      .filter((a) => theirArtists.has(a.key))
      .map((a) => {
        const b = theirArtists.get(a.key)!;
        return { key: a.key, name: a.name, you: { plays: a.plays, ms_played: a.ms_played, rank: a.rank }, friend: { plays: b.plays, ms_played: b.ms_played, rank: b.rank }, score: Math.min(a.ms_played / myTotal, b.ms_played / theirTotal) };
      })
      .sort((x, y) => y.score - x.score || x.name.localeCompare(y.name))
      .slice(0, 20)
      .map(({ score: _score, ...rest }) => rest);

    // The same tracks, in the same order, as the blend playlist would take.
    const sharedTracks = blendTracks(playedTracks(myTracks.tracks), playedTracks(theirTracks.tracks), 20);

    // Who found them first: the shared artists' first plays in each whole imported history.
    const names = new Map(sharedArtists.map((a) => [a.name.toLowerCase(), a.name]));
    const firsts = (cols: Columns) => [...firstPlays(cols, names)].map(([artist, ts]) => ({ artist, first: new Date(ts).toISOString() }));
    const discovered = discoveredFirst(firsts(myCols), firsts(theirCols)).map((d) => ({ ...d, name: names.get(d.artist) ?? d.artist }));

    const means = (t: typeof myTaste): Partial<FeatureMeans> => {
      const out: Partial<FeatureMeans> = {};
      for (const f of ['energy', 'valence', 'danceability', 'tempo'] as const) {
        let w = 0;
        let sum = 0;
        for (const p of t.periods) {
          const v = p[f];
          if (typeof v === 'number' && p.features_ms > 0) {
            sum += v * p.features_ms;
            w += p.features_ms;
          }
        }
        if (w > 0) out[f] = sum / w;
      }
      return out;
    };
    const mine = means(myTaste);
    const theirs = means(theirTaste);
    const score = similarity(mine, theirs);
    const pending = myTaste.enrichment.status === 'running' || theirTaste.enrichment.status === 'running';
    const note = score.score === null
      ? 'Audio features are not known for enough of your tracks yet to compare your taste.'
      : pending ? 'Audio features are still being looked up; the score may change a little.' : null;

    return {
      you: { id: userId, display_name: me?.displayName ?? userId },
      friend,
      period,
      listening: {
        months: [...months].sort((a, b) => a[0].localeCompare(b[0])).map(([month, v]) => ({ month, ...v })),
        you: { ms_played: myStats.ms_played, plays: myStats.plays },
        friend: { ms_played: theirStats.ms_played, plays: theirStats.plays },
      },
      shared_artists: sharedArtists,
      shared_tracks: sharedTracks,
      similarity: { ...score, method: `Over energy, valence, danceability and tempo of the period's listening (weighted by listening time). ${SIMILARITY_METHOD}`, you: mine, friend: theirs, note },
      discovered_first: discovered,
    };
  }

  /** The blend playlist's tracks: both people's most played tracks of the period, in the order both love them. */
  async blend(userId: string, friendId: string, q: PeriodInput, n: number): Promise<{ friend: FriendSummary; period: ResolvedPeriod; tracks: BlendTrack[] }> {
    const friend = await this.friend(userId, friendId);
    const { period } = await this.d.personal.period(userId, q);
    const same: PeriodInput = period.from || period.to ? { from: period.from ?? undefined, to: period.to ?? undefined } : { period: 'all' };
    const [mine, theirs] = await Promise.all([
      this.d.personal.topTracks(userId, q, { by: 'plays', limit: BLEND_POOL }),
      this.d.personal.topTracks(friendId, same, { by: 'plays', limit: BLEND_POOL }),
    ]);
    return { friend, period, tracks: blendTracks(playedTracks(mine.tracks), playedTracks(theirs.tracks), n) };
  }

  private async validInvite(token: string): Promise<{ hash: string; invite: { inviter: string; expires_at: string }; inviter: User }> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw new NotFound(INVALID_INVITE, 'invite_not_valid');
    const hash = hashOf(token);
    const invite = await this.d.repo.findInvite(hash);
    if (!invite || Date.parse(invite.expires_at) <= this.now()) throw new NotFound(INVALID_INVITE, 'invite_not_valid');
    const inviter = await this.d.users.get(invite.inviter);
    if (!inviter) throw new NotFound(INVALID_INVITE, 'invite_not_valid');
    return { hash, invite, inviter };
  }
}

/** The first play of each artist named in `wanted` (lower-case name → shown name), music only. */
function firstPlays(cols: Columns, wanted: Map<string, string>): Map<string, number> {
  const byIdx = new Map<number, string>();
  cols.artists.forEach((name, i) => {
    const key = name.toLowerCase();
    if (wanted.has(key)) byIdx.set(i, key);
  });
  const out = new Map<string, number>();
  for (let i = 0; i < cols.n; i++) {
    const e = cols.entries[cols.entry[i]];
    if (e.kind !== 0) continue;
    const key = byIdx.get(e.artistIdx);
    if (key === undefined) continue;
    const seen = out.get(key);
    if (seen === undefined || cols.ts[i] < seen) out.set(key, cols.ts[i]);
  }
  return out;
}
