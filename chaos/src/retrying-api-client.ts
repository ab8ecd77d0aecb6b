import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceName } from '@shop/local-stack';

/** One HTTP attempt as the client saw it; status 0 means no answer (refused, reset, timed out). */
export interface AttemptRecord {
  service: ServiceName;
  /** The instance or gateway it went to. */
  baseUrl: string;
  method: string;
  path: string;
  startedAt: number;
  answeredAt: number;
  status: number;
}

export interface ApiAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field by the workload
  body: any;
  replayed: boolean;
}

/**
 * How one logical request ended: `ok` (2xx), `refused` (a definite 4xx, e.g. a sale beyond the
 * stock), or `abandoned` (no definite answer before the deadline: it may or may not have applied).
 */
export type RequestOutcome =
  | { kind: 'ok'; answer: ApiAnswer }
  | { kind: 'refused'; answer: ApiAnswer }
  | { kind: 'abandoned'; lastStatus: number };

export interface RetryingApiClientOptions {
  /** Where a service's requests go: the gateway, or one ready instance behind a balancer. */
  baseUrl: (service: ServiceName) => string;
  authorization: string;
  /** How long a logical request keeps retrying; longer than an idempotency lock (30 s). */
  deadlineMs?: number;
  attemptTimeoutMs?: number;
}

/** Whether an answer leaves the outcome open, so the same request (same key) is sent again. */
function isRetryable(answer: ApiAnswer): boolean {
  if (answer.status === 0 || answer.status >= 500 || answer.status === 429) return true;
  // The first attempt of this key is still running, or died holding it (its lock expires).
  return answer.status === 409 && /Idempotency-Key is still in progress/.test(String(answer.body?.detail ?? ''));
}

/** An error answer in the sense of the fault report: a server error or no answer at all. */
export function isErrorStatus(status: number): boolean {
  return status === 0 || status >= 500;
}

/**
 * An API client as a careful caller writes it: every write carries an `Idempotency-Key`, and a
 * request without a definite answer (no answer, 5xx, 429, key still in progress) is sent again with
 * the same key until the deadline, honouring `Retry-After`. So a change is applied at most once,
 * and the client knows of every change it caused. Every attempt is recorded.
 */
export class RetryingApiClient {
  readonly attempts: AttemptRecord[] = [];
  private readonly deadlineMs: number;
  private readonly attemptTimeoutMs: number;

  constructor(private readonly options: RetryingApiClientOptions) {
    this.deadlineMs = options.deadlineMs ?? 90_000;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 15_000;
  }

  async send(service: ServiceName, method: string, path: string, body?: unknown): Promise<RequestOutcome> {
    const write = method !== 'GET';
    const headers: Record<string, string> = {
      authorization: this.options.authorization,
      ...(write ? { 'idempotency-key': randomUUID() } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    };
    const deadline = Date.now() + this.deadlineMs;
    for (let attempt = 0; ; attempt += 1) {
      const { answer, retryAfterMs } = await this.attempt(service, method, path, headers, body);
      if (answer.status >= 200 && answer.status < 300) return { kind: 'ok', answer };
      if (!isRetryable(answer)) return { kind: 'refused', answer };
      if (Date.now() > deadline) return { kind: 'abandoned', lastStatus: answer.status };
      await sleep(retryAfterMs ?? Math.min(2_000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }

  private async attempt(
    service: ServiceName,
    method: string,
    path: string,
    headers: Record<string, string>,
    body: unknown,
  ): Promise<{ answer: ApiAnswer; retryAfterMs?: number }> {
    const startedAt = Date.now();
    const baseUrl = this.options.baseUrl(service);
    const record = (status: number) =>
      this.attempts.push({ service, baseUrl, method, path, startedAt, answeredAt: Date.now(), status });
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.attemptTimeoutMs),
      });
      const text = await response.text();
      record(response.status);
      const retryAfter = Number(response.headers.get('retry-after'));
      return {
        answer: {
          status: response.status,
          body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
          replayed: response.headers.get('idempotent-replayed') === 'true',
        },
        ...(retryAfter > 0 ? { retryAfterMs: Math.min(retryAfter, 2) * 1000 } : {}),
      };
    } catch {
      record(0);
      return { answer: { status: 0, body: undefined, replayed: false } };
    }
  }
}
