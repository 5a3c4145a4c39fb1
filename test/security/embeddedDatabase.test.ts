import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../src/store/embedded';
import { Store } from '../../src/store/Store';

/** What another local process could do: find the port (e.g. with `ss -ltnp`) and speak DynamoDB to it. */
function intruder(endpoint: string): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return DynamoDBDocumentClient.from(client);
}

describe('attack: another local process reading the embedded database', () => {
  let dynamo: EmbeddedDynamo;
  let store: Store;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    store = new Store({ endpoint: dynamo.endpoint, tablePrefix: '' });
    await store.ensureTables();
    await store.doc.send(new ScanCommand({ TableName: store.tables.app })); // the app itself is served
  });
  afterAll(async () => {
    store.destroy();
    await dynamo.close();
  });

  it('listens on 127.0.0.1 only', () => {
    expect(new URL(dynamo.endpoint).hostname).toBe('127.0.0.1');
  });

  it('a client that knows the port but not the per-process secret cannot list tables or scan sessions', async () => {
    const port = new URL(dynamo.endpoint).port;
    for (const endpoint of [`http://127.0.0.1:${port}`, `http://127.0.0.1:${port}/guess`, `http://127.0.0.1:${port}/${'A'.repeat(32)}`]) {
      const client = intruder(endpoint);
      try {
        await expect(client.send(new ListTablesCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
        await expect(client.send(new ScanCommand({ TableName: store.tables.app }))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
      } finally {
        client.destroy();
      }
    }
  });

  it('two embedded databases have different secrets', async () => {
    const other = await startEmbeddedDynamo();
    try {
      expect(new URL(other.endpoint).pathname).not.toBe(new URL(dynamo.endpoint).pathname);
      const crossed = intruder(`http://127.0.0.1:${new URL(other.endpoint).port}${new URL(dynamo.endpoint).pathname}`);
      await expect(crossed.send(new ListTablesCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
      crossed.destroy();
    } finally {
      await other.close();
    }
  });
});
