import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isListening } from '@shop/local-stack';
import test from 'ava';
import { freePorts, startPlatform } from './local-platform.js';

test('when the platform starts, serves through the gateway, stops and starts again, then data survives and nothing is left running', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'shop-e2e-'));
  const ports = await freePorts();
  try {
    const first = await startPlatform(ports, dataDir);
    t.true(
      first.output.some((line) => line.includes(first.gateway)),
      'the gateway URL is printed',
    );
    t.is((await fetch(`${first.gateway}/healthz`)).status, 200);
    t.is((await fetch(`${first.gateway}/readyz`)).status, 200);
    t.true(
      first.output.some((line) => /admin\s+Admin-pass-1\s+catalog-admin, inventory-staff/.test(line)),
      'the local users are printed',
    );
    const admin = await first.writeHeaders('admin');
    const lantern = JSON.stringify({ name: 'Lantern', description: 'Bright', price: 24.5, category: 'camping' });
    const anonymous = await fetch(`${first.gateway}/api/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: lantern,
    });
    t.is(anonymous.status, 401, 'writes need a token');
    const shopper = await fetch(`${first.gateway}/api/products`, {
      method: 'POST',
      headers: await first.writeHeaders('shopper'),
      body: lantern,
    });
    t.is(shopper.status, 403, "a shopper's token is not an admin's");

    const created = await fetch(`${first.gateway}/api/products`, { method: 'POST', headers: admin, body: lantern });
    t.is(created.status, 201);
    const location = created.headers.get('location') ?? '';
    t.regex(location, /^\/api\/products\/[0-9A-Z]{26}$/);
    const productId = location.split('/').pop() ?? '';
    const stock = await fetch(`${first.gateway}/api/inventory/${productId}`);
    t.is(stock.status, 200, 'a product created in catalog has a stock level at once, through the gateway');
    t.like(await stock.json(), { productId, onHand: 0, available: 0 });
    const restock = await fetch(`${first.gateway}/api/inventory/${productId}/adjustments`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ quantity: 4, reason: 'restock' }),
    });
    t.is(restock.status, 201);

    const doomed = await fetch(`${first.gateway}/api/products`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'Discontinued', description: 'Going away', price: 1 }),
    });
    const doomedId = ((await doomed.json()) as { id: string }).id;
    const stocked = await fetch(`${first.gateway}/api/inventory/${doomedId}/adjustments`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ quantity: 2, reason: 'restock' }),
    });
    t.is(stocked.status, 201);
    t.is((await fetch(`${first.gateway}/api/products/${doomedId}`, { method: 'DELETE', headers: admin })).status, 204);
    t.is((await fetch(`${first.gateway}/api/inventory/${doomedId}`)).status, 404, 'deleting in catalog ends its stock');
    const afterDelete = await fetch(`${first.gateway}/api/inventory/${doomedId}/adjustments`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ quantity: 1, reason: 'restock' }),
    });
    t.is(afterDelete.status, 404);

    const unknown = await fetch(`${first.gateway}/api/nothing-here`);
    t.is(unknown.status, 404);
    t.is(unknown.headers.get('content-type')?.split(';')[0], 'application/problem+json');

    t.is(await first.stop('SIGTERM'), 0, 'SIGTERM stops the platform cleanly');
    for (const [name, port] of Object.entries(ports)) t.false(await isListening(port), `${name} ${port} is closed`);

    const second = await startPlatform(ports, dataDir);
    const read = await fetch(`${second.gateway}${location}`);
    t.is(read.status, 200);
    t.like(await read.json(), { name: 'Lantern', price: 24.5, category: 'camping' });
    const kept = await fetch(`${second.gateway}/api/inventory/${productId}`);
    t.like(await kept.json(), { onHand: 4 }, 'stock survives the restart too');
    t.is(await second.stop('SIGINT'), 0, 'Ctrl-C stops it cleanly too');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('when a port is taken, then npm start names the port and its variable and exits 1', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'shop-e2e-'));
  const ports = await freePorts();
  const { createServer } = await import('node:net');
  const blocker = createServer().listen(ports.DYNAMODB_PORT, '127.0.0.1');
  try {
    const error = await t.throwsAsync(startPlatform(ports, dataDir));
    t.regex(error?.message ?? '', new RegExp(`Port ${ports.DYNAMODB_PORT} is already in use; set DYNAMODB_PORT`));
    t.regex(error?.message ?? '', /exited with 1/);
  } finally {
    blocker.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
