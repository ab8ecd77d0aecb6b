// Open-loop load at a fixed arrival rate. autocannon (and any closed-loop client) only sends when a
// connection is free and times each request from the moment it is sent, so a slow server gets fewer
// requests and its stalls vanish from the latencies ("coordinated omission"). Here every request has
// a scheduled time, is sent then whether or not earlier ones finished, and is timed from that time.
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** One request of an open-loop run: what to send, decided when its time comes. */
export interface OpenLoopRequest {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** What kind of request this is, for the per-kind figures (e.g. `sale`). */
  kind?: string;
  /** Called with the status once answered (0 when it failed or timed out). */
  onAnswer?: (status: number) => void;
}

export interface OpenLoopOptions {
  url: string;
  ratePerSecond: number;
  durationSeconds: number;
  /** Builds the request with the given index; called at its scheduled time, in order. */
  next: (index: number) => OpenLoopRequest;
  /** Most sockets to the server at once; later requests wait for one, and the wait counts as latency. */
  maxSockets?: number;
  /** A request not answered this long after its scheduled time counts as an error. */
  timeoutMs?: number;
  /** Also report the figures of each window of this many seconds (by scheduled time). */
  windowSeconds?: number;
}

export interface WindowFigures {
  /** Start of the window, in seconds from the start of the run. */
  fromSeconds: number;
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

export interface OpenLoopResult {
  /** Requests scheduled (and sent) in the run. */
  requests: number;
  /** 2xx answers per second of the run. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 2xx, connection errors and timeouts. */
  errors: number;
  successes: number;
  /** Answers by status; 0 for requests that got none. */
  statuses: Record<string, number>;
  /** The same figures for each kind of request. */
  kinds: Record<string, { requests: number; errors: number; p50Ms: number; p99Ms: number }>;
  /** The same figures for each window of `windowSeconds`, in order; empty without it. */
  windows: WindowFigures[];
}

/** When request `index` is due, in ms from the start of a run at `ratePerSecond`. */
export function scheduledAt(index: number, ratePerSecond: number): number {
  return (index * 1000) / ratePerSecond;
}

/** How many requests of a run are due `elapsedMs` after its start (all of them once it is over). */
export function dueCount(elapsedMs: number, ratePerSecond: number, total: number): number {
  if (elapsedMs < 0) return 0;
  return Math.min(total, Math.floor((elapsedMs * ratePerSecond) / 1000) + 1);
}

/** The value at quantile `q` (0..1) of `values` (sorted in place), rounded to 0.01; 0 for none. */
export function quantileOf(values: Float64Array, q: number): number {
  const sorted = values.sort();
  const value = sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return Math.round(value * 100) / 100;
}

/** Runs requests on a fixed schedule for a bounded time and waits (at most `timeoutMs`) for the last answers. */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const total = Math.round(options.ratePerSecond * options.durationSeconds);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64, timeout: 4000 });
  // One slot per scheduled request, so the run's memory does not grow while it lasts; NaN for failures.
  const latencies = new Float64Array(total).fill(Number.NaN);
  const kindOf = new Uint8Array(total);
  const kindNames: string[] = [];
  const statuses: Record<string, number> = {};
  let successes = 0;
  let settled = 0;
  let allSettled: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allSettled = resolve;
  });

  const send = (index: number, dueAt: number) => {
    const spec = options.next(index);
    const kind = spec.kind ?? spec.method;
    if (!kindNames.includes(kind)) kindNames.push(kind);
    kindOf[index] = kindNames.indexOf(kind);
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    let finished = false;
    const finish = (status: number) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const latency = performance.now() - dueAt;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) {
        successes += 1;
        latencies[index] = latency;
      }
      spec.onAnswer?.(status);
      settled += 1;
      if (settled === total) allSettled();
    };
    // Measured from the scheduled time, so a request that waited for a socket gets no head start.
    const timer = setTimeout(
      () => {
        req.destroy(new Error('timed out'));
        finish(0);
      },
      Math.max(1, dueAt + timeoutMs - performance.now()),
    );
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method: spec.method,
        path: spec.path,
        headers: {
          ...spec.headers,
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => finish(res.statusCode ?? 0));
        res.on('error', () => finish(0));
      },
    );
    req.on('error', () => finish(0));
    req.end(body);
  };

  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = dueCount(performance.now() - start, options.ratePerSecond, total);
    // Timers fire late now and then; whatever fell due meanwhile goes out at once, timed from its own schedule.
    for (; sent < due; sent += 1) send(sent, start + scheduledAt(sent, options.ratePerSecond));
    if (sent < total) await sleep(Math.max(0, start + scheduledAt(sent, options.ratePerSecond) - performance.now()));
  }
  if (total > 0) await done;
  agent.destroy();
  const kinds: OpenLoopResult['kinds'] = {};
  kindNames.forEach((name, kindIndex) => {
    const ofKind = latencies.filter((_, index) => kindOf[index] === kindIndex);
    const requests = kindOf.reduce((count, value) => count + (value === kindIndex ? 1 : 0), 0);
    const answered = ofKind.filter((latency) => !Number.isNaN(latency));
    kinds[name] = {
      requests,
      errors: requests - answered.length,
      p50Ms: quantileOf(answered, 0.5),
      p99Ms: quantileOf(answered, 0.99),
    };
  });
  const windows: WindowFigures[] = [];
  const perWindow = Math.round((options.windowSeconds ?? 0) * options.ratePerSecond);
  for (let from = 0; perWindow > 0 && from < total; from += perWindow) {
    const slice = latencies.slice(from, from + perWindow);
    const answeredInWindow = slice.filter((latency) => !Number.isNaN(latency));
    windows.push({
      fromSeconds: from / options.ratePerSecond,
      requests: slice.length,
      errors: slice.length - answeredInWindow.length,
      p50Ms: quantileOf(answeredInWindow, 0.5),
      p99Ms: quantileOf(answeredInWindow, 0.99),
    });
  }
  const answered = latencies.filter((latency) => !Number.isNaN(latency));
  return {
    requests: total,
    rps: successes / options.durationSeconds,
    p50Ms: quantileOf(answered, 0.5),
    p99Ms: quantileOf(answered, 0.99),
    errors: total - successes,
    successes,
    statuses,
    kinds,
    windows,
  };
}
