import { setTimeout as sleep } from 'node:timers/promises';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { startServiceProcess } from '@shop/local-stack';
import { createDocumentClient, createDynamoDbClient, createKinesisClient, newId, productToItem } from '@shop/platform';
import { readStreamEvents, requestJson, startStandInsWithUsers } from '@shop/testing';
import test from 'ava';

test('when a service gets SIGTERM under a steady load of 200 concurrent requests, then none fails, readiness fails while it drains, its events are out and it exits 0', async (t) => {
  const { standIns, pool, signIn } = await startStandInsWithUsers();
  const kinesis = createKinesisClient({ region: standIns.region, endpoint: standIns.kinesisEndpoint });
  t.teardown(async () => {
    kinesis.destroy();
    await standIns.stop();
  });
  const { accessToken } = await signIn('staff');
  const inventory = await startServiceProcess({
    name: 'inventory',
    standIns,
    pool,
    // As behind the ALB: requests are still served for a while after readiness fails, longer than
    // the balancer takes to notice (here the poller below, whose /readyz waits behind 200 requests).
    env: { DRAIN_DELAY_MS: '5000', SHUTDOWN_TIMEOUT_MS: '30000', RATE_LIMIT_PER_SECOND: '0' },
  });
  t.teardown(() => inventory.stop());

  // Products exist in catalog's shape; stock is written through the API.
  const productIds = Array.from({ length: 20 }, () => newId());
  const dynamoDb = createDynamoDbClient({ region: standIns.region, endpoint: standIns.dynamoDbEndpoint });
  const now = new Date().toISOString();
  for (const id of productIds) {
    await createDocumentClient(dynamoDb).send(
      new PutCommand({
        TableName: standIns.tableName,
        Item: productToItem({
          id,
          name: `Drain ${id}`,
          description: '',
          priceMinor: 100,
          currency: 'USD',
          sku: `SKU-${id}`,
          category: 'drain',
          version: 1,
          createdAt: now,
          updatedAt: now,
        }),
      }),
    );
  }
  dynamoDb.destroy();

  // Like the load balancer: keep sending until readiness fails, then send nothing new.
  let ready = true;
  let readyzAnswers503 = false;
  const poller = (async () => {
    while (ready) {
      const status = await fetch(`${inventory.url}/readyz`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 503) {
        readyzAnswers503 = true;
        ready = false;
      }
      await sleep(50);
    }
  })();
  const failures: string[] = [];
  let succeeded = 0;
  let adjustments = 0;
  let inFlight = 0;
  let sigtermAt = 0;
  const workers = Array.from({ length: 200 }, async (_, worker) => {
    for (let index = 0; ready; index += 1) {
      const productId = productIds[(worker + index) % productIds.length] as string;
      const write = index % 4 === 0;
      inFlight += 1;
      const startedAt = sigtermAt ? Date.now() - sigtermAt : -1;
      const answer = await (write
        ? requestJson(
            inventory.url,
            'POST',
            `/api/inventory/${productId}/adjustments`,
            { quantity: 1, reason: 'restock' },
            { authorization: `Bearer ${accessToken}` },
          )
        : requestJson(inventory.url, 'GET', `/api/inventory/${productId}`)
      ).catch((error: unknown) => ({
        status: 0,
        body: `${String(error)} ${String((error as { cause?: { code?: string } }).cause?.code)} at ${sigtermAt ? Date.now() - sigtermAt : 'before'} started ${startedAt}`,
      }));
      inFlight -= 1;
      if ((write && answer.status === 201) || (!write && answer.status === 200)) {
        succeeded += 1;
        if (write) adjustments += 1;
      } else {
        failures.push(`${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
      }
    }
  });

  await sleep(3_000);
  const child = inventory.child;
  const exited = child.exited;
  const beforeSigterm = succeeded;
  const inFlightAtSigterm = inFlight;
  sigtermAt = Date.now();
  child.process.kill('SIGTERM');
  await Promise.all(workers);
  await poller;
  const exit = await exited;

  t.deepEqual(failures.slice(0, 5), [], `${failures.length} failed requests`);
  t.true(readyzAnswers503, '/readyz answered 503 while draining');
  t.is(exit.code, 0, 'exit code 0');
  t.true(beforeSigterm > 200, `steady load before SIGTERM (${beforeSigterm} requests)`);
  t.true(inFlightAtSigterm > 100, `requests were in flight at SIGTERM (${inFlightAtSigterm})`);
  t.true(succeeded > beforeSigterm, 'requests were still answered while draining');

  // Every adjustment answered before the exit has its event: the drain flushed the outbox.
  const events = await readStreamEvents(kinesis, standIns.streamName);
  const adjusted = new Set(events.filter((event) => event.type.endsWith('stock.adjusted.v1')).map((event) => event.id));
  t.true(adjusted.size >= adjustments, `${adjusted.size} adjustment events for ${adjustments} answered adjustments`);
});
