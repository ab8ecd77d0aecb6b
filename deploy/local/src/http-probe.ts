import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface HttpProbeResult {
  status: number;
  body: string;
}

/** One GET with its own deadline; rejects on any network error or when the deadline passes. */
export function probeHttp(url: string, timeoutMs: number): Promise<HttpProbeResult> {
  return new Promise((resolve, reject) => {
    // A fresh connection per probe: a pooled socket to a process that just died would mislead us.
    const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface WaitForHttpOptions {
  /** Which statuses count as up; by default any 2xx. */
  accept?: (status: number) => boolean;
  intervalMs?: number;
  /** Stops waiting early, e.g. when the process that should answer has exited. */
  signal?: AbortSignal;
}

/** Thrown when a URL did not answer as wanted in time; `lastError` says what the last probe saw. */
export class HttpWaitTimeoutError extends Error {
  constructor(url: string, timeoutMs: number, lastError: string, options?: { cause?: unknown }) {
    super(`${url} did not answer within ${timeoutMs} ms (last attempt: ${lastError})`, options);
    this.name = 'HttpWaitTimeoutError';
  }
}

/** Polls `url` with GET until it answers with an accepted status, or fails after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number, options: WaitForHttpOptions = {}): Promise<void> {
  const accept = options.accept ?? ((status) => status >= 200 && status < 300);
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError = 'none yet';
  for (;;) {
    options.signal?.throwIfAborted();
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new HttpWaitTimeoutError(url, timeoutMs, lastError);
    try {
      const { status } = await probeHttp(url, Math.min(remaining, 1000));
      if (accept(status)) return;
      lastError = `status ${status}`;
    } catch (error) {
      lastError = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
