import crypto from 'node:crypto';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';

export interface EmbeddedDynamo {
  /** http://127.0.0.1:<port>/<secret>: the path is the credential; keep it out of logs. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * dynalite (DynamoDB on LevelDB) in a worker thread: the database's CPU work (item validation,
 * LevelDB) runs on another core than the app, which talks to it over HTTP on 127.0.0.1 with the
 * same @aws-sdk/lib-dynamodb code it uses for AWS. Plain JavaScript, so it runs from src (jest) and
 * dist (node) alike.
 *
 * dynalite checks no credentials, and any local process can reach a loopback port. So the worker
 * answers only requests whose path starts with a random per-process secret, which the endpoint URL
 * carries (the AWS SDK keeps an endpoint's path); anything else gets DynamoDB's answer to bad
 * credentials. The secret exists only in this process's memory: never on disk or in the environment.
 */
const WORKER_SOURCE = `
const crypto = require('node:crypto');
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require(workerData.module);
const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const [handle] = server.listeners('request');
server.removeAllListeners('request');
const prefix = Buffer.from('/' + workerData.secret);
server.on('request', (req, res) => {
  const url = Buffer.from(req.url ?? '');
  const head = url.subarray(0, prefix.length);
  const next = url.length > prefix.length ? String.fromCharCode(url[prefix.length]) : '';
  if (head.length === prefix.length && crypto.timingSafeEqual(head, prefix) && (next === '' || next === '/' || next === '?')) {
    req.url = '/' + url.subarray(prefix.length + (next === '/' ? 1 : 0)).toString();
    return handle(req, res);
  }
  req.resume();
  res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.0' });
  res.end(JSON.stringify({ __type: 'com.amazon.coral.service#UnrecognizedClientException', message: 'The security token included in the request is invalid.' }));
});
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
  const secret = crypto.randomBytes(24).toString('base64url');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { module: require.resolve('dynalite'), path: opts.path, port: opts.port ?? 0, secret },
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
    endpoint: `http://127.0.0.1:${port}/${secret}`,
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
