import { z } from 'zod';
import { BadRequest } from '../errors';
import { PERIOD_CHOICE } from '../history/period';
import { ALBUM_KEY, ARTIST_KEY, TRACK_KEY } from '../history/personalKeys';
import { isTimeZone } from '../history/timeZones';
import { SPOTIFY_ID, SPOTIFY_ID_PATTERN } from '../spotify/ids';
import { TIME_RANGES, type TimeRange } from '../spotify/SpotifyClient';

/**
 * Route parameters shared by the routers, and the one way a failed parse becomes the 400 the API
 * documents (`{"error":{"code","message"}}`). The OpenAPI description is generated from these schemas.
 */

export const SPOTIFY_ID_MESSAGE = 'Spotify ids are 22 characters of letters and digits, as in Spotify links.';

export const spotifyId = z.string().regex(SPOTIFY_ID, SPOTIFY_ID_MESSAGE);

/** An artist id, or a link that contains one (open.spotify.com/artist/…, spotify:artist:…, this app's /artists/…). */
export const artistRef = z
  .string()
  .trim()
  .transform((s) => new RegExp(`^(?:https?:\\/\\/\\S+\\/|spotify:)artists?[/:](${SPOTIFY_ID_PATTERN})(?:[/?#]\\S*)?$`).exec(s)?.[1] ?? s)
  .pipe(spotifyId);

export const timeRange = z.enum(TIME_RANGES as [TimeRange, ...TimeRange[]]);

/** A calendar date as the API takes it: YYYY-MM-DD (checked for real by the statistics). */
export const isoDate = z.string().max(10);

export const timeZone = z.string().max(64).refine(isTimeZone, 'an IANA time zone such as Europe/Berlin');

export const refreshFlag = z.enum(['0', '1']);

/** A period of history in a query: from/to dates and the time zone days are counted in. */
export const periodQuery = z.object({ from: isoDate.optional(), to: isoDate.optional(), tz: z.string().max(64).optional() });

/**
 * A period as the period picker puts it in the URL: `period` (7d, 30d, 90d, this_year, last_year,
 * all, a year 2024 or a month 2024-05) or a custom `from`/`to`; resolved by history/period.ts.
 */
/** A query field an HTML form may send empty (an unset select, an empty date): empty is absent. */
const formField = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const periodSelection = periodQuery.extend({
  period: formField(z.string().regex(PERIOD_CHOICE, 'one of 7d, 30d, 90d, this_year, last_year, all, a year (2024) or a month (2024-05)')),
  from: formField(isoDate),
  to: formField(isoDate),
});

const yesNo = z.enum(['yes', 'no']).transform((v) => v === 'yes');

/** The play log's query: a period, a search, filters, and a cursor from the previous page. */
export const playLogQuery = periodSelection.extend({
  q: formField(z.string().trim().max(200)),
  artist: formField(z.string().regex(ARTIST_KEY, 'an artist key as the personal pages use')),
  skipped: formField(yesNo),
  shuffle: formField(yesNo),
  platform: formField(z.string().max(100)),
  kind: formField(z.enum(['all', 'music', 'podcasts'])),
  cursor: formField(z.string().max(200)),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Keys of the personal pages (history/personalKeys.ts). */
export const personalArtistKey = z.string().regex(ARTIST_KEY, 'an artist key: 16 hex digits, optionally followed by "-" and a Spotify artist id');
export const personalTrackKey = z.string().regex(TRACK_KEY, 'a Spotify track id or "t" and 16 hex digits');
export const personalAlbumKey = z.string().regex(ALBUM_KEY, '"a" and 16 hex digits');

/**
 * Parses input with a schema; a failure is a 400 with `code`. The message is `message` when given,
 * else the first problem with the field it concerns ("limit: Too big: ...").
 */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown, code = 'invalid_query', message?: string | ((field: string) => string)): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.map(String).join('.');
  const text = typeof message === 'function' ? message(field) : message ?? `${field || 'input'}: ${issue.message}`;
  throw new BadRequest(text, code);
}

/** The JSON Schema of a parameter for the OpenAPI description, from the same zod schema the route uses. */
export function paramSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

/** OpenAPI query parameters from the zod object a route parses its query with. */
export function queryParameters(schema: z.ZodObject, descriptions: Record<string, string> = {}): Record<string, unknown>[] {
  const json = paramSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    ...(json.required?.includes(name) && s.default === undefined ? { required: true } : {}),
    ...(descriptions[name] ? { description: descriptions[name] } : {}),
    schema: s,
  }));
}
