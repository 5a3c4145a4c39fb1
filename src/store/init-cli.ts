import dotenv from 'dotenv';
import { ConfigError, readEnvironment } from '../config';
import { Store } from './Store';

/** `npm run db:init`: creates the tables on AWS (or DYNAMODB_ENDPOINT) when they are missing. */
async function main(): Promise<void> {
  dotenv.config({ quiet: true });
  const config = readEnvironment(process.env);
  if (config.dynamo.embedded) {
    console.error('db:init needs AWS_REGION or DYNAMODB_ENDPOINT; the embedded database creates its tables at start-up.');
    process.exit(2);
  }
  const store = new Store({ endpoint: config.dynamo.endpoint, region: config.dynamo.region, tablePrefix: config.dynamo.tablePrefix });
  const created = await store.ensureTables();
  console.log(created.length ? `created: ${created.join(', ')}` : `tables already exist: ${Object.values(store.tables).join(', ')}`);
  store.destroy();
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `db:init failed: ${(err as Error).message}`);
  process.exit(1);
});
