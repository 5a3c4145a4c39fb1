import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { AppError, BadRequest, ConsentRequired, UpstreamError, UpstreamForbidden, UpstreamUncertain } from '../errors';
import { normaliseName } from '../history/personalKeys';
import type { SpotifyClient } from '../spotify/SpotifyClient';
import type { UserTokens } from '../spotify/UserTokenSource';
import type { PlaylistRepository, PlaylistResult } from '../store/PlaylistRepository';
import type { TokenSource } from '../upstream/UpstreamHttp';
import { Limiter } from '../util/Limiter';
import { sleep } from '../util/sleep';
import type { CommonPlaylistParams, PlaylistSources, PlaylistTrack } from './PlaylistSources';

/** The scope a private playlist needs; asked for only when someone first makes one (incremental consent). */
export const PLAYLIST_SCOPE = 'playlist-modify-private';
/** Spotify takes at most 100 URIs per add request. */
export const ITEMS_PER_REQUEST = 100;
/** Development Mode's search limit, and enough to find an exact name among the first hits. */
const SEARCH_LIMIT = 10;
const NAME_MAX = 100;
const DESCRIPTION_MAX = 300;
/** A chunk whose answer was unclear is looked up and re-sent at most this often. */
const CHUNK_ATTEMPTS = 3;

export interface PlaylistDeps {
  sources: PlaylistSources;
  spotify: SpotifyClient;
  userTokens: UserTokens;
  /** The granted scope of a user's stored Spotify token ('' when none is stored). */
  grantedScope: (userId: string) => Promise<string>;
  repo: PlaylistRepository;
  /** Where a browser goes to grant a scope (routes/auth.ts: /auth/spotify/consent). */
  consentUrl: (scope: string) => string;
  logger?: Logger;
}

const hasScope = (granted: string, scope: string) => granted.split(/\s+/).includes(scope);

/**
 * Makes a private Spotify playlist from a source's selection (PlaylistSources): checks the
 * playlist scope was granted (else ConsentRequired), finds tracks without a Spotify id by an exact
 * search, creates the playlist once (never re-sent after an unclear answer), adds the tracks 100 at
 * a time at explicit positions, and records what happened for the result page.
 */
export class PlaylistService {
  constructor(private readonly d: PlaylistDeps) {}

  hasSource(name: string): boolean {
    return this.d.sources.get(name) !== undefined;
  }

  sourceNames(): string[] {
    return this.d.sources.names();
  }

  /** Whether the user's stored token can create private playlists. */
  async canCreate(userId: string): Promise<boolean> {
    return hasScope(await this.d.grantedScope(userId), PLAYLIST_SCOPE);
  }

  /**
   * Validates the request by building its selection, then (with the scope granted) makes the
   * playlist. A bad request is a 400 before anyone is sent through consent.
   */
  async create(userId: string, source: string, params: CommonPlaylistParams & Record<string, unknown>): Promise<PlaylistResult> {
    const pick = this.d.sources.get(source);
    if (!pick) throw new BadRequest(`Unknown playlist source ${JSON.stringify(source.slice(0, 40))}: one of ${this.sourceNames().join(', ')}.`, 'unknown_source');
    const selection = await pick(userId, params);
    const tracks = selection.tracks.slice(0, params.n);
    if (tracks.length === 0) throw new BadRequest(`Nothing to put in a playlist: no tracks match (${selection.title}).`, 'empty_selection');
    if (!(await this.canCreate(userId))) throw new ConsentRequired(PLAYLIST_SCOPE, this.d.consentUrl(PLAYLIST_SCOPE));

    const auth = this.d.userTokens.forUser(userId);
    const { found, matched, skipped } = await this.resolve(tracks, auth);
    if (found.length === 0) {
      throw new BadRequest(`None of the ${tracks.length} tracks could be found on Spotify by name, so no playlist was made.`, 'nothing_found');
    }

    const name = clip(selection.title, NAME_MAX);
    const description = clip(selection.description, DESCRIPTION_MAX);
    let created: SpotifyApi.CreatePlaylistResponse;
    try {
      created = await this.d.spotify.createPlaylist({ name, description, public: false }, auth);
    } catch (err) {
      throw this.translate(err, 'create');
    }

    const result: PlaylistResult = {
      id: crypto.randomBytes(9).toString('base64url'),
      created_at: new Date().toISOString(),
      source,
      playlist: { id: created.id, name: created.name ?? name, description, url: webUrl(created.external_urls?.spotify), uri: created.uri },
      selected: tracks.length,
      added: 0,
      matched,
      skipped: skipped.length,
      skipped_tracks: skipped.map((t) => ({ name: clip(t.name, 200), artist: clip(t.artist, 200) })),
      tracks: found.map((t) => ({ id: t.id, name: clip(t.name, 200), artist: clip(t.artist, 200) })),
      complete: true,
      error: null,
    };
    try {
      for (let position = 0; position < found.length; position += ITEMS_PER_REQUEST) {
        const chunk = found.slice(position, position + ITEMS_PER_REQUEST).map((t) => `spotify:track:${t.id}`);
        await this.addChunk(created.id, chunk, position, auth);
        result.added = position + chunk.length;
      }
    } catch (err) {
      // The playlist exists: say how far it got rather than pretend nothing happened.
      const e = this.translate(err, 'add');
      this.d.logger?.warn({ err, playlist: created.id, added: result.added }, 'adding tracks to a new playlist failed');
      result.complete = false;
      result.error = `${e.message} The playlist was created with ${result.added} of ${found.length} tracks.`;
    }
    await this.d.repo.put(userId, result);
    return result;
  }

  result(userId: string, id: string): Promise<PlaylistResult | null> {
    return this.d.repo.get(userId, id);
  }

  /**
   * Adds one chunk at its position. When Spotify's answer is unclear (5xx, timeout) the playlist's
   * length tells whether the chunk landed: `position` items → send again; `position + chunk` → done;
   * anything else → stop, so no track is ever added twice.
   */
  private async addChunk(playlistId: string, uris: string[], position: number, auth: TokenSource): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.d.spotify.addPlaylistItems(playlistId, uris, position, auth);
        return;
      } catch (err) {
        if (!(err instanceof UpstreamUncertain) || attempt >= CHUNK_ATTEMPTS) throw err;
        const length = await this.d.spotify.playlistLength(playlistId, auth);
        if (length === position + uris.length) return;
        if (length !== position) {
          throw new UpstreamError(`The playlist holds ${length} tracks where ${position} or ${position + uris.length} were expected; stopped adding so that nothing is doubled.`);
        }
        await sleep(200 * 2 ** attempt * Math.random());
      }
    }
  }

  /**
   * Tracks with a Spotify id are kept as they are; the others are searched for by exact track and
   * artist name (`track:"…" artist:"…"`) and skipped when no hit has both names. Duplicates go.
   */
  private async resolve(tracks: PlaylistTrack[], auth: TokenSource) {
    const limiter = new Limiter(4);
    const ids = await limiter.map(tracks, async (t) => (t.id ? t.id : this.search(t, auth)));
    const found: Array<PlaylistTrack & { id: string }> = [];
    const skipped: PlaylistTrack[] = [];
    const seen = new Set<string>();
    let matched = 0;
    tracks.forEach((t, i) => {
      const id = ids[i];
      if (!id) return void skipped.push(t);
      if (!t.id) matched++;
      if (seen.has(id)) return;
      seen.add(id);
      found.push({ ...t, id });
    });
    return { found, matched, skipped };
  }

  private async search(t: PlaylistTrack, auth: TokenSource): Promise<string | null> {
    const quoted = (s: string) => s.replace(/"/g, ' ').replace(/\s+/g, ' ').trim();
    if (!quoted(t.name) || !quoted(t.artist)) return null;
    const res = await this.d.spotify.searchTracks(`track:"${quoted(t.name)}" artist:"${quoted(t.artist)}"`, SEARCH_LIMIT, auth);
    const name = normaliseName(t.name);
    const artist = normaliseName(t.artist);
    const hit = (res.tracks?.items ?? []).find((h) => h && normaliseName(h.name) === name && (h.artists ?? []).some((a) => normaliseName(a.name) === artist));
    return hit?.id ?? null;
  }

  /** Spotify's errors as the person should read them. */
  private translate(err: unknown, step: 'create' | 'add'): Error {
    if (err instanceof UpstreamForbidden && /insufficient client scope/i.test(err.message)) {
      return new ConsentRequired(PLAYLIST_SCOPE, this.d.consentUrl(PLAYLIST_SCOPE));
    }
    if (err instanceof UpstreamUncertain && step === 'create') {
      return new UpstreamError('Spotify did not answer clearly whether the playlist was created. Look in your Spotify library before trying again, so you do not get it twice.', err.upstreamStatus, 'playlist_uncertain');
    }
    if (err instanceof AppError) return err;
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** Only an http(s) link is shown as one (the page links to it). */
function webUrl(u: unknown): string | null {
  return typeof u === 'string' && /^https?:\/\//i.test(u) ? u : null;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
