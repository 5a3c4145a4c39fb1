/**
 * Synthetic fixtures that each reproduce one quirk of real Spotify data (see
 * test/fixtures/QUIRKS.md for where each quirk was seen). Names and ids are made up.
 * test/unit/fixtures.test.ts checks that every fixture still shows the quirk it claims.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { makeZip } from './zip';

export const FIXTURES_DIR = path.join(__dirname, '..', 'fixtures');

export type SpotifyFixture =
  | 'artist-albums-market-copies'
  | 'albums-market-copies-full'
  | 'albums-same-name-different-tracks'
  | 'track-embedded-album-type-upper-case'
  | 'albums-release-date-precision'
  | 'album-images-empty'
  | 'image-size-null'
  | 'track-preview-url-string'
  | 'track-relinked-linked-from'
  | 'track-restricted-market'
  | 'playlist-items-local-track'
  | 'recently-played-contexts';

/** Export fixtures: quirk → the file, under the exact name Spotify (or a person re-zipping) gives it. */
export const EXPORT_FIXTURES = {
  'mixed-podcasts': 'StreamingHistory0.json',
  'split-music': 'StreamingHistory_music_0.json',
  'split-podcast': 'StreamingHistory_podcast_0.json',
  'split-audiobook': 'StreamingHistory_audiobook_0.json',
  'same-minute-replay': 'StreamingHistory_music_0.json',
  'endsong-skipped-null': 'endsong_0.json',
  'audio-years-index': 'Streaming_History_Audio_2019-2021_0.json',
  'audio-year-no-index': 'Streaming_History_Audio_2023.json',
  'same-second-distinct': 'Streaming_History_Audio_2024_1.json',
  video: 'Streaming_History_Video_2022-2024.json',
  'rezipped-name': 'StreamingHistory1 (1).json',
} as const;
export type ExportFixture = keyof typeof EXPORT_FIXTURES;

export const SPOTIFY_FIXTURES: SpotifyFixture[] = [
  'artist-albums-market-copies', 'albums-market-copies-full', 'albums-same-name-different-tracks',
  'track-embedded-album-type-upper-case', 'albums-release-date-precision', 'album-images-empty', 'image-size-null',
  'track-preview-url-string', 'track-relinked-linked-from', 'track-restricted-market', 'playlist-items-local-track',
  'recently-played-contexts',
];

export const spotifyFixturePath = (name: SpotifyFixture): string => path.join(FIXTURES_DIR, 'spotify', `${name}.json`);
export const exportFixturePath = (quirk: ExportFixture): string => path.join(FIXTURES_DIR, 'exports', quirk, EXPORT_FIXTURES[quirk]);

/** A Spotify Web API response fixture, parsed (a fresh copy each call: tests may mutate it). */
export function loadSpotifyFixture<T = unknown>(name: SpotifyFixture): T {
  return JSON.parse(readFileSync(spotifyFixturePath(name), 'utf8')) as T;
}

/** The raw bytes of an export fixture, as an upload would carry them. */
export const exportFixtureBytes = (quirk: ExportFixture): Buffer => readFileSync(exportFixturePath(quirk));

export function loadExportFixture<T = Array<Record<string, unknown>>>(quirk: ExportFixture): T {
  return JSON.parse(exportFixtureBytes(quirk).toString('utf8')) as T;
}

export interface ExportZipOptions {
  /** Folder the files sit in inside the zip, as Spotify's own zips do; default 'Spotify Account Data/'. */
  folder?: string;
  /** Add the `__MACOSX/._<name>` AppleDouble entries a Mac's "Compress" adds next to each file. */
  macosx?: boolean;
  /** Put the zip inside another zip (people forward the download as an attachment and re-zip it). */
  nested?: boolean;
  /** Override an entry's file name (e.g. two fixtures that share a Spotify name). */
  rename?: Partial<Record<ExportFixture, string>>;
}

/** A zip of several export fixtures, with the wrappers people's real zips carry. */
export function buildExportZip(quirks: ExportFixture[], opts: ExportZipOptions = {}): Buffer {
  const folder = opts.folder ?? 'Spotify Account Data/';
  const entries: { name: string; data: Buffer }[] = [];
  for (const quirk of quirks) {
    const name = `${folder}${opts.rename?.[quirk] ?? EXPORT_FIXTURES[quirk]}`;
    entries.push({ name, data: exportFixtureBytes(quirk) });
    if (opts.macosx) {
      // AppleDouble resource fork: binary, not JSON, under a ._ name that ends in .json.
      const dir = path.posix.dirname(name);
      const appleDouble = Buffer.concat([Buffer.from([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00]), Buffer.from('Mac OS X        ')]);
      entries.push({ name: `__MACOSX/${dir === '.' ? '' : `${dir}/`}._${path.posix.basename(name)}`, data: appleDouble });
    }
  }
  const zip = makeZip(entries);
  return opts.nested ? makeZip([{ name: 'my_spotify_data.zip', data: zip, deflate: false }]) : zip;
}
