/**
 * Playlists in the sandbox, as Spotify answers them (SPOTIFY.md "Playlists"):
 *   POST /v1/me/playlists                 {name, public, collaborative, description} → 201 full playlist
 *   POST /v1/users/{user_id}/playlists    the deprecated form of the same (the token's own user only)
 *   GET  /v1/playlists/{id}               the owner's playlist (404 for anyone else's private one)
 *   GET  /v1/playlists/{id}/items         paging of playlist track objects
 *   POST /v1/playlists/{id}/items         {uris, position?} → 201 {snapshot_id}; at most 100 URIs
 *   .../tracks                            the pre-2026 paths: Extended Quota only (403 in Development Mode)
 * Creating or changing a private playlist needs `playlist-modify-private` (403 "Insufficient client
 * scope" otherwise, as Spotify answers). Created playlists live in the sandbox's state; a demo user
 * sees them on /sandbox/playlists (HTML) and tests read /_sandbox/playlists (JSON).
 */
import express, { type Request, type Response, type Router } from 'express';
import { findListener } from './listeners';
import { type RenderContext, apiUrl, fullTrack } from './objects';
import { BASE62_ID, base62Id } from './random';
import { type AccessToken, ApiError, type SandboxState, escapeHtml } from './state';

export const MAX_ITEMS_PER_REQUEST = 100;
/** Spotify's documented ceiling of items in one playlist. */
const MAX_PLAYLIST_ITEMS = 10_000;
const TRACK_URI = /^spotify:track:([0-9A-Za-z]{22})$/;

export interface SandboxPlaylist {
  id: string;
  ownerId: string;
  name: string;
  description: string;
  public: boolean;
  collaborative: boolean;
  /** Bumped on every change; the snapshot_id is derived from it. */
  version: number;
  items: Array<{ trackId: string; addedAt: string }>;
  createdAt: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);

const snapshotId = (p: SandboxPlaylist) => Buffer.from(`${p.version},${p.id}`).toString('base64url');

/** The page a demo user opens to see a playlist (the playlist's `external_urls.spotify` in the sandbox). */
export const sandboxPlaylistPage = (origin: string, id: string) => `${origin}/sandbox/playlists/${id}`;

function owner(ctx: RenderContext, listenerId: string) {
  const l = findListener(listenerId)!;
  return {
    display_name: l.displayName, external_urls: { spotify: `https://open.spotify.com/user/${encodeURIComponent(l.id)}` },
    href: apiUrl(ctx, `/users/${encodeURIComponent(l.id)}`), id: l.id, type: 'user', uri: `spotify:user:${l.id}`,
  };
}

function itemsPage(ctx: RenderContext, p: SandboxPlaylist, offset: number, limit: number) {
  const items = p.items.slice(offset, offset + limit).map((it) => {
    const track = fullTrack(ctx, ctx.catalog.tracks.get(it.trackId)!);
    // Feb 2026: `track` became `item`; Extended Quota apps still get the old field as well.
    return { added_at: it.addedAt, added_by: owner(ctx, p.ownerId), is_local: false, item: track, ...(ctx.profile === 'development' ? {} : { track }) };
  });
  const url = (o: number) => `${apiUrl(ctx, `/playlists/${p.id}/items`)}?offset=${o}&limit=${limit}`;
  return {
    href: url(offset), items, limit, offset, total: p.items.length,
    next: offset + limit < p.items.length ? url(offset + limit) : null,
    previous: offset > 0 ? url(Math.max(0, offset - limit)) : null,
  };
}

function fullPlaylist(ctx: RenderContext, p: SandboxPlaylist) {
  const page = itemsPage(ctx, p, 0, 100);
  return {
    collaborative: p.collaborative, description: p.description,
    external_urls: { spotify: sandboxPlaylistPage(ctx.origin, p.id) },
    followers: { href: null, total: 0 },
    href: apiUrl(ctx, `/playlists/${p.id}`), id: p.id, images: [], name: p.name, owner: owner(ctx, p.ownerId),
    public: p.public, snapshot_id: snapshotId(p), type: 'playlist', uri: `spotify:playlist:${p.id}`,
    // Feb 2026: the paging object moved from `tracks` to `items` (Development Mode gets only the new one).
    items: page, ...(ctx.profile === 'development' ? {} : { tracks: page }),
  };
}

/**
 * Adds the playlist endpoints to the Web API router (before its 404). `userOf` resolves the
 * token's listener and checks a scope; `ctxOf` renders objects for the request's profile.
 */
export function addPlaylistRoutes(
  router: Router,
  state: SandboxState,
  h: { userOf: (res: Response, scope?: string) => { id: string }; ctxOf: (req: Request) => RenderContext; tokenOf: (res: Response) => AccessToken },
): void {
  // Spotify answers a body that is not JSON with 400 "Error parsing JSON.".
  const body = express.json({ limit: '1mb', strict: false });
  const parsed = (req: Request) => {
    const b = req.body as unknown;
    if (b === undefined || b === null || typeof b !== 'object' || Array.isArray(b)) throw new ApiError(400, 'Error parsing JSON.');
    return b as Record<string, unknown>;
  };
  const dev = () => state.opts.profile === 'development';

  /** A private playlist needs playlist-modify-private, a public one playlist-modify-public. */
  const modifier = (res: Response, isPublic: boolean) => h.userOf(res, isPublic ? 'playlist-modify-public' : 'playlist-modify-private');

  const create = (req: Request, res: Response, listenerId: string) => {
    const b = parsed(req);
    if (typeof b.name !== 'string' || b.name.trim() === '') throw new ApiError(400, 'Missing required field: name');
    if (b.name.length > 200) throw new ApiError(400, 'Playlist name too long');
    if (b.description !== undefined && typeof b.description !== 'string') throw new ApiError(400, 'Invalid description');
    const isPublic = b.public === undefined ? true : b.public === true;
    const collaborative = b.collaborative === true;
    if (collaborative && isPublic) throw new ApiError(400, 'Collaborative playlists can only be private.');
    const now = new Date().toISOString();
    const id = base62Id(`playlist:${listenerId}:${state.playlists.size}:${now}:${Math.random()}`);
    const p: SandboxPlaylist = {
      id, ownerId: listenerId, name: b.name, description: ((b.description as string | undefined) ?? '').slice(0, 300), public: isPublic, collaborative,
      version: 1, items: [], createdAt: now,
    };
    state.playlists.set(id, p);
    res.status(201).json(fullPlaylist(h.ctxOf(req), p));
  };

  router.post('/me/playlists', body, (req, res) => {
    const b = parsed(req);
    const listener = modifier(res, b.public === undefined ? true : b.public === true);
    create(req, res, listener.id);
  });

  router.post('/users/:userId/playlists', body, (req, res) => {
    const b = parsed(req);
    const listener = modifier(res, b.public === undefined ? true : b.public === true);
    if (req.params.userId !== listener.id) throw new ApiError(403, 'You cannot create a playlist for another user.');
    create(req, res, listener.id);
  });

  /** The playlist a request names, if the token's user may see it (someone else's private one is a 404, as on Spotify). */
  const playlistOf = (req: Request, res: Response): SandboxPlaylist => {
    const id = String(req.params.id);
    if (!BASE62_ID.test(id)) throw new ApiError(400, 'Invalid base62 id');
    const listener = h.userOf(res);
    const p = state.playlists.get(id);
    if (!p || (!p.public && p.ownerId !== listener.id)) throw new ApiError(404, 'Resource not found');
    return p;
  };

  router.get('/playlists/:id', (req, res) => {
    res.json(fullPlaylist(h.ctxOf(req), playlistOf(req, res)));
  });

  const paths = ['items', 'tracks'] as const;
  for (const kind of paths) {
    const removed = () => {
      if (kind === 'tracks' && dev()) throw new ApiError(403, 'This endpoint is not available for apps in Development Mode');
    };
    router.get(`/playlists/:id/${kind}`, (req, res) => {
      removed();
      const p = playlistOf(req, res);
      const limit = intOr(str(req.query.limit), 100, 1, 100, 'Invalid limit');
      const offset = intOr(str(req.query.offset), 0, 0, Number.MAX_SAFE_INTEGER, 'Invalid offset');
      res.json(itemsPage(h.ctxOf(req), p, offset, limit));
    });

    router.post(`/playlists/:id/${kind}`, body, (req, res) => {
      removed();
      const p = playlistOf(req, res);
      modifier(res, p.public);
      if (p.ownerId !== h.tokenOf(res).listenerId && !p.collaborative) throw new ApiError(403, 'You cannot add tracks to a playlist you don\'t own.');
      const b = parsed(req);
      // As on Spotify: a `uris` query parameter wins over the body's.
      const fromQuery = str(req.query.uris);
      const uris = fromQuery !== undefined ? fromQuery.split(',').map((s) => s.trim()) : b.uris;
      if (!Array.isArray(uris) || uris.length === 0) throw new ApiError(400, 'No uris provided');
      if (uris.length > MAX_ITEMS_PER_REQUEST) throw new ApiError(400, 'You can add a maximum of 100 tracks per request.');
      const ids = uris.map((u) => {
        const m = typeof u === 'string' ? TRACK_URI.exec(u) : null;
        if (!m) throw new ApiError(400, `Invalid track uri: ${String(u).slice(0, 80)}`);
        if (!h.ctxOf(req).catalog.tracks.has(m[1])) throw new ApiError(400, `Invalid track uri: ${String(u).slice(0, 80)}`);
        return m[1];
      });
      const rawPosition = str(req.query.position) ?? b.position;
      let position = p.items.length;
      if (rawPosition !== undefined) {
        const n = Number(rawPosition);
        if (!Number.isInteger(n) || n < 0 || n > p.items.length) throw new ApiError(400, 'Index out of bounds');
        position = n;
      }
      if (p.items.length + ids.length > MAX_PLAYLIST_ITEMS) throw new ApiError(400, 'Playlist size limit reached');
      const addedAt = new Date().toISOString();
      p.items.splice(position, 0, ...ids.map((trackId) => ({ trackId, addedAt })));
      p.version++;
      res.status(201).json({ snapshot_id: snapshotId(p) });
    });
  }
}

function intOr(raw: string | undefined, def: number, min: number, max: number, message: string): number {
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw)) throw new ApiError(400, message);
  const n = Number(raw);
  if (n < min || n > max) throw new ApiError(400, message);
  return n;
}

/** What a test or a demo user sees of the created playlists: every one, newest first, with its tracks. */
export function playlistSummaries(state: SandboxState) {
  return [...state.playlists.values()].reverse().map((p) => ({
    id: p.id, owner: p.ownerId, name: p.name, description: p.description, public: p.public, collaborative: p.collaborative,
    created_at: p.createdAt, snapshot_id: snapshotId(p),
    tracks: p.items.map((it) => {
      const t = state.catalog.tracks.get(it.trackId)!;
      return { id: t.id, name: t.name, artists: t.artistIds.map((a) => state.catalog.artists.get(a)?.name ?? '') };
    }),
  }));
}

const PAGE_STYLE = `body{font-family:system-ui,sans-serif;background:#121212;color:#eee;max-width:48rem;margin:2rem auto;padding:0 1rem;overflow-wrap:anywhere}
h1{color:#1db954} a{color:#1db954} ol{padding-left:1.6rem} li{margin:.25rem 0} .muted{color:#aaa} .card{background:#1e1e1e;border-radius:.6rem;padding:.6rem 1rem;margin:1rem 0}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head><body>${body}</body></html>`;
}

/** /sandbox/playlists and /sandbox/playlists/:id: the created playlists as a demo user would look them up in Spotify. */
export function createPlaylistPagesRouter(state: SandboxState): Router {
  const router = express.Router();
  const html = (res: Response) => {
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    return res.type('html');
  };
  const tracksOf = (s: ReturnType<typeof playlistSummaries>[number]) =>
    s.tracks.length
      ? `<ol class="playlist-tracks">${s.tracks.map((t) => `<li><strong>${escapeHtml(t.name)}</strong> <span class="muted">${escapeHtml(t.artists.join(', '))}</span></li>`).join('')}</ol>`
      : '<p class="muted">No tracks.</p>';
  const card = (s: ReturnType<typeof playlistSummaries>[number], link: boolean) =>
    `<section class="card playlist" id="playlist-${s.id}" data-id="${s.id}"><h2 class="playlist-name">${link ? `<a href="/sandbox/playlists/${s.id}">${escapeHtml(s.name)}</a>` : escapeHtml(s.name)}</h2>` +
    `<p class="playlist-description">${escapeHtml(s.description)}</p>` +
    `<p class="muted small">${s.public ? 'Public' : 'Private'} · by ${escapeHtml(findListener(s.owner)?.displayName ?? s.owner)} · <span class="playlist-count">${s.tracks.length}</span> tracks · created ${escapeHtml(s.created_at)}</p>` +
    tracksOf(s) + '</section>';

  router.get('/sandbox/playlists', (_req, res) => {
    const all = playlistSummaries(state);
    html(res).send(page('Sandbox Spotify — Playlists', `<h1>Sandbox Spotify — Playlists</h1>
<p>Playlists apps created in this sandbox, newest first. (On real Spotify they would appear in your library.)</p>
${all.length ? all.map((s) => card(s, true)).join('\n') : '<p id="no-playlists">No playlists yet.</p>'}`));
  });
  router.get('/sandbox/playlists/:id', (req, res) => {
    const s = playlistSummaries(state).find((p) => p.id === req.params.id);
    if (!s) {
      html(res).status(404).send(page('Sandbox Spotify — No such playlist', '<h1>No such playlist</h1><p><a href="/sandbox/playlists">All playlists</a></p>'));
      return;
    }
    html(res).send(page(`Sandbox Spotify — ${s.name}`, `<p><a href="/sandbox/playlists">All playlists</a></p>${card(s, false)}`));
  });
  return router;
}
