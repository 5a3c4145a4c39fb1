import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
// dynalite ships no types; its default export builds an http.Server speaking the DynamoDB protocol.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite: (opts: Record<string, unknown>) => Server = require('dynalite');

export interface EmbeddedDynamo {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite (DynamoDB on LevelDB) on 127.0.0.1. With `path` the data persists there;
 * without it the database lives in memory (tests).
 */
export async function startEmbeddedDynamo(opts: { path?: string; port?: number } = {}): Promise<EmbeddedDynamo> {
  if (opts.path) fs.mkdirSync(opts.path, { recursive: true });
  const server = dynalite({ path: opts.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err?: Error) => (err ? reject(err) : resolve()));
        server.closeAllConnections?.();
      });
      return closing;
    },
  };
}
