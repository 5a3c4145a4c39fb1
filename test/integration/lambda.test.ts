import fs from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../src/logger';
import { createLambdaHandler } from '../../src/lambda';
import { createApiToken, login, startTestApp, type TestApp } from '../helpers/harness';

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures', name), 'utf8'));
const context = { awsRequestId: 'test', functionName: 'spotify-data-app', getRemainingTimeInMillis: () => 30_000 };

describe('AWS Lambda entry (API Gateway v2 events)', () => {
  let t: TestApp;
  let handler: ReturnType<typeof createLambdaHandler>;
  beforeAll(async () => {
    t = await startTestApp();
    // The same app, built for Lambda, over the same sandbox and DynamoDB.
    handler = createLambdaHandler(t.config, { store: t.store, logger: createLogger('silent') });
  });
  afterAll(() => t.close());

  it('answers GET /api/search', async () => {
    const artist = t.sandbox.catalog.artists.get(t.sandbox.catalog.notable.smallArtistId)!;
    const event = fixture('apigw-v2-search.json');
    event.queryStringParameters.q = artist.name;
    event.rawQueryString = `q=${encodeURIComponent(artist.name)}&limit=5`;
    const res = await handler(event, context);
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.isBase64Encoded ? Buffer.from(res.body, 'base64').toString() : res.body);
    expect(body.artists.map((a: { id: string }) => a.id)).toContain(artist.id);
  });

  it('answers GET /api/me/summary for a personal token, and 401 without one', async () => {
    const agent = t.agent();
    await login(t, agent, 'ava.demo');
    const token = await createApiToken(agent, 'lambda');

    const event = fixture('apigw-v2-summary.json');
    event.headers.authorization = `Bearer ${token}`;
    const res = await handler(event, context);
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.user.display_name).toMatch(/Ava/);
    expect(body.ranges.short_term.artists.length).toBe(50);

    delete event.headers.authorization;
    const anonymous = await handler(event, context);
    expect(anonymous.statusCode).toBe(401);
    expect(JSON.parse(anonymous.body).error.code).toBe('unauthorized');
  });
});
