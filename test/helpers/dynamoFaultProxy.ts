import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DynamoFaults {
  /** Share of requests answered 400 ThrottlingException. */
  throttle: number;
  /** Share of requests answered 400 ProvisionedThroughputExceededException. */
  throughput: number;
  /** Share of BatchWriteItem / BatchGetItem calls of which only half is done, the rest returned unprocessed. */
  partialBatch: number;
  /** Only these operations (e.g. ['BatchWriteItem']) get throttling faults; default every data call. */
  only?: string[];
}

export interface FaultCounts {
  requests: number;
  throttled: number;
  throughputExceeded: number;
  partialBatches: number;
  unprocessedReturned: number;
}

/** Deterministic PRNG, so fault runs repeat. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A small HTTP proxy in front of dynalite that injects the faults real DynamoDB produces under load:
 * throttling errors (which the AWS SDK retries) and partial batches (which the app must retry).
 * Table management calls pass through untouched.
 */
export async function startDynamoFaultProxy(target: string, faults: DynamoFaults, seed = 42) {
  const random = mulberry32(seed);
  const counts: FaultCounts = { requests: 0, throttled: 0, throughputExceeded: 0, partialBatches: 0, unprocessedReturned: 0 };
  const state = { enabled: true, faults };
  const upstream = new URL(target);

  const forward = (body: string, headers: http.IncomingHttpHeaders) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.request(
        { host: upstream.hostname, port: upstream.port, path: upstream.pathname, method: 'POST', headers: { ...headers, host: upstream.host, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (data += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 500, headers: res.headers, body: data }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const op = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const dataCall = !/Table|Tables|TimeToLive|Tags/.test(op);
      counts.requests++;
      const fail = (type: string, message: string) => {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fault' });
        res.end(JSON.stringify({ __type: type, message }));
      };
      if (state.enabled && dataCall && (!state.faults.only || state.faults.only.includes(op))) {
        const r = random();
        if (r < state.faults.throttle) {
          counts.throttled++;
          return fail('com.amazon.coral.availability#ThrottlingException', 'Rate of requests exceeds the allowed throughput.');
        }
        if (r < state.faults.throttle + state.faults.throughput) {
          counts.throughputExceeded++;
          return fail('com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded.');
        }
      }
      try {
        if (state.enabled && (op === 'BatchWriteItem' || op === 'BatchGetItem') && random() < state.faults.partialBatch) {
          const parsed = JSON.parse(body) as { RequestItems: Record<string, unknown> };
          const kept: Record<string, unknown> = {};
          const left: Record<string, unknown> = {};
          for (const [table, value] of Object.entries(parsed.RequestItems)) {
            const list = op === 'BatchWriteItem' ? (value as unknown[]) : (value as { Keys: unknown[] }).Keys;
            const half = Math.ceil(list.length / 2);
            counts.unprocessedReturned += list.length - half;
            if (op === 'BatchWriteItem') {
              kept[table] = list.slice(0, half);
              if (list.length > half) left[table] = list.slice(half);
            } else {
              kept[table] = { ...(value as object), Keys: list.slice(0, half) };
              if (list.length > half) left[table] = { ...(value as object), Keys: list.slice(half) };
            }
          }
          counts.partialBatches++;
          const answer = await forward(JSON.stringify({ ...parsed, RequestItems: kept }), req.headers);
          const out = JSON.parse(answer.body) as Record<string, unknown>;
          if (answer.status === 200) out[op === 'BatchWriteItem' ? 'UnprocessedItems' : 'UnprocessedKeys'] = left;
          res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
          return res.end(JSON.stringify(out));
        }
        const answer = await forward(body, req.headers);
        res.writeHead(answer.status, { 'content-type': String(answer.headers['content-type'] ?? 'application/x-amz-json-1.0') });
        res.end(answer.body);
      } catch (err) {
        res.writeHead(500);
        res.end(String(err));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    /** Turns faults off (or on again), e.g. for the reading half of a test. */
    setEnabled(on: boolean) {
      state.enabled = on;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
