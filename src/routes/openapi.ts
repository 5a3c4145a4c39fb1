import { Router } from 'express';
import { z } from 'zod';
import type { Services } from '../buildServices';
import { searchQuery } from './artists';
import { compareQuery } from './compare';
import { statsQuery, tasteQuery } from './history';
import { rangeQuery, refreshQuery, topQuery } from './me';
import { timeZoneBody } from './timeZone';
import { playlistRequest } from './playlists';
import { MAX_PLAYLIST_TRACKS } from '../services/PlaylistSources';
import { paramSchema, periodSelection, personalAlbumKey, personalArtistKey, personalTrackKey, playLogQuery, queryParameters, refreshFlag, spotifyId } from './params';

const error = { $ref: '#/components/schemas/Error' };
const json = (schema: unknown, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      json(error, ({ 400: 'Invalid input', 401: 'No or invalid credentials (codes unauthorized, invalid_token, reauth_required)', 404: 'Not found', 502: 'Spotify failed', 503: 'Rate limited upstream (Retry-After)' } as Record<number, string>)[c]),
    ]),
  );
// Parameters are generated from the zod schemas the routes parse with, so the two cannot drift apart.
const REFRESH = 'Ask Spotify again instead of using the cached snapshot';
const TZ = 'IANA time zone; default: the one chosen in settings';
const artistId = { name: 'id', in: 'path', required: true, description: 'Spotify artist id (22 base62 characters)', schema: paramSchema(spotifyId) };
const me = { security: [{ session: [] }, { bearer: [] }] };
const nullableNumber = { type: ['number', 'null'] };
const features = Object.fromEntries(
  ['tempo', 'energy', 'danceability', 'valence', 'acousticness', 'instrumentalness', 'liveness', 'speechiness', 'loudness', 'key', 'mode', 'time_signature'].map((f) => [f, nullableNumber]),
);

const PERIOD = '7d, 30d, 90d, this_year, last_year, all, a year (2024) or a month (2024-05); without it, from/to or all time';
const RANKED = {
  type: 'object',
  properties: {
    key: { type: 'string' }, name: { type: 'string' }, artist: { type: 'string' }, artist_key: { type: 'string' }, plays: { type: 'integer' }, ms_played: { type: 'integer' },
    rank: { type: 'integer' }, previous_rank: { type: ['integer', 'null'] }, change: { type: ['integer', 'string', 'null'], description: 'places gained (negative: lost), "new", or null without a previous period' },
  },
};

const PLAYLIST_RESULT = {
  type: 'object',
  properties: {
    id: { type: 'string' }, created_at: { type: 'string', format: 'date-time' }, source: { type: 'string' },
    playlist: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, description: { type: 'string' }, url: { type: ['string', 'null'] }, uri: { type: 'string' } } },
    selected: { type: 'integer', description: 'tracks the source picked' },
    added: { type: 'integer', description: 'tracks now in the playlist' },
    matched: { type: 'integer', description: 'picked without a Spotify id and found by exact name' },
    skipped: { type: 'integer', description: 'picked without a Spotify id and not found' },
    skipped_tracks: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, artist: { type: 'string' } } } },
    tracks: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, artist: { type: 'string' } } } },
    complete: { type: 'boolean', description: 'false when Spotify failed part-way: the playlist exists with `added` tracks' },
    error: { type: ['string', 'null'] },
  },
};

/** The personal artist, track and album pages' JSON: one description, three keys. */
function personalPaths() {
  const keys = {
    artists: [personalArtistKey, 'Artist key: the first 16 hex digits of SHA-256 of "artist\\0" + the normalised name (NFKC, lower case, spaces collapsed), optionally "-" + the Spotify artist id'],
    tracks: [personalTrackKey, 'Track key: the Spotify track id when known, else "t" + 16 hex digits of SHA-256 of "track\\0" + normalised artist + "\\0" + normalised track'],
    albums: [personalAlbumKey, 'Album key: "a" + 16 hex digits of SHA-256 of "album\\0" + normalised artist + "\\0" + normalised album'],
  } as const;
  return Object.fromEntries(
    Object.entries(keys).map(([plural, [schema, description]]) => [
      `/api/me/history/${plural}/{key}`,
      {
        get: {
          ...me,
          summary: `Your own story with one of your ${plural} from imported history: plays and minutes per month with the rank among all ${plural} and the share of all listening, first and last listen, top tracks (and albums), plays by weekday and hour, skip rate with its coverage, longest streak`,
          parameters: [
            { name: 'key', in: 'path', required: true, description, schema: paramSchema(schema) },
            ...queryParameters(periodSelection, { period: PERIOD, from: 'YYYY-MM-DD', to: 'YYYY-MM-DD', tz: TZ }),
          ],
          responses: {
            200: json({
              type: 'object',
              properties: {
                kind: { type: 'string' }, key: { type: 'string' }, name: { type: 'string' }, artist: { type: 'string' }, artist_key: { type: 'string' },
                plays: { type: 'integer' }, ms_played: { type: 'integer' }, rank: { type: ['integer', 'null'] },
                first_listen: { type: ['string', 'null'] }, last_listen: { type: ['string', 'null'] },
                per_month: { type: 'array', items: { type: 'object', properties: { month: { type: 'string' }, plays: { type: 'integer' }, ms: { type: 'integer' }, rank: { type: ['integer', 'null'] }, share: { type: 'number' } } } },
                top_tracks: { type: 'array', items: { type: 'object' } }, top_albums: { type: 'array', items: { type: 'object' } },
                hour_weekday: { type: 'array', description: '[weekday 0 = Monday][hour] → plays' },
                skips: { type: 'object', properties: { rate: nullableNumber, skipped: { type: 'integer' }, known: { type: 'integer' }, entries: { type: 'integer' }, coverage: nullableNumber } },
                longest_streak: { type: 'object' }, period: { type: 'object' },
                catalog: { type: 'object', description: 'artist_id: the Spotify artist (from the key), else via_track_id: a Spotify track id of it (/tracks/:id leads to the artist)' },
              },
            }),
            ...errors(400, 401, 404),
          },
        },
      },
    ]),
  );
}

/** The OpenAPI 3.1 description of the whole JSON API, served at /api/openapi.json. */
export function openApiDocument(publicUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Spotify Data App API',
      version: '1.0.0',
      description:
        'Listening statistics and artist discographies. /api/me/* needs the session cookie or a personal API token (create one on /settings) sent as `Authorization: Bearer <token>`. Errors are `{"error":{"code","message"}}`.',
    },
    servers: [{ url: publicUrl }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Personal API token from /settings' },
        session: { type: 'apiKey', in: 'cookie', name: 'sda.sid' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
        },
        ArtistHit: {
          type: 'object',
          properties: { id: { type: 'string' }, name: { type: 'string' }, genres: { type: 'array', items: { type: 'string' } }, popularity: nullableNumber, followers: nullableNumber, image: { type: ['string', 'null'] } },
        },
        Track: {
          type: 'object',
          properties: {
            id: { type: 'string' }, name: { type: 'string' }, album_id: { type: 'string' }, album_name: { type: 'string' }, release_date: { type: 'string' },
            disc_number: { type: 'integer' }, track_number: { type: 'integer' }, duration_ms: { type: 'integer' }, explicit: { type: 'boolean' }, popularity: nullableNumber,
            ...features,
          },
        },
        Artist: {
          type: 'object',
          properties: {
            artist: { type: 'object', description: 'id, name, genres, genres_source, popularity, followers (null when the API profile does not give them), image, status, fetched_at…' },
            albums: { type: 'array', items: { type: 'object' } },
            tracks: { type: 'array', items: { $ref: '#/components/schemas/Track' } },
            complete: { type: 'boolean' },
            fetched_at: { type: 'string', format: 'date-time' },
          },
        },
        Summary: { type: 'object', description: 'Everything the dashboard shows: ranges (top artists, tracks, genres, taste, decades, mainstream) per time range, recent plays, discovery, movement.' },
      },
    },
    paths: {
      '/healthz': { get: { summary: 'Liveness', responses: { 200: json({ type: 'object', properties: { status: { const: 'ok' } } }) } } },
      '/readyz': { get: { summary: 'Readiness: DynamoDB and Spotify reachable', responses: { 200: json({ type: 'object' }), 503: json({ type: 'object' }, 'Not ready') } } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': {} } } } } },
      '/api/search': {
        get: {
          summary: 'Search artists',
          parameters: queryParameters(searchQuery, { q: 'Artist name (at most 100 characters)' }),
          responses: { 200: json({ type: 'object', properties: { artists: { type: 'array', items: { $ref: '#/components/schemas/ArtistHit' } } } }), ...errors(400, 502) },
        },
      },
      '/api/artists/{id}': {
        get: {
          summary: "An artist's whole discography with track features; fetched from Spotify when not cached",
          description:
            'Cached artists come brotli- or gzip-compressed as Accept-Encoding allows, with a strong ETag; If-None-Match with it answers 304. ' +
            'An ingest that takes longer than ARTIST_API_WAIT_SECONDS answers 202 with the progress document of /api/artists/{id}/status and a Location header to poll.',
          parameters: [artistId, ...queryParameters(z.object({ refresh: refreshFlag.optional() }), { refresh: 'Fetch from Spotify again' })],
          responses: {
            200: json({ $ref: '#/components/schemas/Artist' }),
            202: {
              ...json({ type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' }, complete: { type: 'boolean' }, progress: { type: ['object', 'null'] } } }, 'Ingest still running: poll the Location'),
              headers: { Location: { schema: { type: 'string' }, description: '/api/artists/{id}/status' }, 'Retry-After': { schema: { type: 'integer' } } },
            },
            304: { description: 'Not modified (If-None-Match matched the ETag)' },
            ...errors(400, 404, 502, 503),
          },
        },
      },
      '/api/artists/{id}/status': {
        get: { summary: 'Ingest status and progress', parameters: [artistId], responses: { 200: json({ type: 'object' }), ...errors(400) } },
      },
      '/api/artists/{id}/tracks.csv': {
        get: { summary: 'One CSV row per track with album, release date and every feature', parameters: [artistId], responses: { 200: { description: 'CSV', content: { 'text/csv': {} } }, ...errors(400, 404, 502) } },
      },
      '/api/artists/{id}/export.json': {
        get: { summary: 'The artist document as a download', parameters: [artistId], responses: { 200: json({ $ref: '#/components/schemas/Artist' }), ...errors(400, 404, 502) } },
      },
      '/api/compare': {
        get: {
          summary: 'Two artists side by side (a and b; no login), or your taste against an artist (me=1 and b; session or bearer token), with a 0–100 similarity score',
          security: [{}, { session: [] }, { bearer: [] }],
          parameters: [
            ...queryParameters(compareQuery, {
              a: 'First artist id (or a Spotify artist link); not with me=1',
              b: 'Artist id (or a Spotify artist link) to compare with (required)',
              me: '1: compare your top tracks (needs login)',
              range: 'Time range of your top tracks (me=1 only)',
            }),
          ],
          responses: {
            200: json({
              type: 'object',
              description: 'kind "artists": same_artist, a, b; kind "taste": range, range_label, you {display_name, top_tracks, tracks_with_features, means, note}, b. Each artist: id, name, releases, tracks, tracks_with_features, means, distributions (quartiles), tempo, keys, durations, releases_per_year.',
              properties: {
                kind: { enum: ['artists', 'taste'] },
                similarity: { type: 'object', properties: { score: { type: ['integer', 'null'] }, explanation: { type: 'string' }, features: { type: 'array', items: { type: 'object' } }, method: { type: 'string' } } },
              },
            }),
            ...errors(400, 401, 404, 502),
          },
        },
      },
      '/api/me/summary': { get: { ...me, summary: 'Everything the dashboard shows', parameters: queryParameters(refreshQuery, { refresh: REFRESH }), responses: { 200: json({ $ref: '#/components/schemas/Summary' }), ...errors(401, 502, 503) } } },
      '/api/me/top': {
        get: {
          ...me,
          summary: 'Top artists or tracks for a time range',
          parameters: queryParameters(topQuery, { refresh: REFRESH }),
          responses: { 200: json({ type: 'object', properties: { type: { type: 'string' }, range: { type: 'string' }, items: { type: 'array', items: { type: 'object' } } } }), ...errors(400, 401, 502) },
        },
      },
      '/api/me/genres': {
        get: {
          ...me,
          summary: 'Top genres weighted by artist rank',
          parameters: queryParameters(rangeQuery, { refresh: REFRESH }),
          responses: { 200: json({ type: 'object', properties: { method: { type: 'string' }, source: { type: 'string' }, genres: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, weight: { type: 'number' }, share: { type: 'number' } } } } } }), ...errors(400, 401, 502) },
        },
      },
      '/api/me/history/imports': {
        post: {
          ...me,
          summary: 'Import a Spotify data export (the zip as downloaded, or one JSON file) as a background job',
          requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } } } },
          responses: { 202: json({ type: 'object', properties: { id: { type: 'string' }, status: { const: 'queued' } } }, 'Accepted: poll the job'), ...errors(400, 401), 413: json(error, 'Too large') },
        },
        get: { ...me, summary: 'Recent import jobs', responses: { 200: json({ type: 'object' }), ...errors(401) } },
      },
      '/api/me/history/imports/{id}/confirm': {
        post: {
          ...me,
          summary: 'Restore a backup of another account that waits for confirmation (status needs_confirmation)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: { 202: json({ type: 'object', properties: { id: { type: 'string' }, status: { const: 'queued' } } }), ...errors(401, 404, 409) },
        },
      },
      '/api/me/history/podcasts': {
        put: {
          ...me,
          summary: 'Move a name of your history to podcasts (as "podcast") or back to music (as "music"); every statistic follows',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name', 'as'], properties: { name: { type: 'string' }, as: { enum: ['podcast', 'music'] } } } } } },
          responses: { 200: json({ type: 'object' }), ...errors(400, 401) },
        },
      },
      '/api/me/history/imports/{id}': {
        get: {
          ...me,
          summary: 'An import job',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: {
            200: json({
              type: 'object',
              properties: {
                id: { type: 'string' }, status: { enum: ['queued', 'running', 'waiting', 'done', 'failed', 'needs_confirmation', 'declined', 'undone'], description: 'waiting: paused (database busy, see resume_at) or interrupted (continues by itself); needs_confirmation: a backup of another account (see confirmation), POST .../confirm to restore it' },
                files: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, format: { type: ['string', 'null'] }, plays: { type: 'integer' } } } },
                skipped: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, reason: { type: 'string' } } } },
                confirmation: { type: ['object', 'null'], properties: { account_id: { type: ['string', 'null'] }, display_name: { type: ['string', 'null'] }, plays: { type: ['integer', 'null'] }, first_play: { type: ['string', 'null'] }, last_play: { type: ['string', 'null'] } } },
                plays_read: { type: 'integer' }, plays_added: { type: 'integer' }, error: { type: ['string', 'null'] },
                phase: { enum: ['reading', 'writing', null] }, checkpoint: { type: 'integer', description: 'Rows written for sure; a resumed job continues from here' },
                rows: { type: ['integer', 'null'] }, resume_at: { type: ['string', 'null'], format: 'date-time' },
              },
            }),
            ...errors(401, 404),
          },
        },
        delete: {
          ...me,
          summary: 'Undo a finished import: removes exactly the plays it added (plays other imports or capture added stay); a restore waiting for confirmation is dropped',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: { 200: json({ type: 'object', properties: { id: { type: 'string' }, status: { enum: ['undone', 'declined'] }, plays_removed: { type: 'integer' } } }), ...errors(401, 404, 409) },
        },
      },
      '/api/me/history/stats': {
        get: {
          ...me,
          summary: 'Lifetime statistics from imported history for a date range (inclusive, in the time zone)',
          parameters: [
            ...queryParameters(statsQuery, { from: 'YYYY-MM-DD', to: 'YYYY-MM-DD', tz: TZ }),
          ],
          responses: {
            200: json({ type: 'object', properties: { plays: { type: 'integer' }, ms_played: { type: 'integer' }, top_artists: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, plays: { type: 'integer' }, ms_played: { type: 'integer' } } } }, top_tracks: { type: 'array', items: { type: 'object' } } } }),
            ...errors(400, 401),
          },
        },
      },
      ...personalPaths(),
      '/api/me/time-zone': {
        get: { ...me, summary: 'Your time zone: every page, chart and the API default use it (chosen: false until one is stored)', responses: { 200: json({ type: 'object', properties: { time_zone: { type: 'string' }, chosen: { type: 'boolean' } } }), ...errors(401) } },
        post: {
          ...me,
          summary: 'Store your time zone; with only_if_unset (what the page sends after the first login, with the browser\'s zone) only when none is stored yet',
          requestBody: { required: true, content: { 'application/json': { schema: paramSchema(timeZoneBody) } } },
          responses: { 200: json({ type: 'object', properties: { time_zone: { type: 'string' }, stored: { type: 'boolean' } } }), ...errors(400, 401) },
        },
      },
      '/api/me/history/plays': {
        get: {
          ...me,
          summary: 'The play log: every entry newest first, a page at a time. The first hit of a search (q) is the last time you played it. Pass next_cursor as cursor for the next (older) page.',
          parameters: queryParameters(playLogQuery, {
            period: PERIOD, from: 'YYYY-MM-DD (with to: a custom range)', to: 'YYYY-MM-DD', tz: TZ, q: 'Words that must all appear in the track, artist or album name',
            artist: 'An artist key (as in /me/artists/:key)', skipped: 'yes or no', shuffle: 'yes or no', platform: 'e.g. Android, iOS, Windows', kind: 'all (default), music, or podcasts (podcasts and audiobooks)',
            cursor: 'next_cursor of the previous page (opaque)', limit: 'Plays per page, 1-200 (default 50)',
          }),
          responses: {
            200: json({
              type: 'object',
              properties: {
                plays: { type: 'array', items: { type: 'object', properties: {
                  ts: { type: 'string', format: 'date-time' }, kind: { type: 'string' }, name: { type: 'string' }, artist: { type: 'string' }, album: { type: ['string', 'null'] }, track_id: { type: ['string', 'null'] },
                  ms_played: { type: 'integer' }, skipped: { type: ['boolean', 'null'] }, shuffle: { type: ['boolean', 'null'] }, platform: { type: ['string', 'null'] }, country: { type: ['string', 'null'] },
                  counted: { enum: ['play', 'time_only', 'excluded'] }, track_key: { type: ['string', 'null'] }, artist_key: { type: ['string', 'null'] }, album_key: { type: ['string', 'null'] },
                } } },
                next_cursor: { type: ['string', 'null'] }, period: { type: 'object' }, time_zone: { type: 'string' },
              },
            }),
            ...errors(400, 401),
          },
        },
      },
      '/api/me/history/tops': {
        get: {
          ...me,
          summary: 'Top artists (by listening time), tracks (by plays) and albums of a period, each with its rank in the previous period of the same length and the change (a number of places, "new", or null for all time)',
          parameters: queryParameters(periodSelection, { period: PERIOD, from: 'YYYY-MM-DD', to: 'YYYY-MM-DD', tz: TZ }),
          responses: { 200: json({ type: 'object', properties: { period: { type: 'object' }, time_zone: { type: 'string' }, artists: { type: 'array', items: RANKED }, tracks: { type: 'array', items: RANKED }, albums: { type: 'array', items: RANKED } } }), ...errors(400, 401) },
        },
      },
      '/api/me/history/taste': {
        get: {
          ...me,
          summary: 'Taste over time: energy, valence, danceability and tempo per month or week weighted by listening time, genre shares, coverage, most upbeat and calmest period',
          parameters: queryParameters(tasteQuery, { from: 'YYYY-MM-DD', to: 'YYYY-MM-DD', tz: TZ, granularity: 'month (default) or week' }),
          responses: {
            200: json({
              type: 'object',
              properties: {
                periods: { type: 'array', items: { type: 'object', properties: { period: { type: 'string' }, ms: { type: 'integer' }, features_ms: { type: 'integer' }, energy: nullableNumber, valence: nullableNumber, danceability: nullableNumber, tempo: nullableNumber, genres_ms: { type: 'integer' }, genres: { type: 'object', additionalProperties: { type: 'number' } } } } },
                genres: { type: 'array', items: { type: 'string' } },
                coverage: { type: 'object', description: 'Listening time with features and with genres, tracks without a Spotify id' },
                most_upbeat: { type: ['object', 'null'] }, calmest: { type: ['object', 'null'] },
                enrichment: { type: 'object', description: 'status running|done|failed of the feature and genre lookups, with what is still pending' },
              },
            }),
            ...errors(400, 401),
          },
        },
      },
      '/api/me/counting-rules': {
        get: { ...me, summary: 'How plays count in every statistic (yours), as values and sentences', responses: { 200: json({ type: 'object', properties: { rules: { type: 'object', required: ['min_play_seconds', 'skipped', 'offline', 'incognito'], additionalProperties: false, properties: { min_play_seconds: { type: 'integer', minimum: 0, maximum: 600, default: 30 }, skipped: { enum: ['count', 'time_only'], default: 'count' }, offline: { enum: ['count', 'exclude'], default: 'count' }, incognito: { enum: ['count', 'exclude'], default: 'exclude' } } }, sentences: { type: 'array', items: { type: 'string' } } } }), ...errors(401) } },
        put: {
          ...me,
          summary: 'Change how plays count',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['min_play_seconds', 'skipped', 'offline', 'incognito'], additionalProperties: false, properties: { min_play_seconds: { type: 'integer', minimum: 0, maximum: 600, default: 30 }, skipped: { enum: ['count', 'time_only'], default: 'count' }, offline: { enum: ['count', 'exclude'], default: 'count' }, incognito: { enum: ['count', 'exclude'], default: 'exclude' } } } } } },
          responses: { 200: json({ type: 'object' }), ...errors(400, 401) },
        },
      },
      '/api/me/export': {
        get: {
          ...me,
          summary: 'All your data as a zip: manifest.json, settings.json, history.jsonl, history.csv, snapshots.jsonl, snapshots.csv (never tokens). Restore it by uploading it to /api/me/history/imports',
          responses: { 200: { description: 'The backup', content: { 'application/zip': {} } }, ...errors(401) },
        },
      },
      '/api/me': {
        delete: {
          ...me,
          summary: 'Delete your account and every item of yours from every table',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['confirm'], properties: { confirm: { const: 'DELETE' } } } } } },
          responses: { 200: json({ type: 'object', properties: { deleted: { const: true }, items: { type: 'integer' } } }), ...errors(400, 401) },
        },
      },
      '/api/me/capture': {
        get: { ...me, summary: 'Live capture of recently played tracks: whether it is on, last and next run, plays added, last error', responses: { 200: json({ type: 'object' }), ...errors(401) } },
        put: {
          ...me,
          summary: 'Turn live capture on or off',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['enabled'], properties: { enabled: { type: 'boolean' } } } } } },
          responses: { 200: json({ type: 'object' }), ...errors(400, 401) },
        },
      },
      '/api/me/recent': { get: { ...me, summary: 'The last 50 plays', parameters: queryParameters(refreshQuery, { refresh: REFRESH }), responses: { 200: json({ type: 'object' }), ...errors(401, 502) } } },
      '/api/me/shares': {
        get: {
          ...me,
          summary: 'Your public year-summary links',
          responses: { 200: json({ type: 'object', properties: { shares: { type: 'array', items: { type: 'object', properties: { slug: { type: 'string' }, url: { type: 'string' }, year: { type: 'string' }, created_at: { type: 'string', format: 'date-time' } } } } } }), ...errors(401) },
        },
        post: {
          ...me,
          summary: 'Create a public, read-only summary page of one year (one link per year; the page is /share/{slug}, its Open Graph image /share/{slug}/og.png)',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['year'], properties: { year: { type: ['string', 'integer'], description: 'A year you have listening history for', examples: ['2024'] } } } } } },
          responses: {
            201: json({ type: 'object', properties: { slug: { type: 'string' }, url: { type: 'string' }, year: { type: 'string' } } }, 'Created'),
            200: json({ type: 'object', properties: { slug: { type: 'string' }, url: { type: 'string' }, year: { type: 'string' } } }, 'That year already had a link: the existing one'),
            ...errors(400, 401),
          },
        },
      },
      '/api/me/playlists': {
        post: {
          ...me,
          summary: 'Make a private Spotify playlist from your listening. Needs Spotify\'s playlist-modify-private scope, asked for only when first needed: without it the answer is 403 consent_required with a consent_url to open in a browser (approve, then send the request again). Tracks without a Spotify id (old exports) are matched by exact track and artist name or skipped',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['source'],
                  properties: {
                    ...(paramSchema(playlistRequest) as { properties: Record<string, unknown> }).properties,
                    source: { type: 'string', enum: ['dashboard', 'history', 'artist', 'taste', 'blend'], description: 'What to pick tracks from (more sources may be registered)' },
                    n: { type: 'integer', minimum: 1, maximum: MAX_PLAYLIST_TRACKS, default: 50, description: 'How many tracks at most' },
                    by: { enum: ['plays', 'minutes'], default: 'plays', description: 'Rank by plays or listening time (history, artist, taste; Spotify\'s own top tracks keep its order)' },
                    range: { enum: ['short_term', 'medium_term', 'long_term'], default: 'medium_term', description: 'dashboard: the time range of Spotify\'s top tracks' },
                    period: { type: 'string', description: `history, artist, blend: ${PERIOD}` },
                    from: { type: 'string', description: 'history, artist, blend: YYYY-MM-DD' },
                    to: { type: 'string', description: 'history, artist, blend: YYYY-MM-DD' },
                    friend: { type: 'string', description: 'blend: a friend\'s id (GET /api/me/friends); 404 unless you are friends' },
                    key: { type: 'string', description: 'artist: a personal artist key (see /api/me/history/artists/{key})' },
                    month: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'taste: the month, YYYY-MM' },
                    feature: { enum: ['energy', 'danceability', 'valence', 'acousticness', 'instrumentalness', 'speechiness', 'liveness'], description: 'taste: the audio feature to filter by' },
                    min: { type: 'number', minimum: 0, maximum: 1, default: 0.7, description: 'taste: keep tracks whose feature is at least this' },
                  },
                },
              },
            },
          },
          responses: {
            201: json(PLAYLIST_RESULT, 'Created: the playlist and what was added, matched and skipped'),
            403: json({ type: 'object', properties: { error: { type: 'object', properties: { code: { const: 'consent_required' }, message: { type: 'string' }, scope: { type: 'string' }, consent_url: { type: 'string', format: 'uri' } } } } }, 'Spotify has not granted playlist-modify-private: open consent_url in a browser'),
            429: json(error, 'Too many playlists this hour (RATE_LIMIT_PLAYLISTS_PER_HOUR)'),
            ...errors(400, 401, 404, 502, 503),
          },
        },
      },
      '/api/me/playlists/{id}': {
        get: {
          ...me,
          summary: 'What making one of your playlists did (the id of a POST /api/me/playlists answer)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,40}$' } }],
          responses: { 200: json(PLAYLIST_RESULT), ...errors(400, 401, 404) },
        },
      },
      '/api/me/shares/{slug}': {
        delete: {
          ...me,
          summary: 'Revoke a share link: its page and image answer 404 from then on',
          parameters: [{ name: 'slug', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{22}$' } }],
          responses: { 204: { description: 'Revoked' }, ...errors(401, 404) },
        },
      },
      '/api/me/friends': {
        get: {
          ...me,
          summary: 'Your friends on this instance and your open invitation links (ids only: a link is shown once, when made)',
          responses: { 200: json({ type: 'object', properties: {
            friends: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, display_name: { type: 'string' }, image: { type: ['string', 'null'] }, since: { type: 'string', format: 'date-time' } } } },
            invites: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, created_at: { type: 'string', format: 'date-time' }, expires_at: { type: 'string', format: 'date-time' } } } },
          } }), ...errors(401) },
        },
      },
      '/api/me/friends/invites': {
        post: {
          ...me,
          summary: 'Make an invitation link (works once, for 7 days; at most 10 open; RATE_LIMIT_INVITES_PER_HOUR). Only its hash is stored: the url is shown in this answer only',
          responses: { 201: json({ type: 'object', properties: { url: { type: 'string' }, id: { type: 'string' }, expires_at: { type: 'string', format: 'date-time' } } }, 'Created'), ...errors(401, 409, 429) },
        },
      },
      '/api/me/friends/invites/{id}': {
        delete: {
          ...me,
          summary: 'Revoke an open invitation: its link answers 404 from then on',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{16}$' } }],
          responses: { 204: { description: 'Revoked' }, ...errors(401, 404) },
        },
      },
      '/api/me/friends/accept': {
        post: {
          ...me,
          summary: "Accept an invitation link (its last path segment): you and the link's maker are friends from now on",
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['token'], properties: { token: { type: 'string' } } } } } },
          responses: { 200: json({ type: 'object', properties: { friend_id: { type: 'string' } } }), ...errors(400, 401, 404) },
        },
      },
      '/api/me/friends/{id}': {
        get: {
          ...me,
          summary: 'Your comparison with a friend for a period: listening time side by side per month, shared artists and tracks (the blend), taste similarity with its formula, who discovered each shared artist first. 404 unless you are friends now (checked on every request)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }, ...queryParameters(periodSelection, { period: PERIOD, from: 'YYYY-MM-DD', to: 'YYYY-MM-DD', tz: TZ })],
          responses: { 200: json({ type: 'object' }), ...errors(400, 401, 404) },
        },
        delete: {
          ...me,
          summary: 'End a friendship, for both of you: from then on neither sees anything of the other',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 204: { description: 'Ended' }, ...errors(401, 404) },
        },
      },
    },
  };
}

export function openApiRouter({ config }: Pick<Services, 'config'>): Router {
  const router = Router();
  const doc = openApiDocument(config.publicUrl);
  router.get('/api/openapi.json', (_req, res) => {
    res.json(doc);
  });
  return router;
}
