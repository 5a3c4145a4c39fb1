import type { Readable } from 'node:stream';
import axios from 'axios';
import { UpstreamNotFound } from '../errors';

/**
 * Demo mode only: the sandbox (Spotify's stand-in) generates a "Download your data" export for each
 * demo listener; this fetches it as a stream so the one-click demo import uses the real upload path.
 */
export class DemoExports {
  constructor(private readonly accountsUrl: string) {}

  async extendedHistory(listenerId: string): Promise<Readable> {
    const url = `${this.accountsUrl}/_sandbox/listeners/${encodeURIComponent(listenerId)}/export.json`;
    const answer = await axios.get<Readable>(url, { responseType: 'stream', validateStatus: () => true, timeout: 30_000 });
    if (answer.status !== 200) {
      answer.data.resume();
      throw new UpstreamNotFound('The sandbox has no demo export for this listener.');
    }
    return answer.data;
  }
}
