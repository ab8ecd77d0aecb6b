import type { Logger } from '@shop/platform';
import type kcl from 'aws-kcl';
import type { Checkpoint, KclRecord } from './shard-processor.js';

/** The callbacks `aws-kcl` calls, one per message of the KCL's multi-language protocol. */
export type KclRecordProcessor = Parameters<typeof kcl>[0];

/** The work of one shard lease, whatever the application does with its records. */
export interface ShardWork {
  initialize(shardId: string): void | Promise<void>;
  processRecords(records: KclRecord[], checkpoint: Checkpoint, millisBehindLatest?: number | null): Promise<void>;
  leaseLost(): void | Promise<void>;
  shardEnded(checkpoint: Checkpoint): Promise<void>;
  shutdownRequested(checkpoint: Checkpoint): Promise<void>;
}

/**
 * A shard's work behind the five callbacks of `aws-kcl`. `afterStop` runs when the shard ends or
 * the worker stops (e.g. a last push of the processor's metrics).
 */
export function kclCallbacks(work: ShardWork, logger: Logger, afterStop: () => Promise<void>): KclRecordProcessor {
  // The KCL answers a checkpoint of a shard we no longer own with ShutdownException: nothing to retry.
  const checkpointerOf =
    (checkpointer: kcl.Checkpointer): Checkpoint =>
    (sequenceNumber) =>
      new Promise((resolve, reject) => {
        const done = (error?: unknown) => {
          if (!error) resolve();
          else if (String(error).includes('ShutdownException')) {
            logger.warn({ error }, 'checkpoint refused: the lease is gone');
            resolve();
          } else reject(new Error(String(error)));
        };
        if (sequenceNumber === undefined) checkpointer.checkpoint(done);
        else checkpointer.checkpoint(sequenceNumber, done);
      });
  const settle = (run: () => Promise<void> | void, done: () => void) => {
    Promise.resolve()
      .then(run)
      .then(done, (error: unknown) => {
        // Unreachable by design (the work retries), but a crash here would stall the shard.
        logger.error({ err: error }, 'record processor failed');
        done();
      });
  };

  return {
    initialize: (input: { shardId: string }, done: () => void) => settle(() => work.initialize(input.shardId), done),
    processRecords: (
      input: { records: KclRecord[]; checkpointer: kcl.Checkpointer; millisBehindLatest?: number | null },
      done: () => void,
    ) =>
      settle(
        () => work.processRecords(input.records ?? [], checkpointerOf(input.checkpointer), input.millisBehindLatest),
        done,
      ),
    leaseLost: (_input: unknown, done: () => void) => settle(() => work.leaseLost(), done),
    shardEnded: (input: { checkpointer: kcl.Checkpointer }, done: () => void) =>
      settle(() => work.shardEnded(checkpointerOf(input.checkpointer)).then(afterStop), done),
    shutdownRequested: (input: { checkpointer: kcl.Checkpointer }, done: () => void) =>
      settle(() => work.shutdownRequested(checkpointerOf(input.checkpointer)).then(afterStop), done),
  };
}

/** Pushes a processor's metrics to its worker, which serves them with its own `/metrics`. */
export function metricsPusher(pushUrl: string, logger: Logger, snapshot: () => Promise<unknown>): () => Promise<void> {
  return async () => {
    if (!pushUrl) return;
    try {
      await fetch(pushUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ processor: String(process.pid), metrics: await snapshot() }),
        signal: AbortSignal.timeout(2_000),
      });
    } catch (error) {
      // A push that fails (the worker restarting) is simply the next one's.
      logger.debug({ err: error }, 'metrics push failed');
    }
  };
}
