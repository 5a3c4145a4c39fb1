import serverlessExpress, { type LambdaHandler } from '@codegenie/serverless-express';
import { createApp } from './app';
import { buildServices, type ServiceDeps } from './buildServices';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { Metrics } from './metrics';
import { Store } from './store/Store';

/**
 * The same Express app as an AWS Lambda handler behind API Gateway (HTTP API, payload v2, or REST).
 * EC2 + pm2 stays the main path: Lambda suits the JSON API (search, artists, /api/me/*); long work
 * such as history imports is better kept on a long-running server. Tables are expected to exist
 * (`npm run db:init`), so a cold start does no table management.
 */
export function createLambdaHandler(config: Config, deps: ServiceDeps): LambdaHandler {
  const { app } = createApp({ config, logger: deps.logger, services: buildServices(config, deps) });
  return serverlessExpress({ app, binarySettings: { contentTypes: ['image/*', 'application/zip'] } });
}

let ready: Promise<LambdaHandler> | undefined;

/** Lambda entry point: configuration from the function's environment, built once per container. */
export const handler: LambdaHandler = async (event, context) => {
  ready ??= (async () => {
    const config = loadConfig(process.env);
    if (config.dynamo.embedded) throw new ConfigError('Invalid configuration: AWS_REGION: Lambda needs AWS DynamoDB (set AWS_REGION or DYNAMODB_ENDPOINT)');
    const metrics = new Metrics();
    const store = new Store({ endpoint: config.dynamo.endpoint, region: config.dynamo.region, tablePrefix: config.dynamo.tablePrefix, metrics });
    return createLambdaHandler(config, { store, logger: createLogger(config.logLevel), metrics });
  })();
  return (await ready)(event, context);
};
