import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  createDocumentClient,
  createDynamoDbClient,
  isConditionalCheckFailed,
  itemKeys,
  productToItem,
} from '@shop/platform';
import { ulid } from 'ulid';
import { type BenchStack, rssMb } from './bench-stack.js';
import { alternate, type LoadResult, runLoad } from './load-runner.js';
import type { BenchSettings, Scenario } from './scenario.js';

const initialStock = 1_000_000;

// The baseline: `connections` loops each doing the same conditional decrement straight to dynalite.
async function baselineSales(
  send: (command: UpdateCommand) => Promise<unknown>,
  key: Record<string, string>,
  tableName: string,
  connections: number,
  durationSeconds: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = Date.now() + durationSeconds * 1000;
  const loop = async () => {
    while (Date.now() < deadline) {
      const started = performance.now();
      try {
        await send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET onHand = onHand - :one, available = available - :one, version = version + :one',
            ConditionExpression: 'available >= :one',
            ExpressionAttributeValues: { ':one': 1 },
          }),
        );
        latencies.push(performance.now() - started);
      } catch (error) {
        if (!isConditionalCheckFailed(error)) errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  latencies.sort((a, b) => a - b);
  const at = (quantile: number) => Math.round(latencies[Math.floor(quantile * (latencies.length - 1))] ?? 0);
  return {
    rps: latencies.length / durationSeconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    errors,
    requests: latencies.length + errors,
    successes: latencies.length,
  };
}

/**
 * Many concurrent sales of one product through the inventory API, against a loop of the same
 * conditional UpdateItem straight to dynalite with the same concurrency. Final stock must be exact.
 */
export const inventoryHotSku: Scenario = {
  name: 'inventory.hot-sku-sales',
  async run(stack: BenchStack, settings: BenchSettings) {
    const { standIns } = stack;
    const documentClient = createDocumentClient(
      createDynamoDbClient({ region: standIns.region, endpoint: standIns.dynamoDbEndpoint }),
    );
    const now = new Date().toISOString();
    const productId = ulid();
    await documentClient.send(
      new PutCommand({
        TableName: standIns.tableName,
        Item: productToItem({
          id: productId,
          name: 'Hot item',
          description: 'Everyone wants one',
          priceMinor: 1999,
          currency: 'USD',
          sku: `HOT-${productId}`,
          category: 'bench',
          version: 1,
          createdAt: now,
          updatedAt: now,
        }),
      }),
    );
    const baselineKey = { pk: `BENCH#${productId}`, sk: 'STOCK' };
    await documentClient.send(
      new PutCommand({
        TableName: standIns.tableName,
        Item: { ...baselineKey, onHand: initialStock, available: initialStock, version: 0 },
      }),
    );
    const inventory = await stack.startService('inventory');
    const authorization = await stack.bearer('staff');
    const restock = await fetch(`${inventory.url}/api/inventory/${productId}/adjustments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ quantity: initialStock, reason: 'restock' }),
    });
    if (restock.status !== 201) throw new Error(`restock failed with ${restock.status}`);

    let serviceSales = 0;
    let baselineSold = 0;
    const service = async (durationSeconds: number) => {
      const result = await runLoad({
        url: inventory.url,
        paths: [`/api/inventory/${productId}/adjustments`],
        method: 'POST',
        body: { quantity: -1, reason: 'sale' },
        headers: { authorization },
        durationSeconds,
        connections: settings.connections,
      });
      serviceSales += result.successes;
      return result;
    };
    const send = (command: UpdateCommand) => documentClient.send(command);
    const baseline = async (durationSeconds: number) => {
      const result = await baselineSales(send, baselineKey, standIns.tableName, settings.connections, durationSeconds);
      baselineSold += result.successes;
      return result;
    };
    await baseline(settings.warmupSeconds);
    await service(settings.warmupSeconds);
    const measured = await alternate(
      settings.rounds,
      () => service(settings.durationSeconds),
      () => baseline(settings.durationSeconds),
    );

    // Exact stock: every committed change moved onHand once (the restock and each sale), so
    // onHand = initial − (version − 1). Sales still in flight when a run's clock ran out commit
    // without their 201 being counted, at most one per connection and run.
    let level = { onHand: -1, version: -1 };
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const response = await fetch(`${inventory.url}/api/inventory/${productId}`);
      level = (await response.json()) as { onHand: number; version: number };
      const stockItem = await documentClient.send(
        new GetCommand({ TableName: standIns.tableName, Key: itemKeys.stock(productId), ConsistentRead: true }),
      );
      if (((stockItem.Item?.outbox as unknown[] | undefined)?.length ?? 0) === 0) break;
      await sleep(200);
    }
    const committedSales = level.version - 1;
    // What the service itself counted, to tell a lost write from a miscounted answer.
    const metricsText = await (await fetch(inventory.metricsUrl)).text();
    const served = Number(
      /http_requests_total\{[^}]*method="POST"[^}]*route="\/api\/inventory\/:productId\/adjustments"[^}]*status_class="2xx"[^}]*\} (\d+)/.exec(
        metricsText,
      )?.[1] ?? -1,
    );
    const runs = settings.rounds + 1;
    const stockItem = await documentClient.send(
      new GetCommand({ TableName: standIns.tableName, Key: itemKeys.stock(productId), ConsistentRead: true }),
    );
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: standIns.tableName, Key: baselineKey, ConsistentRead: true }),
    );
    const pending = (stockItem.Item?.outbox as unknown[] | undefined)?.length ?? 0;
    return {
      measured,
      rssMb: rssMb(inventory.child.pid),
      baselineRssMb: 0,
      targets: { rpsRatio: 0.7 },
      checks: [
        {
          name: `service final onHand ${level.onHand} = ${initialStock} - ${committedSales} committed sales`,
          ok: level.onHand === initialStock - committedSales,
        },
        {
          name: `committed sales ${committedSales} = ${serviceSales} answered 201 + at most ${settings.connections * runs} in flight at run ends`,
          ok: committedSales >= serviceSales && committedSales - serviceSales <= settings.connections * runs,
        },
        {
          name: `the service answered ${served} adjustments with 2xx (the restock and every sale it committed)`,
          ok: served === committedSales + 1,
        },
        {
          name: `baseline final onHand ${Item?.onHand} = ${initialStock} - ${baselineSold}`,
          ok: Item?.onHand === initialStock - baselineSold,
        },
        { name: `outbox drained (${pending} pending)`, ok: pending === 0 },
      ],
    };
  },
};
