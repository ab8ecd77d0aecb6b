import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  AnalyticsReader,
  ensureAlertTopic,
  eventually,
  findFreePort,
  startAnalyticsWorker,
  startStandIns,
} from '@shop/local-stack';
import { createDocumentClient, createDynamoDbClient, createKinesisClient } from '@shop/platform';
import test from 'ava';
import { restockEvent } from './event-fixtures.js';
import { readMetrics, sumOf } from './prometheus-samples.js';

/**
 * A window length (whole seconds, as ANALYTICS_WINDOW_SECONDS takes) whose current window stays
 * open for at least `openForMs`: nothing in this test can close it by time, only the shutdown.
 */
function windowOpenFor(openForMs: number): { seconds: number; closesAt: number } {
  for (let seconds = 3600; seconds > openForMs / 1000; seconds -= 1) {
    const ms = seconds * 1000;
    const closesAt = (Math.floor(Date.now() / ms) + 1) * ms;
    if (closesAt - Date.now() >= openForMs) return { seconds, closesAt };
  }
  throw new Error(`no window of at most an hour stays open for ${openForMs} ms`);
}

test('when a worker gets SIGTERM mid-window, then it publishes the window and checkpoints the last record of each shard before the window would close, and exits 0 within the grace', async (t) => {
  t.timeout(170_000);
  const standIns = await startStandIns({ moto: true, shardCount: 2 });
  const kinesis = createKinesisClient({ region: standIns.region, endpoint: standIns.kinesisEndpoint });
  const documentClient = createDocumentClient(
    createDynamoDbClient({ region: standIns.region, endpoint: standIns.dynamoDbEndpoint }),
  );
  const namespace = `ShutdownTest${Date.now()}`;
  const reader = new AnalyticsReader(standIns.region, standIns.motoEndpoint ?? '', namespace);
  const topicArn = await ensureAlertTopic(standIns);
  const metricsPort = await findFreePort();
  const applicationName = 'shutdown-test';
  const window = windowOpenFor(10 * 60_000);
  const worker = startAnalyticsWorker({
    standIns,
    topicArn,
    workerId: 'shutdown-a',
    logDir: mkdtempSync(join(tmpdir(), 'analytics-shutdown-')),
    metricsPort,
    env: {
      ANALYTICS_WINDOW_SECONDS: String(window.seconds),
      METRICS_NAMESPACE: namespace,
      KCL_APPLICATION_NAME: applicationName,
      LOG_LEVEL: 'info',
    },
  });
  t.teardown(async () => {
    await worker.stop();
    reader.destroy();
    kinesis.destroy();
    documentClient.destroy();
    await standIns.stop();
  });

  const count = 40;
  const { Records = [], FailedRecordCount } = await kinesis.send(
    new PutRecordsCommand({
      StreamName: standIns.streamName,
      Records: Array.from({ length: count }, (_, index) => {
        const event = restockEvent({ product: `P${index}`, quantity: 1 });
        return { Data: Buffer.from(JSON.stringify(event)), PartitionKey: event.subject };
      }),
    }),
  );
  t.is(FailedRecordCount ?? 0, 0);
  const lastSequence = new Map<string, string>();
  for (const { ShardId, SequenceNumber } of Records) {
    if (!ShardId || !SequenceNumber) throw new Error('kinesis-local accepted a record without a sequence number');
    const last = lastSequence.get(ShardId);
    if (last === undefined || BigInt(SequenceNumber) > BigInt(last)) lastSequence.set(ShardId, SequenceNumber);
  }
  t.true(lastSequence.size > 1, 'the records are spread over both shards');

  // The processors push what they read to the worker every 5 s; the window stays open meanwhile.
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const read = await eventually(
    async () => sumOf(await readMetrics(metricsUrl), 'analytics_records_processed_total'),
    (records) => records >= count,
    120_000,
  );
  t.is(read, count, `the worker read every record (log: ${worker.logFile})`);
  t.is(await reader.sumOver('EventsProcessed', 'EventType'), 0, 'nothing is published while the window is open');

  const pid = worker.pid;
  if (pid === undefined) throw new Error('the worker is not running');
  const signalledAt = Date.now();
  process.kill(pid, 'SIGTERM');
  const exit = await Promise.race([
    worker.exited,
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000)),
  ]);
  t.deepEqual(exit, { code: 0, signal: null }, `the worker exits 0 (log: ${worker.logFile})`);
  t.true(Date.now() - signalledAt < 25_000, 'within the daemon grace (20 s) and the worker deadline');

  t.is(await reader.sumOver('EventsProcessed', 'EventType'), count, "the open window's metrics are out");
  t.true(Date.now() < window.closesAt, 'before the window would have closed by time');

  const { Items = [] } = await documentClient.send(new ScanCommand({ TableName: applicationName }));
  const checkpoints = Object.fromEntries(Items.map((item) => [String(item.leaseKey), String(item.checkpoint)]));
  t.deepEqual(checkpoints, Object.fromEntries(lastSequence), 'each shard is checkpointed at its last record');
});
