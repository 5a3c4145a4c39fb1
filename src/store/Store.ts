import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Metrics } from '../metrics';
import { Limiter } from '../util/Limiter';
import { sleep } from '../util/sleep';

export interface StoreOptions {
  endpoint?: string;
  region?: string;
  tablePrefix: string;
  metrics?: Metrics;
  /** Attempts per DynamoDB call for throttling and 5xx (the SDK backs off between them). */
  maxAttempts?: number;
  /**
   * The endpoint is this process's embedded dynalite (embedded.ts): requests go unsigned (embeddedSigner).
   * Never set for AWS or any other endpoint.
   */
  embedded?: boolean;
}

export type Item = Record<string, unknown>;
type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

export interface BatchOptions {
  maxRetries?: number;
  baseDelayMs?: number;
  /** BatchWriteItem requests in flight at once. */
  concurrency?: number;
  /** BatchGetItem with strongly consistent reads. */
  consistentRead?: boolean;
}

/**
 * The request signer for the embedded database only. dynalite checks that an Authorization header
 * has SigV4's form (algorithm, Credential, SignedHeaders, Signature) and that a date header is
 * there, never the signature itself; what keeps other processes out is the endpoint's secret path
 * (embedded.ts). So a fixed header of that form replaces SigV4, which hashes every request body
 * and derives a key on the event loop (an import's thousands of BatchWrites of day items paid for it).
 */
const embeddedSigner = {
  async sign<R extends { headers: Record<string, string> }>(request: R): Promise<R> {
    const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    request.headers['x-amz-date'] = date;
    request.headers.authorization = `AWS4-HMAC-SHA256 Credential=local/${date.slice(0, 8)}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=embedded`;
    return request;
  },
};

/** Largest BatchWriteItem DynamoDB accepts. */
export const BATCH_WRITE_MAX = 25;

export class StoreError extends Error {
  override name = 'StoreError';
}

/**
 * The one place that owns the DynamoDB client. Repositories use `doc` with the table names here;
 * nothing outside src/store speaks DynamoDB.
 */
export class Store {
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly tables: { catalog: string; app: string };

  constructor(opts: StoreOptions) {
    const local = Boolean(opts.endpoint) && !opts.region;
    this.client = new DynamoDBClient({
      endpoint: opts.endpoint,
      region: opts.region ?? 'us-east-1',
      // Throttling is retried with backoff by the SDK; eight attempts ride out bursts (see the fault suite).
      maxAttempts: opts.maxAttempts ?? 8,
      // A local endpoint (dynalite, DynamoDB Local) accepts any credentials; AWS uses the default chain.
      ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
      ...(opts.embedded && local ? { signer: embeddedSigner } : {}),
    });
    if (opts.metrics) {
      const counter = opts.metrics.dynamoRequests;
      this.client.middlewareStack.add(
        (next, context) => async (args) => {
          counter.inc({ operation: String(context.commandName ?? 'unknown').replace(/Command$/, '') });
          return next(args);
        },
        { step: 'initialize', name: 'countDynamoRequests' },
      );
    }
    this.doc = DynamoDBDocumentClient.from(this.client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    this.tables = { catalog: `${opts.tablePrefix}spotify`, app: `${opts.tablePrefix}app` };
  }

  /** Creates the tables that are missing (on-demand billing) and waits until they are active. */
  async ensureTables(): Promise<string[]> {
    const existing = new Set<string>();
    let start: string | undefined;
    do {
      const page = await this.client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
      for (const t of page.TableNames ?? []) existing.add(t);
      start = page.LastEvaluatedTableName;
    } while (start);

    const definitions = [
      { name: this.tables.catalog, hash: 'artist_id', range: 'track_id' },
      { name: this.tables.app, hash: 'pk', range: 'sk' },
    ];
    const created: string[] = [];
    for (const d of definitions) {
      if (existing.has(d.name)) continue;
      try {
        await this.client.send(
          new CreateTableCommand({
            TableName: d.name,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [
              { AttributeName: d.hash, AttributeType: 'S' },
              { AttributeName: d.range, AttributeType: 'S' },
            ],
            KeySchema: [
              { AttributeName: d.hash, KeyType: 'HASH' },
              { AttributeName: d.range, KeyType: 'RANGE' },
            ],
          }),
        );
        created.push(d.name);
      } catch (err) {
        // Another worker may have created it a moment ago.
        if ((err as Error).name !== 'ResourceInUseException') throw err;
      }
      await waitUntilTableExists({ client: this.client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: d.name });
    }
    return created;
  }

  /** A cheap call that proves the database answers (for /readyz). */
  async ping(): Promise<void> {
    try {
      await this.client.send(new DescribeTableCommand({ TableName: this.tables.app }));
    } catch (err) {
      if (err instanceof ResourceNotFoundException) throw new StoreError(`table ${this.tables.app} is missing`);
      throw err;
    }
  }

  /**
   * Writes items in BatchWriteItem requests of 25 and retries UnprocessedItems with exponential
   * backoff and jitter. Throws StoreError when items stay unprocessed, so nothing is dropped silently.
   * Returns the number of BatchWriteItem requests issued.
   */
  batchPut(table: string, items: Item[], opts?: BatchOptions): Promise<number> {
    return this.batchWrite(table, items.map((Item) => ({ PutRequest: { Item } })), opts);
  }

  /** Every item a Query matches, following LastEvaluatedKey across pages. */
  async queryAll(input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...((page.Items as Item[] | undefined) ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** BatchGetItem in requests of 100 keys, retrying UnprocessedKeys with backoff. */
  async batchGet(table: string, keys: Item[], opts: BatchOptions = {}): Promise<Item[]> {
    const maxRetries = opts.maxRetries ?? 10;
    // The requests of 100 keys run side by side (each with its own UnprocessedKeys retries): a read of
    // 300 keys takes one round trip, not three.
    const one = async (chunk: Item[]): Promise<Item[]> => {
      const out: Item[] = [];
      let pending = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > maxRetries) throw new StoreError(`BatchGet from ${table}: ${pending.length} keys still unprocessed after ${maxRetries} retries`);
        if (attempt > 0) await sleep(backoff(opts.baseDelayMs ?? 50, attempt));
        const res = await this.doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ...(opts.consistentRead ? { ConsistentRead: true } : {}) } } }));
        out.push(...((res.Responses?.[table] as Item[] | undefined) ?? []));
        pending = (res.UnprocessedKeys?.[table]?.Keys as Item[] | undefined) ?? [];
      }
      return out;
    };
    const chunks: Item[][] = [];
    for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
    return (await Promise.all(chunks.map(one))).flat();
  }

  batchDelete(table: string, keys: Item[], opts?: BatchOptions): Promise<number> {
    return this.batchWrite(table, keys.map((Key) => ({ DeleteRequest: { Key } })), opts);
  }

  private async batchWrite(table: string, requests: WriteRequest[], opts: BatchOptions = {}): Promise<number> {
    const maxRetries = opts.maxRetries ?? 10;
    const baseDelay = opts.baseDelayMs ?? 50;
    const chunks: WriteRequest[][] = [];
    for (let i = 0; i < requests.length; i += BATCH_WRITE_MAX) chunks.push(requests.slice(i, i + BATCH_WRITE_MAX));
    let sent = 0;
    const writeChunk = async (chunk: WriteRequest[]) => {
      let pending = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > maxRetries) {
          throw new StoreError(`BatchWrite to ${table}: ${pending.length} items still unprocessed after ${maxRetries} retries`);
        }
        if (attempt > 0) await sleep(backoff(baseDelay, attempt));
        sent++;
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending as never } }));
        pending = (out.UnprocessedItems?.[table] as WriteRequest[] | undefined) ?? [];
      }
    };
    const limiter = new Limiter(opts.concurrency ?? 4);
    await limiter.map(chunks, writeChunk);
    return sent;
  }

  destroy(): void {
    this.client.destroy();
  }
}

/** Full-jitter exponential backoff, capped at 5 s. */
export function backoff(baseMs: number, attempt: number, capMs = 5000): number {
  return Math.round(Math.random() * Math.min(capMs, baseMs * 2 ** attempt));
}
