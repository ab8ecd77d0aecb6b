import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { EventContractError } from '@shop/contracts';
import { startStandIns } from '@shop/local-stack';
import { createEvent, createKinesisClient, stockEventTypes } from '@shop/platform';
import test from 'ava';
import { readStreamEvents } from '../src/index.js';

const productId = '01M892BP80FGT0B66SR8VZZFGA';

test('when a test reads the stream, then every event is checked against its schema and a malformed one fails the read', async (t) => {
  const standIns = await startStandIns({ kinesisPersistence: false });
  const kinesis = createKinesisClient({ region: standIns.region, endpoint: standIns.kinesisEndpoint });
  t.teardown(async () => {
    kinesis.destroy();
    await standIns.stop();
  });
  const threshold = createEvent({
    source: '/shop/inventory',
    type: stockEventTypes.thresholdChanged,
    subject: productId,
    data: { productId, version: 2, lowStockThreshold: 4, previousLowStockThreshold: 5 },
  });
  const put = (events: unknown) =>
    kinesis.send(
      new PutRecordsCommand({
        StreamName: standIns.streamName,
        Records: [{ Data: Buffer.from(JSON.stringify(events)), PartitionKey: productId }],
      }),
    );
  await put(threshold);
  t.deepEqual(await readStreamEvents(kinesis, standIns.streamName), [threshold]);

  // A batch whose second event lost a field its schema requires.
  const { previousLowStockThreshold: _dropped, ...incomplete } = threshold.data;
  const broken = createEvent({ source: threshold.source, type: threshold.type, subject: productId, data: incomplete });
  await put([threshold, broken]);
  const error = await t.throwsAsync(readStreamEvents(kinesis, standIns.streamName), { instanceOf: EventContractError });
  t.deepEqual(error?.errors, ["/data must have required property 'previousLowStockThreshold'"]);
  t.is(
    (await readStreamEvents(kinesis, standIns.streamName, { checkContract: false })).length,
    3,
    'unchecked, the read returns every event',
  );
});
