import type { Catalog } from './catalog';

/**
 * What an ingest of `artistId` must find in this catalog, and the fewest Spotify requests it can
 * take (SPOTIFY.md): A releases, T tracks, x extra track pages (albums over 50 tracks).
 */
export function minimalIngest(catalog: Catalog, artistId: string) {
  const artist = catalog.artists.get(artistId);
  if (!artist) throw new Error(`no artist ${artistId} in the catalog`);
  const A = artist.albumIds.length;
  let T = 0;
  let x = 0;
  for (const albumId of artist.albumIds) {
    const n = catalog.albums.get(albumId)!.trackIds.length;
    T += n;
    x += Math.max(0, Math.ceil((n - 50) / 50));
  }
  return {
    albums: A,
    tracks: T,
    extraPages: x,
    extended: 1 + Math.ceil(A / 50) + Math.ceil(A / 20) + x + Math.ceil(T / 100),
    development: 1 + Math.ceil(A / 10) + A + x,
  };
}
