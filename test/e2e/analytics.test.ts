import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalyticsReader, eventually } from '@shop/local-stack';
import { requestJson } from '@shop/testing';
import test from 'ava';
import { freePorts, startPlatform } from './local-platform.js';

const windowSeconds = 5;

test('when products are sold through the API, then CloudWatch shows exact units and revenue within a window + 15 s, one low-stock crossing sends one supplier alert, and a replay of the range counts nothing twice', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'shop-analytics-e2e-'));
  const ports = await freePorts();
  const namespace = `ShopE2E${Date.now()}`;
  const platform = await startPlatform(ports, dataDir, {
    ANALYTICS_WINDOW_SECONDS: String(windowSeconds),
    METRICS_NAMESPACE: namespace,
  });
  const reader = new AnalyticsReader('us-east-1', `http://127.0.0.1:${ports.MOTO_PORT}`, namespace);
  t.teardown(async () => {
    reader.destroy();
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  const admin = await platform.writeHeaders('admin');
  const api = (method: string, path: string, body?: unknown) =>
    requestJson(platform.gateway, method, path, body, { authorization: admin.authorization ?? '' });
  const topicArn = platform.output.join('\n').match(/alerts to (arn:aws:sns:[^\s),]+)/)?.[1];
  if (!topicArn) throw new Error('npm start did not print the low-stock topic');
  const alerts = await reader.subscribe(topicArn, `alerts-${Date.now()}`);

  const startedAt = new Date();
  const category = `tea-${Date.now()}`;
  const created = await api('POST', '/api/products', {
    name: 'Sencha',
    description: 'Green tea, 100 g',
    price: 12.5,
    currency: 'USD',
    category,
    supplier: { name: 'Leaf & Co', email: 'orders@leaf.test' },
  });
  t.is(created.status, 201);
  const productId = created.body.id as string;
  // The worker has its leases once the product's creation is counted.
  const ready = await eventually(
    () => reader.sum('EventsProcessed', { EventType: 'shop.catalog.product.created.v1' }),
    (count) => count >= 1,
    120_000,
  );
  t.is(ready, 1);

  t.is((await api('POST', `/api/inventory/${productId}/adjustments`, { quantity: 20, reason: 'restock' })).status, 201);
  t.is((await api('PATCH', `/api/inventory/${productId}`, { lowStockThreshold: 5 })).status, 200);
  for (const quantity of [2, 3, 11]) {
    const sale = await api('POST', `/api/inventory/${productId}/adjustments`, { quantity: -quantity, reason: 'sale' });
    t.is(sale.status, 201);
  }
  const soldAt = Date.now();
  const deadline = (windowSeconds + 15) * 1000;

  const units = await eventually(
    () => reader.sum('UnitsSold', { Category: category }),
    (sum) => sum >= 16,
    deadline,
  );
  t.is(units, 16, 'units sold');
  t.true(Date.now() - soldAt <= deadline + 1000, 'within a window + 15 s');
  t.is(await reader.sum('Revenue', { Category: category, Currency: 'USD' }), 200, 'revenue in dollars');
  t.is(await reader.sum('StockAdjustments', { Reason: 'sale' }), 3);
  t.is(
    await eventually(
      () => reader.sum('LowStockAlerts', { Category: category }),
      (sum) => sum >= 1,
      deadline,
    ),
    1,
  );

  const messages = await eventually(alerts, (received) => received.length >= 1, deadline);
  t.is(messages.length, 1, 'one alert for one crossing');
  t.like(JSON.parse(messages[0] ?? '{}'), {
    type: 'low-stock',
    productId,
    name: 'Sencha',
    category,
    available: 4,
    lowStockThreshold: 5,
    supplier: { email: 'orders@leaf.test' },
  });
  // Another sale below the threshold is no new crossing.
  t.is((await api('POST', `/api/inventory/${productId}/adjustments`, { quantity: -1, reason: 'sale' })).status, 201);
  await eventually(
    () => reader.sum('UnitsSold', { Category: category }),
    (sum) => sum >= 17,
    deadline,
  );
  t.is((await alerts()).length, 1);

  // A replay puts every event of the range on the stream again, with the same ids: the fleet
  // counts none of them twice and sends no second alert.
  const replayed = await platform.npmRun('events', ['replay', '--from', startedAt.toISOString()]);
  const count = Number(/replayed (\d+) event/.exec(replayed)?.[1] ?? 0);
  t.true(count >= 8, `the replay republished this test's events (${replayed.trim().split('\n').at(-1)})`);
  const duplicates = await eventually(
    () => reader.sum('DuplicateEvents', {}),
    (sum) => sum >= count,
    deadline + 30_000,
  );
  t.true(duplicates >= count, `the fleet saw the replayed copies and skipped them (${duplicates})`);
  t.is(await reader.sum('UnitsSold', { Category: category }), 17, 'units sold unchanged after the replay');
  t.is(await reader.sum('Revenue', { Category: category, Currency: 'USD' }), 212.5);
  t.is((await alerts()).length, 1, 'no second alert');
  // The fleet checks every event against its schema: the services' events, replayed ones too, all pass.
  t.is(await reader.sum('PoisonEvents', {}), 0, 'no event was rejected');
});
