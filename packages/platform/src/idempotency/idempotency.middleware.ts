import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { newId } from '../domain/ids.js';
import { ConflictError, ValidationError } from '../errors/app-error.js';
import type { AppContext, AppMiddleware } from '../http/app-context.js';
import type { IdempotencyRepository, StoredResponse } from './idempotency.repository.js';

export interface IdempotencyOptions {
  repository: IdempotencyRepository;
  /** Keeps keys of different services apart. */
  scope: string;
  /** How long a request may hold a key before a retry may take it over. */
  lockMs?: number;
  /** How long a concurrent retry waits for the first request's answer before a 409. */
  waitMs?: number;
}

const validKey = /^[\x21-\x7e]{1,255}$/;
const replayedHeaders = ['location', 'etag', 'content-type'];

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function fingerprintOf(ctx: AppContext): string {
  return createHash('sha256')
    .update(`${ctx.method} ${ctx.path}\n${canonical(ctx.request.body ?? null)}`)
    .digest('base64url');
}

function replay(ctx: AppContext, response: StoredResponse): void {
  ctx.status = response.status;
  for (const [name, value] of Object.entries(response.headers)) ctx.set(name, value);
  ctx.set('Idempotent-Replayed', 'true');
  ctx.body = response.body;
}

/**
 * Honours `Idempotency-Key` on writes: the first request with a key runs and its answer is kept;
 * a retry with the same key and body gets that answer again, even while the first is still
 * running (it waits for it); the same key with a different body is a 422. The record holds an id
 * reserved for the resource being created, so a retry after a crash creates the same resource.
 * Keys belong to the caller: behind `requireGroup`, two users' equal keys are different keys, and
 * no one is replayed another user's answer.
 */
export function idempotency(options: IdempotencyOptions): AppMiddleware {
  const lockMs = options.lockMs ?? 30_000;
  const waitMs = options.waitMs ?? 10_000;
  return async (ctx, next) => {
    // `ctx.get` answers '' for an absent header too; an empty key that was sent is a client's
    // mistake to refuse, not a request without a key (which a retry would apply twice; issue 17).
    if (ctx.request.headers['idempotency-key'] === undefined) return next();
    const header = ctx.get('idempotency-key');
    if (!validKey.test(header)) {
      throw new ValidationError([
        { field: 'Idempotency-Key', message: 'Idempotency-Key must be 1-255 visible ASCII characters' },
      ]);
    }
    const owner = ctx.state.principal?.subject;
    const scopedKey = owner ? `${options.scope}#${owner}#${header}` : `${options.scope}#${header}`;
    const fingerprint = fingerprintOf(ctx);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const reservedId = newId();
      if (await options.repository.reserve(scopedKey, fingerprint, reservedId, lockMs)) {
        ctx.state.reservedId = reservedId;
        return runAndRecord(ctx, next, options.repository, scopedKey);
      }
      // A record gone between the reserve and the read (released, expired) is tried again, but
      // like any other wait: after a pause, and never past the deadline.
      const record = await options.repository.get(scopedKey);
      if (record && record.fingerprint !== fingerprint) {
        throw new ValidationError(
          [{ field: 'Idempotency-Key', message: 'Idempotency-Key was already used with a different request' }],
          'This Idempotency-Key was already used with a different request',
        );
      }
      if (record?.state === 'completed') return replay(ctx, record.response);
      if (
        record &&
        record.lockedUntil < Date.now() &&
        (await options.repository.takeOver(scopedKey, record.lockedUntil, lockMs))
      ) {
        ctx.state.reservedId = record.reservedId;
        ctx.state.reservedIdReused = true;
        return runAndRecord(ctx, next, options.repository, scopedKey);
      }
      if (Date.now() > deadline) {
        throw new ConflictError('A request with this Idempotency-Key is still in progress', {
          headers: { 'Retry-After': '1' },
        });
      }
      await sleep(25 + Math.random() * 50);
    }
  };
}

async function runAndRecord(
  ctx: AppContext,
  next: () => Promise<unknown>,
  repository: IdempotencyRepository,
  scopedKey: string,
): Promise<void> {
  try {
    await next();
  } catch (error) {
    // A failed attempt leaves nothing to replay; the key is free for the client's next try.
    await repository.release(scopedKey);
    throw error;
  }
  if (ctx.status >= 400) {
    await repository.release(scopedKey);
    return;
  }
  const headers: Record<string, string> = {};
  for (const name of replayedHeaders) {
    const value = ctx.response.get(name);
    if (value) headers[name] = value;
  }
  await repository.complete(scopedKey, { status: ctx.status, headers, body: ctx.body ?? null });
}
