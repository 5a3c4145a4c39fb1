import fs from 'node:fs';
import { Worker } from 'node:worker_threads';

export interface EmbeddedDynamo {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * dynalite (DynamoDB on LevelDB) in a worker thread: the database's CPU work (item validation,
 * LevelDB) runs on another core than the app, which talks to it over HTTP on 127.0.0.1 with the
 * same @aws-sdk/lib-dynamodb code it uses for AWS. Plain JavaScript, so it runs from src (jest) and
 * dist (node) alike.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require(workerData.module);
const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.on('error', (err) => parentPort.postMessage({ error: err.message }));
server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (msg) => {
  if (msg !== 'close') return;
  server.close(() => parentPort.postMessage({ closed: true }));
  server.closeAllConnections();
});
`;

/**
 * Starts embedded DynamoDB. With `path` the data persists there (LevelDB); without it the database
 * lives in memory (tests).
 */
export async function startEmbeddedDynamo(opts: { path?: string; port?: number } = {}): Promise<EmbeddedDynamo> {
  if (opts.path) fs.mkdirSync(opts.path, { recursive: true });
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { module: require.resolve('dynalite'), path: opts.path, port: opts.port ?? 0 },
    // On disk (LevelDB) the database needs little heap; a bound keeps its memory flat. In memory
    // (tests) it holds all data, so it is left unbounded.
    resourceLimits: opts.path ? { maxOldGenerationSizeMb: 128 } : undefined,
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { port?: number; error?: string }) => (m.port ? resolve(m.port) : reject(new Error(`dynalite: ${m.error}`))));
  });
  worker.unref();
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const done = () => void worker.terminate().then(() => resolve());
        // LevelDB is closed by dynalite's server.close; give it a moment, then end the thread.
        const timer = setTimeout(done, 10_000);
        worker.on('message', (m: { closed?: boolean }) => {
          if (m.closed) {
            clearTimeout(timer);
            done();
          }
        });
        worker.on('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        worker.postMessage('close');
      });
      return closing;
    },
  };
}
