import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AppMiddleware } from '../http/app-context.js';
import { routeTemplate } from '../http/request-context.middleware.js';

const httpLabels = ['method', 'route', 'status_class'] as const;
const awsLabels = ['service', 'operation', 'outcome'] as const;

const statusClass = (status: number) => `${Math.floor(status / 100)}xx`;

/**
 * The Prometheus metrics of one process: HTTP requests by method, route template and status
 * class, AWS SDK calls by service and operation, outbox and publisher backlogs, and the process's
 * own (CPU, memory, event loop, GC). Served as text on `GET /metrics` of the process's metrics port.
 */
export class ProcessMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<(typeof httpLabels)[number]>;
  readonly httpDuration: Histogram<(typeof httpLabels)[number]>;
  readonly httpInFlight: Gauge;
  readonly awsCalls: Counter<(typeof awsLabels)[number]>;
  readonly awsDuration: Histogram<(typeof awsLabels)[number]>;
  readonly outboxPending: Gauge<'owner'>;
  readonly outboxOldestAge: Gauge<'owner'>;
  private readonly backlogs = new Map<string, () => number>();

  constructor(options: { service: string; processMetrics?: boolean }) {
    this.registry.setDefaultLabels({ service: options.service });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.httpRequests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route template and status class',
      labelNames: httpLabels,
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request',
      labelNames: httpLabels,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.httpInFlight = new Gauge({
      name: 'http_requests_in_flight',
      help: 'HTTP requests being answered',
      registers,
    });
    this.awsCalls = new Counter({
      name: 'aws_calls_total',
      help: 'AWS SDK calls (DynamoDB, Kinesis, ...), by outcome: ok or the error name',
      labelNames: awsLabels,
      registers,
    });
    this.awsDuration = new Histogram({
      name: 'aws_call_duration_seconds',
      help: 'Latency of AWS SDK calls, retries included',
      labelNames: awsLabels,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.outboxPending = new Gauge({
      name: 'outbox_pending_items',
      help: 'Items whose events are not on the stream yet (as of the last relay sweep)',
      labelNames: ['owner'],
      registers,
    });
    this.outboxOldestAge = new Gauge({
      name: 'outbox_oldest_pending_seconds',
      help: 'Age of the oldest unpublished event (as of the last relay sweep)',
      labelNames: ['owner'],
      registers,
    });
    const backlogs = this.backlogs;
    new Gauge({
      name: 'event_publisher_queue_events',
      help: 'Events waiting in memory for the stream, by publisher',
      labelNames: ['publisher'],
      registers,
      collect() {
        for (const [name, read] of backlogs) this.set({ publisher: name }, read());
      },
    });
  }

  /** Reports a backlog (e.g. a publisher's queue) whenever metrics are read. */
  watchBacklog(name: string, read: () => number): void {
    this.backlogs.set(name, read);
  }

  /** The Prometheus text of every metric. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  /** A request listener answering `GET /metrics` (and 404 for anything else), for a metrics port. */
  handler(): (request: IncomingMessage, response: ServerResponse) => void {
    return (request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      this.text().then(
        (body) => response.writeHead(200, { 'content-type': this.registry.contentType }).end(body),
        () => response.writeHead(500).end(),
      );
    };
  }
}

/** Counts and times every request by method, route template and status class; outermost in the app. */
export function httpMetrics(metrics: ProcessMetrics): AppMiddleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    metrics.httpInFlight.inc();
    try {
      await next();
    } finally {
      metrics.httpInFlight.dec();
      const labels = { method: ctx.method, route: routeTemplate(ctx), status_class: statusClass(ctx.status) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
}

interface SdkClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { clientName?: string; commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; override?: boolean },
    ): void;
  };
}

/** Times every call of an AWS SDK v3 client (and of document clients made from it) by operation and outcome. */
export function measureAwsClient<T>(client: T, metrics: ProcessMetrics, service: string): T {
  (client as unknown as SdkClient).middlewareStack.add(
    (next, context) => async (args) => {
      const started = process.hrtime.bigint();
      const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
      let outcome = 'ok';
      try {
        return await next(args);
      } catch (error) {
        outcome = error instanceof Error ? error.name : 'error';
        throw error;
      } finally {
        const labels = { service, operation, outcome };
        metrics.awsCalls.inc(labels);
        metrics.awsDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      }
    },
    { step: 'initialize', name: 'processMetrics', override: true },
  );
  return client;
}
