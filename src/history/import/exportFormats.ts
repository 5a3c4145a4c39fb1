/**
 * The formats of Spotify's data export, recognised by the keys of a file's first entry (the file
 * name is only a hint: people rename and re-zip), and their entries mapped onto one `Play` shape.
 * Entries are untrusted: anything malformed is reported, never guessed.
 *
 * - Account data, {endTime: "2024-01-31 23:59" (UTC, minute), msPlayed, ...}:
 *   `StreamingHistory_music_N.json` and the older `StreamingHistoryN.json` {artistName, trackName}
 *   (the older one mixes podcast episodes in, with the show as artistName);
 *   `StreamingHistory_podcast_N.json` {podcastName, episodeName};
 *   `StreamingHistory_audiobook_N.json` {audiobookName, chapterName, authorName}.
 * - Extended streaming history: `Streaming_History_Audio_<years>[_<n>].json`, `Streaming_History_Video_*`
 *   and the older `endsong_N.json`: {ts: "2019-06-01T12:34:56Z" (end of play, UTC), ms_played,
 *   master_metadata_*, spotify_track_uri, episode_*, audiobook_*, reason_start, reason_end, shuffle,
 *   skipped, offline, incognito_mode, platform, conn_country, ...}. Video files are podcasts' video
 *   plays: kept with episodes.
 */
import { InvalidEntry, type Play, type PlayKind } from '../play';
import { isSpotifyId } from '../../spotify/ids';

export type HistoryFormat = 'account' | 'account-podcast' | 'account-audiobook' | 'extended';

/** The format a file's name suggests (null: no Spotify history name); its content decides (formatOfEntry). */
export function formatOf(path: string): HistoryFormat | null {
  const name = path.split('/').pop() ?? '';
  if (/^StreamingHistory_podcast_\d+\.json$/i.test(name)) return 'account-podcast';
  if (/^StreamingHistory_audiobook_\d+\.json$/i.test(name)) return 'account-audiobook';
  if (/^StreamingHistory(_music)?_?\d+\.json$/i.test(name)) return 'account';
  if (/^(Streaming_History_(Audio|Video)_.*|endsong_\d+)\.json$/i.test(name)) return 'extended';
  return null;
}

/** The format of a history file from its first entry's keys, or null when it is no listening history. */
export function formatOfEntry(entry: Record<string, unknown>): HistoryFormat | null {
  if ('ts' in entry && ('ms_played' in entry || 'master_metadata_track_name' in entry)) return 'extended';
  if (!('endTime' in entry) || !('msPlayed' in entry)) return null;
  if ('episodeName' in entry || 'podcastName' in entry) return 'account-podcast';
  if ('audiobookName' in entry || 'chapterName' in entry) return 'account-audiobook';
  if ('trackName' in entry || 'artistName' in entry) return 'account';
  return null;
}

const str = (v: unknown, max = 500): string | null => (typeof v === 'string' && v.length > 0 && v.trim() !== '' ? (v.length > max ? v.slice(0, max) : v) : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);

function msPlayed(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 24 * 3600_000) throw new InvalidEntry(`invalid ms_played ${JSON.stringify(v)}`);
  return Math.round(v);
}

const platformCache = new Map<string, string>();

/** Simplifies platform strings such as "Android OS 9 API 28 (samsung, SM-G960F)" to "Android". */
export function platformName(raw: string | null): string | null {
  if (!raw) return null;
  let name = platformCache.get(raw);
  if (name === undefined) {
    name = simplifyPlatform(raw);
    if (platformCache.size < 10_000) platformCache.set(raw, name);
  }
  return name;
}

function simplifyPlatform(raw: string): string {
  const p = raw.toLowerCase();
  if (p.includes('android')) return 'Android';
  if (p.includes('ios') || p.includes('iphone') || p.includes('ipad')) return 'iOS';
  if (p.includes('windows')) return 'Windows';
  if (p.includes('os x') || p.includes('osx') || p.includes('macos') || p.includes('mac os')) return 'macOS';
  if (p.includes('linux')) return 'Linux';
  if (p.includes('web') || p.includes('browser')) return 'Web player';
  if (p.includes('cast') || p.includes('speaker') || p.includes('sonos') || p.includes('echo') || p.includes('tv')) return 'Speakers & TV';
  return raw.slice(0, 40);
}

/**
 * Whether a play was skipped, from why it ended, for entries whose `skipped` is null (old
 * endsong files: almost all). The person moved on before the end (fwdbtn: next, backbtn:
 * previous, clickrow: picked another track) = skipped; the track ran out (trackdone) or the person
 * stopped playback (endplay) = not skipped; anything else (logout, remote, unexpected-exit, ...)
 * says nothing about a skip: unknown.
 */
export function skipFromReasonEnd(reason: unknown): boolean | null {
  if (reason === 'fwdbtn' || reason === 'backbtn' || reason === 'clickrow') return true;
  if (reason === 'trackdone' || reason === 'endplay') return false;
  return null;
}

/** Maps one entry, or returns null for entries that are no play at all (no track, episode or chapter). */
export function toPlay(format: HistoryFormat, e: Record<string, unknown>): Play | null {
  if (format === 'extended') {
    const ts = Date.parse(String(e.ts ?? ''));
    if (!Number.isFinite(ts)) throw new InvalidEntry(`invalid ts ${JSON.stringify(e.ts)}`);
    const ms = msPlayed(e.ms_played);
    const track = str(e.master_metadata_track_name);
    let kind: PlayKind;
    let name: string;
    let artist: string;
    let album: string | null = null;
    let trackId: string | null = null;
    if (track) {
      kind = 'music';
      name = track;
      artist = str(e.master_metadata_album_artist_name) ?? 'Unknown artist';
      album = str(e.master_metadata_album_album_name);
      const uri = e.spotify_track_uri;
      // "spotify:track:" + 22 base62 characters
      if (typeof uri === 'string' && uri.length === 36 && uri.startsWith('spotify:track:') && isSpotifyId(uri.slice(14))) trackId = uri.slice(14);
    } else {
      const episode = str(e.episode_name);
      const chapter = episode ? null : (str(e.audiobook_chapter_title) ?? str(e.audiobook_title));
      if (episode) {
        kind = 'episode';
        name = episode;
        artist = str(e.episode_show_name) ?? 'Unknown show';
      } else if (chapter) {
        kind = 'audiobook';
        name = chapter;
        artist = str(e.audiobook_title) ?? 'Unknown audiobook';
      } else {
        return null;
      }
    }
    const skipped = bool(e.skipped);
    const inferred = skipped === null ? skipFromReasonEnd(e.reason_end) : null;
    const play: Play = {
      ts, kind, name, artist, album, trackId, ms,
      skipped: skipped ?? inferred,
      shuffle: bool(e.shuffle),
      offline: bool(e.offline),
      incognito: bool(e.incognito_mode),
      platform: platformName(str(e.platform)),
      country: str(e.conn_country, 4),
    };
    if (inferred !== null) play.skipInferred = true;
    return play;
  }
  // Account data: "2024-01-31 23:59" in UTC.
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(String(e.endTime ?? ''));
  if (!m) throw new InvalidEntry(`invalid endTime ${JSON.stringify(e.endTime)}`);
  const ts = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  const ms = msPlayed(e.msPlayed);
  const common = { ts, ms, skipped: null, shuffle: null, offline: null, incognito: null, platform: null, country: null, album: null, trackId: null };
  if (format === 'account-audiobook') {
    const chapter = str(e.chapterName) ?? str(e.audiobookName);
    return chapter ? { ...common, kind: 'audiobook', name: chapter, artist: str(e.audiobookName) ?? 'Unknown audiobook' } : null;
  }
  if (format === 'account-podcast') {
    const episode = str(e.episodeName);
    return episode ? { ...common, kind: 'episode', name: episode, artist: str(e.podcastName) ?? 'Unknown show' } : null;
  }
  const track = str(e.trackName);
  if (!track) return null;
  return { ...common, kind: 'music', name: track, artist: str(e.artistName) ?? 'Unknown artist' };
}
