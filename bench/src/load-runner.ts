import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  requests: number;
  successes: number;
  /** Requests handed to the connections, answered or not: what the server may have applied. */
  sent?: number;
}

export interface LoadOptions {
  url: string;
  paths: string[];
  durationSeconds: number;
  connections: number;
  method?: 'GET' | 'POST' | 'PATCH';
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * Drives requests over `paths` (round robin) for a bounded time. `rps` counts 2xx answers only;
 * anything else is an error.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    requests: [
      {
        method: options.method ?? 'GET',
        headers: {
          ...options.headers,
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        setupRequest: (request) => {
          const path = options.paths[next % options.paths.length] ?? '/';
          next += 1;
          return { ...request, path };
        },
      },
    ],
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  if (errors > 0) {
    console.error(
      `${options.method ?? 'GET'} ${options.url}: ${errors} errors (status codes ${JSON.stringify(result.statusCodeStats)}, ${result.errors} connection errors, ${result.timeouts} timeouts)`,
    );
  }
  return {
    rps: result['2xx'] / options.durationSeconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors,
    requests: result.requests.total,
    successes: result['2xx'],
    sent: next,
  };
}

/** The mean of several runs' rates and latencies; errors and requests are summed. */
export function averageRuns(results: LoadResult[]): LoadResult {
  const average = (pick: (result: LoadResult) => number) =>
    results.reduce((sum, result) => sum + pick(result), 0) / Math.max(results.length, 1);
  return {
    rps: average((result) => result.rps),
    p50Ms: average((result) => result.p50Ms),
    p99Ms: average((result) => result.p99Ms),
    errors: results.reduce((sum, result) => sum + result.errors, 0),
    requests: results.reduce((sum, result) => sum + result.requests, 0),
    successes: results.reduce((sum, result) => sum + result.successes, 0),
  };
}

/** Runs both sides in rounds that alternate which goes first, so drift falls on both alike. */
export async function alternate(
  rounds: number,
  service: () => Promise<LoadResult>,
  baseline: () => Promise<LoadResult>,
): Promise<{ service: LoadResult; baseline: LoadResult }> {
  const serviceRuns: LoadResult[] = [];
  const baselineRuns: LoadResult[] = [];
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) {
      baselineRuns.push(await baseline());
      serviceRuns.push(await service());
    } else {
      serviceRuns.push(await service());
      baselineRuns.push(await baseline());
    }
  }
  return { service: averageRuns(serviceRuns), baseline: averageRuns(baselineRuns) };
}
