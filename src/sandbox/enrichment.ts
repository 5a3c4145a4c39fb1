/**
 * Stand-ins for the open enrichment services, over the same catalog.
 *
 * ReccoBeats (base URL http://HOST:PORT/reccobeats; real: https://api.reccobeats.com). Checked
 * against its documentation pages and public clients (2026):
 * - GET /v1/audio-features?ids=<id>,<id>… takes Spotify ids (or ReccoBeats UUIDs), comma-separated
 *   or repeated `ids=`; clients and the docs use at most 40 ids per request, so the stand-in
 *   answers 400 above 40. Answer: {"content":[{"id":"<ReccoBeats UUID>","href":
 *   "https://open.spotify.com/track/<spotifyId>","isrc":…,"acousticness","danceability","energy",
 *   "instrumentalness","key","liveness","loudness","mode","speechiness","tempo","valence"}]}.
 *   Unknown ids and tracks without features are simply absent, order not guaranteed: match items
 *   back by the Spotify id inside `href`.
 * - GET /v1/track/{uuid}/audio-features takes the ReccoBeats UUID only → one feature object (404
 *   when unknown). GET /v1/track?ids= (≤40) maps Spotify ids to ReccoBeats track records
 *   {content:[{id, trackTitle, artists, durationMs, isrc, href, popularity}]}.
 * - No key; undisclosed rate limits (429 + Retry-After): simulate with faults.failNext(n, 429, 'reccobeats').
 *   Error bodies of the real service are not documented; the stand-in sends {"error","message"}.
 *
 * MusicBrainz (base URL http://HOST:PORT/musicbrainz; real: https://musicbrainz.org), ws/2 JSON:
 * - GET /ws/2/url?resource=https://open.spotify.com/artist/<id>&inc=artist-rels&fmt=json →
 *   {"id":<url MBID>,"resource":…,"relations":[{"type":"free streaming","type-id":…,
 *   "direction":"backward","target-type":"artist","artist":{"id","name","sort-name",
 *   "disambiguation","type","type-id"},…}]}; relations only with inc=artist-rels.
 *   Unknown resource → 404 {"error":"Not Found","help":"For usage, please see: https://musicbrainz.org/development/mmd"}.
 * - GET /ws/2/artist/<mbid>?inc=genres+tags&fmt=json → {"id","name","sort-name","type",
 *   "life-span",…,"genres":[{"id","name","count","disambiguation"}],"tags":[{"name","count"}]};
 *   malformed MBID → 400 {"error":"Invalid mbid.",…}; unknown → 404 as above.
 * - MBIDs are UUIDs derived from the Spotify artist id; ~5% of artists are deliberately unknown (404).
 * - The real service allows 1 request/s per client and wants a descriptive User-Agent; the
 *   stand-in does not enforce either. Only JSON is served: fmt=json (or Accept: application/json) is required.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Catalog, CatalogArtist, CatalogTrack } from './catalog';
import { hashString, uuidFrom } from './random';
import type { SandboxState } from './state';

export const RECCOBEATS_MAX_IDS = 40;
const MB_HELP = 'For usage, please see: https://musicbrainz.org/development/mmd';
const TYPE_IDS = { Person: 'b6e035f4-3ce9-331c-97df-83397230b0df', Group: 'e431f5f6-b5d2-343d-8b36-72607fffb74b' };
const FREE_STREAMING_TYPE_ID = '769085a1-c2f7-4c24-a532-2375a77693bd';

export const mbidOf = (artistId: string): string => uuidFrom(`musicbrainz:artist:${artistId}`);

function idsOf(req: Request): string[] {
  const raw = req.query.ids;
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return values.flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter(Boolean);
}

function reccobeatsFeatures(t: CatalogTrack) {
  const f = t.features!;
  return {
    id: t.reccobeatsId, href: `https://open.spotify.com/track/${t.id}`, isrc: t.isrc,
    acousticness: f.acousticness, danceability: f.danceability, energy: f.energy, instrumentalness: f.instrumentalness,
    key: f.key, liveness: f.liveness, loudness: f.loudness, mode: f.mode, speechiness: f.speechiness,
    tempo: f.tempo, valence: f.valence,
  };
}

export function createReccobeatsRouter(state: SandboxState): Router {
  const router = express.Router();
  const { catalog } = state;
  const resolve = (id: string): CatalogTrack | undefined =>
    catalog.tracks.get(id) ?? catalog.tracks.get(catalog.trackByReccobeatsId.get(id) ?? '');
  const badIds = (res: Response, ids: string[]) => {
    if (ids.length === 0 || ids.length > RECCOBEATS_MAX_IDS) {
      res.status(400).json({ error: 'Bad Request', message: `ids must hold between 1 and ${RECCOBEATS_MAX_IDS} ids` });
      return true;
    }
    return false;
  };

  router.get('/v1/audio-features', (req, res) => {
    const ids = idsOf(req);
    if (badIds(res, ids)) return;
    const seen = new Set<string>();
    const content = [];
    for (const id of ids) {
      const t = resolve(id);
      if (!t || !t.features || seen.has(t.id)) continue;
      seen.add(t.id);
      content.push(reccobeatsFeatures(t));
    }
    res.json({ content });
  });

  router.get('/v1/track', (req, res) => {
    const ids = idsOf(req);
    if (badIds(res, ids)) return;
    const content = ids.map(resolve).filter((t): t is CatalogTrack => !!t).map((t) => ({
      id: t.reccobeatsId, trackTitle: t.name,
      artists: t.artistIds.map((a) => catalog.artists.get(a)!).map((a) => ({
        id: uuidFrom(`reccobeats:artist:${a.id}`), name: a.name, href: `https://open.spotify.com/artist/${a.id}`,
      })),
      durationMs: t.durationMs, isrc: t.isrc, href: `https://open.spotify.com/track/${t.id}`, popularity: t.popularity,
    }));
    res.json({ content });
  });

  router.get('/v1/track/:id/audio-features', (req, res) => {
    const trackId = catalog.trackByReccobeatsId.get(req.params.id);
    const t = trackId ? catalog.tracks.get(trackId) : undefined;
    if (!t || !t.features) {
      res.status(404).json({ error: 'Not Found', message: 'Track not found' });
      return;
    }
    res.json(reccobeatsFeatures(t));
  });

  router.use((_req, res) => {
    res.status(404).json({ error: 'Not Found', message: 'No such endpoint' });
  });
  return router;
}

const mbIndex = new WeakMap<Catalog, Map<string, CatalogArtist>>();
function artistByMbid(catalog: Catalog, mbid: string): CatalogArtist | undefined {
  let index = mbIndex.get(catalog);
  if (!index) {
    index = new Map();
    for (const a of catalog.artists.values()) if (a.inMusicBrainz) index.set(mbidOf(a.id), a);
    mbIndex.set(catalog, index);
  }
  return index.get(mbid);
}

function sortName(a: CatalogArtist): string {
  const m = /^(The|Los|La|El) (.+)$/.exec(a.name);
  if (m) return `${m[2]}, ${m[1]}`;
  const parts = a.name.split(' ');
  if (a.kind === 'person' && parts.length === 2 && /^\p{L}/u.test(parts[1])) return `${parts[1]}, ${parts[0]}`;
  return a.name;
}

function mbArtistCore(a: CatalogArtist) {
  const type = a.kind === 'person' ? 'Person' : 'Group';
  return { id: mbidOf(a.id), name: a.name, 'sort-name': sortName(a), disambiguation: '', type, 'type-id': TYPE_IDS[type] };
}

export function createMusicbrainzRouter(state: SandboxState): Router {
  const router = express.Router();
  const { catalog } = state;
  const mbError = (res: Response, status: number, error: string) => res.status(status).json({ error, help: MB_HELP });
  const wantsJson = (req: Request) => req.query.fmt === 'json' || /application\/json/.test(req.get('accept') ?? '');
  const incOf = (req: Request) => new Set(String(req.query.inc ?? '').split(/[+ ]/).filter(Boolean));

  router.use((req, res, next) => {
    if (!wantsJson(req)) {
      mbError(res, 400, 'The sandbox MusicBrainz stand-in only speaks JSON: add fmt=json');
      return;
    }
    next();
  });

  router.get('/ws/2/url', (req, res) => {
    const resource = typeof req.query.resource === 'string' ? req.query.resource : '';
    if (!/^https?:\/\/\S+$/.test(resource)) return void mbError(res, 400, 'Invalid resource: expected a URL');
    const m = /^https:\/\/open\.spotify\.com\/artist\/([0-9A-Za-z]{22})$/.exec(resource);
    const artist = m ? catalog.artists.get(m[1]) : undefined;
    if (!artist || !artist.inMusicBrainz) return void mbError(res, 404, 'Not Found');
    const body: Record<string, unknown> = { id: uuidFrom(`musicbrainz:url:${artist.id}`), resource };
    if (incOf(req).has('artist-rels')) {
      body.relations = [{
        type: 'free streaming', 'type-id': FREE_STREAMING_TYPE_ID, direction: 'backward', 'target-type': 'artist',
        attributes: [], 'attribute-ids': {}, 'attribute-values': {}, begin: null, end: null, ended: false,
        'source-credit': '', 'target-credit': '', artist: mbArtistCore(artist),
      }];
    }
    res.json(body);
  });

  router.get('/ws/2/artist/:mbid', (req, res) => {
    const mbid = req.params.mbid;
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(mbid)) return void mbError(res, 400, 'Invalid mbid.');
    const artist = artistByMbid(catalog, mbid.toLowerCase());
    if (!artist) return void mbError(res, 404, 'Not Found');
    const inc = incOf(req);
    const body: Record<string, unknown> = {
      ...mbArtistCore(artist), country: null, 'life-span': { begin: String(artist.beginYear), end: null, ended: false },
      isnis: [], ipis: [],
    };
    const counted = artist.genres.map((g, i) => ({ name: g.toLowerCase(), count: Math.max(1, 12 - i * 3 + (hashString(artist.id + g) % 3)) }));
    if (inc.has('genres')) {
      body.genres = counted.map((g) => ({ id: uuidFrom(`musicbrainz:genre:${g.name}`), name: g.name, count: g.count, disambiguation: '' }));
    }
    if (inc.has('tags')) {
      const decade = `${Math.floor(artist.beginYear / 10) * 10}s`;
      body.tags = [...counted, { name: decade, count: 1 }, ...(hashString(artist.id, 3) % 3 === 0 ? [{ name: 'seen live', count: 2 }] : [])];
    }
    res.json(body);
  });

  router.use((_req, res) => {
    mbError(res, 404, 'Not Found');
  });
  return router;
}

