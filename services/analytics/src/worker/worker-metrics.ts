import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProcessMetrics } from '@shop/platform';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

type Snapshot = MetricObjectWithValues<MetricValue<string>>[];

// A processor that has not pushed for this long has ended (its lease moved or its shard closed).
const staleAfterMs = 60_000;

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 4 * 1024 * 1024) throw new Error('metrics push too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/**
 * An analytics worker's `/metrics`: its own process metrics plus the metrics its record
 * processors (one process per shard) push to it, summed across processors.
 */
export class WorkerMetrics {
  static readonly pushPath = '/processor-metrics';
  readonly process = new ProcessMetrics({ service: 'analytics-worker' });
  private readonly processors = new Map<string, { at: number; metrics: Snapshot }>();

  /** The port a listening server took. */
  static portOf(server: Server): number {
    return (server.address() as AddressInfo).port;
  }

  receive(processor: string, metrics: Snapshot): void {
    this.processors.set(processor, { at: Date.now(), metrics });
  }

  async text(): Promise<string> {
    const now = Date.now();
    for (const [processor, { at }] of this.processors) {
      if (now - at > staleAfterMs) this.processors.delete(processor);
    }
    const snapshots = [...this.processors.values()].map((entry) => entry.metrics);
    // The processors report some metrics that the worker has too (AWS calls): those are summed with
    // the worker's own, so each metric is named once. The rest of the worker's own are one process's
    // values, taken as they are ('first'; the default 'omit' would drop process_start_time_seconds).
    // One collection only: reading the event-loop metrics resets them.
    const reported = new Set(snapshots.flat().map((metric) => metric.name));
    const own = (await this.process.registry.getMetricsAsJSON()).map((metric) =>
      reported.has(metric.name) ? metric : { ...metric, aggregator: 'first' as const },
    );
    return AggregatorRegistry.aggregate([own, ...snapshots]).metrics();
  }

  /**
   * Serves GET /metrics and the processors' pushes on 127.0.0.1:`port` (0 for any free port; the
   * CloudWatch agent scrapes on the same host). Resolves with the server once it listens.
   */
  async listen(port: number): Promise<Server> {
    const server = createServer(async (request, response) => {
      try {
        if (request.method === 'GET' && request.url?.split('?')[0] === '/metrics') {
          response.writeHead(200, { 'content-type': this.process.registry.contentType }).end(await this.text());
          return;
        }
        const local = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(request.socket.remoteAddress ?? '');
        if (request.method === 'POST' && request.url === WorkerMetrics.pushPath && local) {
          const body = (await readJson(request)) as { processor?: unknown; metrics?: unknown };
          if (typeof body.processor !== 'string' || !Array.isArray(body.metrics)) {
            response.writeHead(400).end();
            return;
          }
          this.receive(body.processor, body.metrics as Snapshot);
          response.writeHead(204).end();
          return;
        }
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      } catch {
        response.writeHead(400).end();
      }
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return server;
  }
}
