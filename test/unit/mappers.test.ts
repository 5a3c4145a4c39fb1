import {
  toLoginProfile,
  albumType,
  playFromRecent,
  toAlbumRecord,
  toArtistFacts,
  toArtistHit,
  toArtistLite,
  toCatalogTrack,
  toRecentPlay,
  toSpotifyProfile,
  toTrackLite,
} from '../../src/spotify/mappers';

/** Small Spotify objects made here; only the fields a mapper reads, cast where the typings demand more. */
const TRACK_ID = '4uLU6hMCjMI75M1A2tKUQC';
const ARTIST_ID = '0LyfQWJT6nXafLPZqxe9Of';
const ALBUM_ID = '6akEvsycLGftJxYudPjmqK';

/** Real answers carry null sizes, which the typings do not allow: hence the cast. */
const images = (...sizes: (number | null)[]) => sizes.map((s, i) => ({ url: `https://img/${i}`, height: s, width: s })) as unknown as SpotifyApi.ImageObject[];

function track(over: Record<string, unknown> = {}): SpotifyApi.TrackObjectFull {
  return {
    type: 'track',
    id: TRACK_ID,
    name: 'Song',
    duration_ms: 200_000,
    popularity: 40,
    artists: [{ id: ARTIST_ID, name: 'Band' }],
    album: { id: ALBUM_ID, name: 'Record', release_date: '1983', images: images(640, 300, 64) },
    ...over,
  } as unknown as SpotifyApi.TrackObjectFull;
}

function recent(over: Record<string, unknown> = {}, trackOver: Record<string, unknown> = {}): SpotifyApi.PlayHistoryObject {
  return { played_at: '2026-03-01T10:00:00.000Z', context: null, track: track(trackOver), ...over } as unknown as SpotifyApi.PlayHistoryObject;
}

function album(over: Record<string, unknown> = {}): SpotifyApi.AlbumObjectFull {
  return {
    id: ALBUM_ID,
    name: 'Record',
    album_type: 'album',
    release_date: '1983',
    release_date_precision: 'year',
    total_tracks: 2,
    images: images(640, 300),
    external_urls: { spotify: 'https://open.spotify.com/album/x' },
    tracks: { items: [], total: 2 },
    ...over,
  } as unknown as SpotifyApi.AlbumObjectFull;
}

/** An artist object as Development Mode sends it: no genres, popularity or followers. */
const devModeArtist = { id: ARTIST_ID, name: 'Band', images: [], external_urls: { spotify: 'https://open.spotify.com/artist/x' } } as unknown as SpotifyApi.ArtistObjectFull;

describe('recently played -> history play', () => {
  it('maps a track play: ts is played_at, whole duration, the first artist, the album, the track id', () => {
    expect(playFromRecent(recent())).toEqual({
      ts: Date.parse('2026-03-01T10:00:00.000Z'), kind: 'music', name: 'Song', artist: 'Band', album: 'Record', trackId: TRACK_ID,
      ms: 200_000, skipped: null, shuffle: null, offline: null, incognito: null, platform: 'spotify-api', country: null,
    });
  });

  it('gives the same play whatever the context: null, a playlist, a show', () => {
    const plain = playFromRecent(recent({ context: null }));
    expect(playFromRecent(recent({ context: { type: 'playlist', uri: 'spotify:playlist:x', href: '', external_urls: {} } }))).toEqual(plain);
    expect(playFromRecent(recent({ context: { type: 'show', uri: 'spotify:show:x', href: '', external_urls: {} } }))).toEqual(plain);
  });

  it('skips episodes and malformed items (no track, no name, bad played_at)', () => {
    expect(playFromRecent(recent({}, { type: 'episode', name: 'Episode 1' }))).toBeNull();
    expect(playFromRecent(recent({ track: null }))).toBeNull();
    expect(playFromRecent(recent({}, { name: '' }))).toBeNull();
    expect(playFromRecent(recent({ played_at: 'yesterday' }))).toBeNull();
    expect(playFromRecent(null)).toBeNull();
  });

  it('keeps a local track (null id) as a play without a track id', () => {
    const play = playFromRecent(recent({}, { id: null, uri: null, is_local: true }));
    expect(play).toMatchObject({ name: 'Song', trackId: null });
  });

  it('clamps bad durations: none or negative is 0, more than a day is a day', () => {
    expect(playFromRecent(recent({}, { duration_ms: undefined }))?.ms).toBe(0);
    expect(playFromRecent(recent({}, { duration_ms: -5 }))?.ms).toBe(0);
    expect(playFromRecent(recent({}, { duration_ms: 90_000_000 }))?.ms).toBe(24 * 3600_000);
  });

  it('names an artist-less track "Unknown artist" and an album-less one null', () => {
    expect(playFromRecent(recent({}, { artists: [], album: undefined }))).toMatchObject({ artist: 'Unknown artist', album: null });
  });

  it('lists a recent play on the dashboard without a rank, card-sized album image', () => {
    expect(toRecentPlay(recent())).toEqual({
      played_at: '2026-03-01T10:00:00.000Z',
      track: {
        id: TRACK_ID, name: 'Song', artists: [{ id: ARTIST_ID, name: 'Band' }],
        album: { id: ALBUM_ID, name: 'Record', image: 'https://img/1', release_date: '1983' }, duration_ms: 200_000, popularity: 40,
      },
    });
  });
});

describe('catalog mapping (artist ingest)', () => {
  it('lower-cases an upper-case album_type on albums and their tracks', () => {
    expect(albumType('ALBUM')).toBe('album');
    expect(toAlbumRecord(album({ album_type: 'COMPILATION' })).album_type).toBe('compilation');
    const t = { id: TRACK_ID, name: 'Song', disc_number: 1, track_number: 1, duration_ms: 1000, explicit: false, artists: [] } as unknown as SpotifyApi.TrackObjectSimplified;
    expect(toCatalogTrack(t, album({ album_type: 'SINGLE' })).album_type).toBe('single');
  });

  it('keeps a year-precision release date as Spotify gives it ("1983", "year")', () => {
    const r = toAlbumRecord(album({ release_date: '1983', release_date_precision: 'year' }));
    expect([r.release_date, r.release_date_precision]).toEqual(['1983', 'year']);
  });

  it('maps an album without label, popularity or images (Development Mode) to nulls', () => {
    expect(toAlbumRecord(album({ images: [], external_urls: {} }))).toEqual({
      id: ALBUM_ID, name: 'Record', album_type: 'album', release_date: '1983', release_date_precision: 'year',
      total_tracks: 2, label: null, popularity: null, image: null, spotify_url: null,
    });
  });

  it('keeps label and popularity when Extended Quota gives them; total_tracks falls back to the track paging', () => {
    const r = toAlbumRecord(album({ label: 'Factory', popularity: 0, total_tracks: undefined, tracks: { items: [], total: 7 } }));
    expect([r.label, r.popularity, r.total_tracks]).toEqual(['Factory', 0, 7]);
  });

  it('uses the largest image even when its sizes are null', () => {
    expect(toAlbumRecord(album({ images: images(null, null) })).image).toBe('https://img/0');
  });

  it('maps an album track with its album, artist names, no invented popularity', () => {
    const t = {
      id: TRACK_ID, name: 'Song', disc_number: 2, track_number: 3, duration_ms: 1000, explicit: undefined,
      artists: [{ id: ARTIST_ID, name: 'Band' }, { id: 'x', name: 'Guest' }], external_urls: { spotify: 'https://open.spotify.com/track/x' },
    } as unknown as SpotifyApi.TrackObjectSimplified;
    expect(toCatalogTrack(t, album())).toEqual({
      id: TRACK_ID, name: 'Song', album_id: ALBUM_ID, album_name: 'Record', album_type: 'album', release_date: '1983',
      disc_number: 2, track_number: 3, duration_ms: 1000, explicit: false, popularity: null, artists: ['Band', 'Guest'],
      spotify_url: 'https://open.spotify.com/track/x',
    });
  });

  it('maps a Development Mode artist: absent genres, popularity and followers are null, not 0 or []', () => {
    expect(toArtistFacts(devModeArtist)).toEqual({ name: 'Band', genres: null, popularity: null, followers: null, image: null, spotify_url: 'https://open.spotify.com/artist/x' });
  });

  it('maps an Extended Quota artist with zero popularity and followers as 0', () => {
    const a = { ...devModeArtist, genres: ['post-punk'], popularity: 0, followers: { href: null, total: 0 }, images: images(640, 320) } as SpotifyApi.ArtistObjectFull;
    expect(toArtistFacts(a)).toMatchObject({ genres: ['post-punk'], popularity: 0, followers: 0, image: 'https://img/0' });
  });
});

describe('search hits, dashboard items and the profile', () => {
  it('a Development Mode search hit has [] genres and null popularity/followers/image', () => {
    expect(toArtistHit(devModeArtist)).toEqual({ id: ARTIST_ID, name: 'Band', genres: [], popularity: null, followers: null, image: null });
  });

  it('a search hit shows the second-smallest image (the only one when there is one)', () => {
    expect(toArtistHit({ ...devModeArtist, images: images(640, 320, 160) }).image).toBe('https://img/1');
    expect(toArtistHit({ ...devModeArtist, images: images(640) }).image).toBe('https://img/0');
  });

  it('a top artist without popularity maps to null; its card image is the second one', () => {
    expect(toArtistLite({ ...devModeArtist, images: images(640, 300, 64) }, 3, ['rock'])).toEqual({
      rank: 3, id: ARTIST_ID, name: 'Band', image: 'https://img/1', genres: ['rock'], popularity: null,
    });
  });

  it('a top track without an album or popularity (Development Mode) still maps, with empty album fields', () => {
    expect(toTrackLite(track({ album: undefined, popularity: undefined, artists: undefined }), 1)).toEqual({
      rank: 1, id: TRACK_ID, name: 'Song', artists: [], album: { id: '', name: '', image: null, release_date: '' }, duration_ms: 200_000, popularity: null,
    });
  });

  it('maps /me: display name falls back to the id; product and country null when absent', () => {
    const me = { id: 'rin', display_name: null, images: [], external_urls: { spotify: 'https://open.spotify.com/user/rin' } } as unknown as SpotifyApi.CurrentUsersProfileResponse;
    expect(toSpotifyProfile(me)).toEqual({ displayName: 'rin', imageUrl: null, product: null, country: null, spotifyUrl: 'https://open.spotify.com/user/rin' });
  });

  it('maps the login profile: account_id (May 2026) is the key when present, Development Mode leaves country and product null', () => {
    expect(toLoginProfile({ id: 'classic', displayName: '', photos: [], _json: { account_id: 'acct-1' } })).toEqual({
      id: 'acct-1', displayName: 'classic', imageUrl: null, country: null, product: null,
    });
    expect(toLoginProfile({ id: 'ava', displayName: 'Ava', photos: [{ value: 'https://i.example/a.jpg' }], _json: { country: 'DE', product: 'premium' } })).toEqual({
      id: 'ava', displayName: 'Ava', imageUrl: 'https://i.example/a.jpg', country: 'DE', product: 'premium',
    });
  });
});
