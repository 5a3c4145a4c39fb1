import type { ArtistView } from '../services/ArtistService';

/**
 * The artist page's data for its static script (charts and the track table), column-oriented to
 * keep the page small even for an artist with thousands of tracks.
 */
export function chartData(view: ArtistView) {
  const albumIndex = new Map(view.albums.map((a, i) => [a.id, i]));
  const t = view.tracks;
  return {
    artist: { id: view.artist.id, name: view.artist.name },
    albums: view.albums.map((a) => ({ id: a.id, name: a.name, type: a.album_type, date: a.release_date, tracks: a.total_tracks })),
    tracks: {
      id: t.map((x) => x.id),
      name: t.map((x) => x.name),
      album: t.map((x) => albumIndex.get(x.album_id) ?? -1),
      disc: t.map((x) => x.disc_number),
      number: t.map((x) => x.track_number),
      duration_ms: t.map((x) => x.duration_ms),
      explicit: t.map((x) => x.explicit),
      popularity: t.map((x) => x.popularity),
      tempo: t.map((x) => x.tempo),
      energy: t.map((x) => x.energy),
      danceability: t.map((x) => x.danceability),
      valence: t.map((x) => x.valence),
      acousticness: t.map((x) => x.acousticness),
      key: t.map((x) => x.key),
      mode: t.map((x) => x.mode),
    },
  };
}

/**
 * JSON safe to place inside `<script type="application/json">`: `<`, `>` and `&` are escaped as
 * \u sequences so a name like `</script>` cannot close the element; U+2028/2029 likewise.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
