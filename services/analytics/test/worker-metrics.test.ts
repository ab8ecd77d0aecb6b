import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ensureAlertTopic, eventually, findFreePort, startAnalyticsWorker, startStandIns } from '@shop/local-stack';
import { createKinesisClient } from '@shop/platform';
import test from 'ava';
import { ProcessorMetrics } from '../src/processor/processor-metrics.js';
import { WorkerMetrics } from '../src/worker/worker-metrics.js';
import { lowStockEvent, restockEvent } from './event-fixtures.js';
import { parseSamples, readMetrics, sumOf } from './prometheus-samples.js';

/** Metric names declared more than once (a scraper rejects the whole text for one). */
function repeatedTypes(text: string): string[] {
  const names = text
    .split('\n')
    .filter((line) => line.startsWith('# TYPE '))
    .map((line) => line.split(' ')[2] ?? '');
  return names.filter((name, index) => names.indexOf(name) !== index);
}

test('when two processors push AWS call metrics, then /metrics names each metric once, sums them with the worker, and keeps the worker process metrics', async (t) => {
  const worker = new WorkerMetrics();
  const processors = [new ProcessorMetrics(), new ProcessorMetrics()];
  processors.forEach((processor, index) => {
    const shard = `shardId-00000000000${index}`;
    processor.recordsRead(shard, 10 + index, 10 + index);
    processor.aws.awsCalls.inc({ service: 'CloudWatch', operation: 'PutMetricData', outcome: 'ok' }, 2 + index);
    processor.aws.awsDuration.observe({ service: 'CloudWatch', operation: 'PutMetricData', outcome: 'ok' }, 0.02);
  });
  for (const [index, processor] of processors.entries()) worker.receive(String(index), await processor.snapshot());

  const text = await worker.text();
  t.deepEqual(repeatedTypes(text), []);
  t.is(sumOf(text, 'aws_calls_total', { service: 'CloudWatch', operation: 'PutMetricData' }), 5);
  t.is(sumOf(text, 'aws_call_duration_seconds_count', { service: 'CloudWatch' }), 2);
  t.is(sumOf(text, 'analytics_records_processed_total'), 21);
  t.true(sumOf(text, 'process_start_time_seconds') > 0, 'the worker process metrics are there');
});

// The real KCL MultiLangDaemon (Java) running our record processor, against dynalite, the Kinesis
// stand-in and moto server.
test('when a worker has read a known set of events, then its /metrics counts them exactly and shows window flushes, AWS calls by service, stream lag and process metrics', async (t) => {
  t.timeout(170_000);
  const standIns = await startStandIns({ moto: true, shardCount: 2 });
  const kinesis = createKinesisClient({ region: standIns.region, endpoint: standIns.kinesisEndpoint });
  const topicArn = await ensureAlertTopic(standIns);
  const metricsPort = await findFreePort();
  const worker = startAnalyticsWorker({
    standIns,
    topicArn,
    workerId: 'metrics-a',
    logDir: mkdtempSync(join(tmpdir(), 'analytics-metrics-')),
    metricsPort,
    env: { ANALYTICS_WINDOW_SECONDS: '2', METRICS_NAMESPACE: `MetricsTest${Date.now()}`, LOG_LEVEL: 'warn' },
  });
  t.teardown(async () => {
    await worker.stop();
    kinesis.destroy();
    await standIns.stop();
  });

  const adjusted = 24;
  const events = [
    ...Array.from({ length: adjusted }, (_, index) => restockEvent({ product: `P${index}`, quantity: 1 })),
    lowStockEvent({ product: 'P1' }),
  ];
  // One record that breaks its schema: read, rejected and counted, never counted into metrics.
  const broken = restockEvent({ product: 'P2', quantity: 1 });
  const poison = { ...broken, data: { ...broken.data, reason: 'lost' } };
  const { FailedRecordCount } = await kinesis.send(
    new PutRecordsCommand({
      StreamName: standIns.streamName,
      Records: [...events, poison].map((event) => ({
        Data: Buffer.from(JSON.stringify(event)),
        PartitionKey: event.subject,
      })),
    }),
  );
  t.is(FailedRecordCount ?? 0, 0);

  // Processors push every 5 s; each shard's 2 s window has closed and been published by a push
  // after the records. (A labelled sample appears at its first observation.)
  const shardsOf = (body: string, name: string) =>
    parseSamples(body)
      .filter((sample) => sample.name === name)
      .map((sample) => sample.labels.shard)
      .sort();
  const bothShards = ['shardId-000000000000', 'shardId-000000000001'];
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const text = await eventually(
    () => readMetrics(metricsUrl),
    (body) =>
      sumOf(body, 'analytics_records_processed_total') >= events.length + 1 &&
      shardsOf(body, 'analytics_window_flush_seconds_count').length === bothShards.length &&
      sumOf(body, 'aws_calls_total', { service: 'SNS' }) > 0,
    120_000,
  );
  t.log(
    parseSamples(text)
      .filter((sample) => /^(analytics_|aws_calls_total)/.test(sample.name) && !sample.name.endsWith('_bucket'))
      .map((sample) => `${sample.name}${JSON.stringify(sample.labels)} ${sample.value}`)
      .join('\n'),
  );
  t.deepEqual(repeatedTypes(text), []);
  t.is(sumOf(text, 'analytics_records_processed_total'), events.length + 1, `log: ${worker.logFile}`);
  t.is(sumOf(text, 'analytics_events_counted_total'), events.length);
  t.is(sumOf(text, 'analytics_records_rejected_total', { reason: 'schema' }), 1, 'the poison record');
  t.is(sumOf(text, 'analytics_records_rejected_total'), 1);
  t.true(sumOf(text, 'analytics_window_flush_seconds_sum') > 0);
  t.true(sumOf(text, 'aws_calls_total', { service: 'CloudWatch', operation: 'PutMetricData', outcome: 'ok' }) > 0);
  t.true(sumOf(text, 'aws_call_duration_seconds_count', { service: 'CloudWatch' }) > 0);
  t.true(sumOf(text, 'aws_calls_total', { service: 'DynamoDB', outcome: 'ok' }) > 0, 'lease checks and alert claims');
  t.is(sumOf(text, 'aws_calls_total', { service: 'SNS', operation: 'Publish', outcome: 'ok' }), 1, 'one alert');
  t.deepEqual(shardsOf(text, 'analytics_window_flush_seconds_count'), bothShards);
  t.deepEqual(shardsOf(text, 'analytics_stream_behind_seconds'), bothShards);
  t.deepEqual(shardsOf(text, 'analytics_checkpoint_lag_seconds'), bothShards);
  t.true(sumOf(text, 'process_resident_memory_bytes') > 0);
});
