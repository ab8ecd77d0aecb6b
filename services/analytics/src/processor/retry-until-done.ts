import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@shop/platform';

/**
 * Calls until the call succeeds, waiting a random time up to a doubling bound (from `baseMs` to
 * 30 s) between tries. A shard waits for its dependencies rather than skipping work: nothing is
 * checkpointed past what has not been done.
 */
export async function retryUntilDone<T>(
  what: string,
  call: () => Promise<T>,
  { logger, shardId, baseMs = 200 }: { logger: Logger; shardId: string; baseMs?: number | undefined },
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const delay = Math.random() * Math.min(30_000, baseMs * 2 ** attempt);
      logger.warn({ err: error, shardId, attempt, delay }, `${what} failed; retrying`);
      await sleep(delay);
    }
  }
}
