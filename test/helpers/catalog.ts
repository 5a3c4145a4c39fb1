import request from 'supertest';
import { minimalIngest } from '../../src/sandbox';

/** What the catalog says an artist's ingest must find, and the minimal Spotify request counts. */
export const expectedIngest = minimalIngest;

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
