/**
 * The Web API stand-in, mounted at /v1. Limits follow SPOTIFY.md: batch gets ≤50 ids (albums ≤20,
 * audio-features ≤100), page limits 1–50 (development: search and artist albums 1–10, default 5),
 * search offset ≤1000, only the last 50 plays reachable. Development profile: batch gets,
 * top-tracks and audio-features answer 403 and removed fields are absent. The `market` parameter
 * is read only with quirks on (quirks.ts): it filters per-market copies and relinks tracks.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { VARIOUS_ARTISTS_ID, type CatalogAlbum, type CatalogArtist, type CatalogTrack } from './catalog';
import { type AccessToken, ApiError, type SandboxState } from './state';
import { authenticate } from './auth';
import { SHOWS, TIME_RANGES, type TimeRange, findListener, listenerTops, recentPlays } from './listeners';
import {
  type RenderContext, apiUrl, audioFeatures, fullAlbum, fullArtist, fullTrack, paging, playHistory, privateUser,
  simplifiedAlbum, simplifiedTrack,
} from './objects';
import { addPlaylistRoutes } from './playlists';
import { copyPlayableIn, quirkIndex } from './quirks';
import { BASE62_ID, base62Id } from './random';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);

function intParam(req: Request, name: string, def: number, min: number, max: number, message: string): number {
  const raw = str(req.query[name]);
  if (raw === undefined || raw === '') return def;
  if (!/^-?\d+$/.test(raw)) throw new ApiError(400, message);
  const n = Number(raw);
  if (n < min || n > max) throw new ApiError(400, message);
  return n;
}

const limitParam = (req: Request, def: number, max: number) => intParam(req, 'limit', def, 1, max, 'Invalid limit');
const offsetParam = (req: Request, max = Number.MAX_SAFE_INTEGER) => intParam(req, 'offset', 0, 0, max, 'Invalid offset');

function checkId(id: string): string {
  if (!BASE62_ID.test(id)) throw new ApiError(400, 'Invalid base62 id');
  return id;
}

function idsParam(req: Request, max: number): string[] {
  const raw = str(req.query.ids);
  if (raw === undefined || raw.trim() === '') throw new ApiError(400, 'Missing required parameter: ids');
  const ids = raw.split(',').map((s) => s.trim());
  if (ids.length > max) throw new ApiError(400, 'Too many ids requested');
  ids.forEach(checkId);
  return ids;
}

function notFound(): never {
  throw new ApiError(404, 'Resource not found');
}

const normalize = (s: string): string => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

interface SearchQuery { words: string[]; genre?: string; artist?: string; track?: string; album?: string; year?: [number, number] }

function parseSearch(q: string): SearchQuery {
  const out: SearchQuery = { words: [] };
  const rest = q.replace(/\b(genre|artist|track|album|year|tag):(?:"([^"]*)"|(\S+))/gi, (_m, key: string, quoted?: string, bare?: string) => {
    const value = normalize((quoted ?? bare ?? '').trim());
    const k = key.toLowerCase();
    if (k === 'year') {
      const m = /^(\d{4})(?:-(\d{4}))?$/.exec(value);
      if (m) out.year = [Number(m[1]), Number(m[2] ?? m[1])];
    } else if (k === 'genre' || k === 'artist' || k === 'track' || k === 'album') {
      out[k] = value;
    }
    return ' ';
  });
  out.words = normalize(rest).split(/\s+/).filter(Boolean);
  return out;
}

const normCache = new WeakMap<object, string>();
function norm(entity: CatalogArtist | CatalogTrack | CatalogAlbum): string {
  let v = normCache.get(entity);
  if (v === undefined) {
    v = normalize(entity.name);
    normCache.set(entity, v);
  }
  return v;
}

const GROUP_ORDER = { album: 0, single: 1, compilation: 2, appears_on: 3 } as const;
type Group = keyof typeof GROUP_ORDER;

export function createWebApiRouter(state: SandboxState): Router {
  const router = express.Router();
  // With quirks, lookups by id also find the per-market copies; listings and search still walk
  // the plain catalog (copies are reachable through /artists/{id}/albums and by id).
  const quirks = state.opts.quirks ? quirkIndex(state.catalog) : undefined;
  const catalog = quirks?.catalog ?? state.catalog;
  const dev = () => state.opts.profile === 'development';
  const tokenOf = (res: Response) => res.locals.token as AccessToken;
  /** The request's market, only read with quirks on (without them the sandbox ignores it, as it always did). */
  const marketOf = (req: Request): string | undefined => {
    const raw = str(req.query.market);
    if (raw === undefined || raw === '') return undefined;
    if (raw === 'from_token') {
      const token = req.res!.locals.token as AccessToken;
      // from_token names the user's country; an app token has none, and guessing would hide the bug.
      if (token.kind !== 'user' || !token.listenerId) throw new ApiError(400, 'Invalid market code');
      return findListener(token.listenerId)!.country;
    }
    if (!/^[A-Z]{2}$/.test(raw)) throw new ApiError(400, 'Invalid market code');
    return raw;
  };
  const ctxOf = (req: Request): RenderContext => ({
    origin: `${req.protocol}://${req.get('host')}`, profile: state.opts.profile, catalog,
    ...(quirks ? { quirks: { index: quirks, market: marketOf(req) } } : {}),
  });
  const removedInDevelopment = () => {
    if (dev()) throw new ApiError(403, 'This endpoint is not available for apps in Development Mode');
  };
  const userOf = (res: Response, scope?: string) => {
    const token = tokenOf(res);
    if (token.kind !== 'user' || !token.listenerId) throw new ApiError(401, 'This request requires user authentication.');
    if (scope && !token.scopes.has(scope)) throw new ApiError(403, 'Insufficient client scope');
    return findListener(token.listenerId)!;
  };
  const recentCache = new Map<string, ReturnType<typeof recentPlays>>();

  router.use((req: Request, res: Response, next: NextFunction) => {
    res.locals.token = authenticate(state, req);
    next();
  });

  router.get('/me', (req, res) => {
    const listener = userOf(res);
    res.json(privateUser(ctxOf(req), listener, tokenOf(res).scopes));
  });

  router.get('/me/top/:type', (req, res) => {
    const type = req.params.type;
    if (type !== 'artists' && type !== 'tracks') notFound();
    const listener = userOf(res, 'user-top-read');
    const range = (str(req.query.time_range) ?? 'medium_term') as TimeRange;
    if (!TIME_RANGES.includes(range)) throw new ApiError(400, 'Invalid time range');
    const limit = limitParam(req, 20, 50);
    const offset = offsetParam(req);
    const ids = listenerTops(catalog, listener)[range][type];
    const ctx = ctxOf(req);
    const items = ids.slice(offset, offset + limit).map((id) =>
      type === 'artists' ? fullArtist(ctx, catalog.artists.get(id)!) : fullTrack(ctx, catalog.tracks.get(id)!));
    res.json(paging(ctx, `/me/top/${type}`, { time_range: range }, items, offset, limit, ids.length));
  });

  router.get('/me/player/recently-played', (req, res) => {
    const listener = userOf(res, 'user-read-recently-played');
    const limit = limitParam(req, 20, 50);
    const before = str(req.query.before);
    const after = str(req.query.after);
    if (before !== undefined && after !== undefined) throw new ApiError(400, 'Only one of before or after may be given');
    const cursor = before ?? after;
    if (cursor !== undefined && !/^\d+$/.test(cursor)) throw new ApiError(400, 'Invalid cursor');
    let all = recentCache.get(listener.id);
    if (!all) {
      all = recentPlays(catalog, listener, state.anchorMs);
      recentCache.set(listener.id, all);
    }
    let items: typeof all;
    if (after !== undefined) items = all.filter((p) => p.playedAt > Number(after)).slice(-limit);
    else if (before !== undefined) items = all.filter((p) => p.playedAt < Number(before)).slice(0, limit);
    else items = all.slice(0, limit);
    const ctx = ctxOf(req);
    const base = `${ctx.origin}/v1/me/player/recently-played`;
    const newest = items[0]?.playedAt;
    const oldest = items[items.length - 1]?.playedAt;
    let next: string | null = null;
    if (items.length > 0) {
      if (after !== undefined) {
        if (all.some((p) => p.playedAt > newest!)) next = `${base}?after=${newest}&limit=${limit}`;
      } else if (all.some((p) => p.playedAt < oldest!)) {
        next = `${base}?before=${oldest}&limit=${limit}`;
      }
    }
    const q = new URLSearchParams();
    if (before !== undefined) q.set('before', before);
    if (after !== undefined) q.set('after', after);
    q.set('limit', String(limit));
    res.json({
      href: `${base}?${q.toString()}`,
      items: items.map((p) => playHistory(ctx, p, all.indexOf(p))),
      limit,
      next,
      cursors: items.length ? { after: String(newest), before: String(oldest) } : null,
    });
  });

  router.get('/search', (req, res) => {
    const q = str(req.query.q);
    if (!q || !q.trim()) throw new ApiError(400, 'No search query');
    const typeRaw = str(req.query.type);
    if (!typeRaw) throw new ApiError(400, 'Missing parameter type');
    const types = typeRaw.split(',').map((t) => t.trim());
    for (const t of types) if (!['artist', 'track', 'album', 'show'].includes(t)) throw new ApiError(400, 'Bad search type field');
    const limit = dev() ? limitParam(req, 5, 10) : limitParam(req, 20, 50);
    const offset = offsetParam(req, 1000);
    const query = parseSearch(q);
    const ctx = ctxOf(req);
    const words = (text: string) => query.words.every((w) => text.includes(w));
    const hasGenre = (a: CatalogArtist) => !query.genre || a.genres.some((g) => normalize(g) === query.genre);
    const yearOk = (al: CatalogAlbum) => !query.year || (Number(al.releaseDate.slice(0, 4)) >= query.year[0] && Number(al.releaseDate.slice(0, 4)) <= query.year[1]);
    const artistsOf = (ids: string[]) => ids.map((id) => catalog.artists.get(id)!).filter(Boolean);
    const params = { q, type: typeRaw };
    const body: Record<string, unknown> = {};

    if (types.includes('artist')) {
      const found = [...state.catalog.artists.values()]
        .filter((a) => a.id !== VARIOUS_ARTISTS_ID && words(norm(a)) && hasGenre(a) && (!query.artist || norm(a).includes(query.artist)))
        .sort((a, b) => b.popularity - a.popularity || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
      body.artists = paging(ctx, '/search', params, found.slice(offset, offset + limit).map((a) => fullArtist(ctx, a)), offset, limit, found.length);
    }
    if (types.includes('album')) {
      const found = [...state.catalog.albums.values()].filter((al) => {
        const artists = artistsOf(al.artistIds);
        const text = `${norm(al)} ${artists.map(norm).join(' ')}`;
        return words(text) && yearOk(al) && (!query.album || norm(al).includes(query.album))
          && (!query.artist || artists.some((a) => norm(a).includes(query.artist!)))
          && (!query.genre || artists.some(hasGenre));
      }).sort((a, b) => b.popularity - a.popularity || a.id.localeCompare(b.id));
      body.albums = paging(ctx, '/search', params, found.slice(offset, offset + limit).map((al) => simplifiedAlbum(ctx, al)), offset, limit, found.length);
    }
    if (types.includes('track')) {
      const found = [...state.catalog.tracks.values()].filter((t) => {
        const artists = artistsOf(t.artistIds);
        const text = `${norm(t)} ${artists.map(norm).join(' ')}`;
        if (!words(text)) return false;
        if (query.track && !norm(t).includes(query.track)) return false;
        if (query.artist && !artists.some((a) => norm(a).includes(query.artist!))) return false;
        if (query.genre && !artists.some(hasGenre)) return false;
        const album = catalog.albums.get(t.albumId)!;
        if (query.album && !norm(album).includes(query.album)) return false;
        return yearOk(album);
      }).sort((a, b) => b.popularity - a.popularity || a.id.localeCompare(b.id));
      body.tracks = paging(ctx, '/search', params, found.slice(offset, offset + limit).map((t) => fullTrack(ctx, t)), offset, limit, found.length);
    }
    if (types.includes('show')) {
      // The generated histories' podcasts, as simplified show objects.
      const found = SHOWS.filter((name) => words(normalize(name)));
      body.shows = paging(ctx, '/search', params, found.slice(offset, offset + limit).map((name) => {
        const id = base62Id(`show:${name}`);
        return {
          id, name, type: 'show', uri: `spotify:show:${id}`, href: apiUrl(ctx, `/shows/${id}`), external_urls: { spotify: `https://open.spotify.com/show/${id}` },
          publisher: `${name} Productions`, description: `A sandbox podcast: ${name}.`, media_type: 'audio', explicit: false, images: [], languages: ['en'],
          total_episodes: 400, available_markets: [], copyrights: [], is_externally_hosted: false, html_description: '',
        };
      }), offset, limit, found.length);
    }
    res.json(body);
  });

  router.get('/artists', (req, res) => {
    removedInDevelopment();
    const ctx = ctxOf(req);
    const artists = idsParam(req, 50).map((id) => {
      const a = catalog.artists.get(id);
      return a ? fullArtist(ctx, a) : null;
    });
    res.json({ artists });
  });

  router.get('/artists/:id', (req, res) => {
    const a = catalog.artists.get(checkId(req.params.id)) ?? notFound();
    res.json(fullArtist(ctxOf(req), a));
  });

  router.get('/artists/:id/albums', (req, res) => {
    const a = catalog.artists.get(checkId(req.params.id)) ?? notFound();
    const limit = dev() ? limitParam(req, 5, 10) : limitParam(req, 20, 50);
    const offset = offsetParam(req);
    const groupsRaw = str(req.query.include_groups);
    const groups = new Set<Group>(groupsRaw ? (groupsRaw.split(',').map((g) => g.trim()) as Group[]) : ['album', 'single', 'compilation', 'appears_on']);
    for (const g of groups) if (!(g in GROUP_ORDER)) throw new ApiError(400, 'Invalid include_groups');
    const entries: Array<{ album: CatalogAlbum; group: Group }> = [];
    for (const id of a.albumIds) {
      const album = catalog.albums.get(id)!;
      if (groups.has(album.albumType)) entries.push({ album, group: album.albumType });
    }
    if (groups.has('appears_on')) for (const id of a.appearsOnAlbumIds) entries.push({ album: catalog.albums.get(id)!, group: 'appears_on' });
    entries.sort((x, y) => GROUP_ORDER[x.group] - GROUP_ORDER[y.group]
      || y.album.releaseDate.localeCompare(x.album.releaseDate) || x.album.id.localeCompare(y.album.id));
    const ctx = ctxOf(req);
    const listed = quirks ? withCopies(entries, ctx.quirks!.market) : entries;
    const items = listed.slice(offset, offset + limit).map((e) => simplifiedAlbum(ctx, e.album, e.group));
    const params: Record<string, string | undefined> = { include_groups: groupsRaw, ...(quirks ? { market: str(req.query.market) } : {}) };
    res.json(paging(ctx, `/artists/${a.id}/albums`, params, items, offset, limit, listed.length));
  });

  /**
   * Quirks: without a market every copy of a release is listed (next to each other, copy 0 first);
   * with one, only the copy sold there, and releases sold nowhere there are left out.
   */
  function withCopies(entries: Array<{ album: CatalogAlbum; group: Group }>, market: string | undefined) {
    const out: Array<{ album: CatalogAlbum; group: Group }> = [];
    for (const e of entries) {
      if (market) {
        const id = copyPlayableIn(quirks!, e.album.id, market);
        if (id) out.push({ album: catalog.albums.get(id)!, group: e.group });
        continue;
      }
      const count = quirks!.copyOf(e.album.id)?.count ?? 1;
      for (let n = 0; n < count; n++) out.push({ album: catalog.albums.get(quirks!.idOfCopy(e.album.id, n))!, group: e.group });
    }
    return out;
  }

  router.get('/artists/:id/top-tracks', (req, res) => {
    removedInDevelopment();
    const a = catalog.artists.get(checkId(req.params.id)) ?? notFound();
    const ctx = ctxOf(req);
    const tracks = a.albumIds.flatMap((id) => catalog.albums.get(id)!.trackIds)
      .map((id) => catalog.tracks.get(id)!)
      .sort((x, y) => y.popularity - x.popularity || x.id.localeCompare(y.id))
      .slice(0, 10);
    res.json({ tracks: tracks.map((t) => fullTrack(ctx, t)) });
  });

  router.get('/albums', (req, res) => {
    removedInDevelopment();
    const ctx = ctxOf(req);
    const albums = idsParam(req, 20).map((id) => {
      const al = catalog.albums.get(id);
      return al ? fullAlbum(ctx, al) : null;
    });
    res.json({ albums });
  });

  router.get('/albums/:id', (req, res) => {
    const al = catalog.albums.get(checkId(req.params.id)) ?? notFound();
    res.json(fullAlbum(ctxOf(req), al));
  });

  router.get('/albums/:id/tracks', (req, res) => {
    const al = catalog.albums.get(checkId(req.params.id)) ?? notFound();
    const limit = limitParam(req, 20, 50);
    const offset = offsetParam(req);
    const ctx = ctxOf(req);
    const items = al.trackIds.slice(offset, offset + limit).map((id) => simplifiedTrack(ctx, catalog.tracks.get(id)!));
    res.json(paging(ctx, `/albums/${al.id}/tracks`, {}, items, offset, limit, al.trackIds.length));
  });

  router.get('/tracks', (req, res) => {
    removedInDevelopment();
    const ctx = ctxOf(req);
    const tracks = idsParam(req, 50).map((id) => {
      const t = catalog.tracks.get(id);
      return t ? fullTrack(ctx, t) : null;
    });
    res.json({ tracks });
  });

  router.get('/tracks/:id', (req, res) => {
    const t = catalog.tracks.get(checkId(req.params.id)) ?? notFound();
    res.json(fullTrack(ctxOf(req), t));
  });

  router.get('/audio-features', (req, res) => {
    removedInDevelopment();
    const ctx = ctxOf(req);
    const features = idsParam(req, 100).map((id) => {
      const t = catalog.tracks.get(id);
      return t ? audioFeatures(ctx, t) : null;
    });
    res.json({ audio_features: features });
  });

  router.get('/audio-features/:id', (req, res) => {
    removedInDevelopment();
    const t = catalog.tracks.get(checkId(req.params.id)) ?? notFound();
    res.json(audioFeatures(ctxOf(req), t) ?? notFound());
  });

  addPlaylistRoutes(router, state, { userOf, ctxOf, tokenOf });

  router.use(() => {
    throw new ApiError(404, 'Service not found');
  });

  return router;
}
