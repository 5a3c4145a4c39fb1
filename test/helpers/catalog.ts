import request from 'supertest';
import type { Catalog } from '../../src/sandbox';

/** What the catalog says an artist's ingest must find, and the minimal Spotify request counts. */
export function expectedIngest(catalog: Catalog, artistId: string) {
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

export interface SandboxStats {
  total: number;
  by_endpoint: Record<string, number>;
}

export async function resetStats(sandboxUrl: string): Promise<void> {
  await request(sandboxUrl).post('/_sandbox/stats/reset').expect(200);
}

export async function getStats(sandboxUrl: string): Promise<SandboxStats> {
  return (await request(sandboxUrl).get('/_sandbox/stats').expect(200)).body as SandboxStats;
}

/** Spotify Web API requests (under /v1), by endpoint, leaving out the accounts service and enrichment. */
export function webApiCount(stats: SandboxStats, endpoint?: string): number {
  return Object.entries(stats.by_endpoint)
    .filter(([k]) => (endpoint ? k === endpoint : k.startsWith('GET /v1/')))
    .reduce((sum, [, n]) => sum + n, 0);
}
