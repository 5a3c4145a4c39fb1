import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app instance, so several apps in one test process do not collide. */
export class Metrics {
  readonly registry = new Registry();
  readonly spotifyRequests = new Counter({
    name: 'spotify_requests_total',
    help: 'Requests sent to Spotify (or the sandbox), by endpoint template and HTTP status',
    labelNames: ['endpoint', 'status'] as const,
    registers: [this.registry],
  });
  readonly dynamoRequests = new Counter({
    name: 'dynamodb_requests_total',
    help: 'DynamoDB operations issued, by operation',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  readonly upstreamRetries = new Counter({
    name: 'upstream_retries_total',
    help: 'Retries of upstream requests, by service and reason',
    labelNames: ['service', 'reason'] as const,
    registers: [this.registry],
  });
  readonly shedRequests = new Counter({
    name: 'http_shed_total',
    help: 'Requests answered 503 at once because the server was past capacity, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
