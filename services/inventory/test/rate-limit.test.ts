import { defineConfig, loadConfig, rateLimitConfig, rateLimitOptionsOf } from '@shop/platform';
import anyTest, { type TestFn } from 'ava';
import { createApp } from '../src/app.js';
import { type Inventory, startInventory } from './inventory-harness.js';

const test = anyTest as TestFn<{ inventory: Inventory }>;

// The service-wide limit as a service configured with nothing runs it, on a clock that stands
// still: no bucket refills during the test, so what is served does not depend on the machine's speed.
const defaults = loadConfig(defineConfig(rateLimitConfig), {});

test.before(async (t) => {
  t.context.inventory = await startInventory(createApp, (kit) => {
    const options = rateLimitOptionsOf(defaults, kit.auth);
    return options ? { rateLimit: { ...options, now: () => 0 } } : {};
  });
});
test.after.always(async (t) => {
  await t.context.inventory?.stop();
});

test('when one signed-in staff client races 500 sales while an anonymous flood comes from its address, then the sales see no 429 and the flood is limited', async (t) => {
  const { inventory } = t.context;
  const product = await inventory.createProduct({ category: 'race' });
  const restocked = await inventory.requestAs('staff', 'POST', `/api/inventory/${product.id}/adjustments`, {
    quantity: 500,
    reason: 'restock',
  });
  t.is(restocked.status, 201);
  // Both from 127.0.0.1: the sales are keyed by the staff member's subject, the flood by the address.
  const [sales, flood] = await Promise.all([
    Promise.all(
      Array.from({ length: 500 }, () =>
        inventory.requestAs('staff', 'POST', `/api/inventory/${product.id}/adjustments`, {
          quantity: -1,
          reason: 'sale',
        }),
      ),
    ),
    Promise.all(Array.from({ length: 1500 }, () => inventory.request('GET', `/api/inventory/${product.id}`))),
  ]);
  t.deepEqual(
    [...new Set(sales.map((answer) => answer.status))],
    [201],
    'every sale went through, none refused with 429',
  );
  t.is(sales[0]?.headers.get('ratelimit-policy'), '"inventory-staff";q=1000;w=1');
  // The address's bucket: its burst, exactly, and nothing more.
  const served = flood.filter((answer) => answer.status === 200).length;
  const limited = flood.filter((answer) => answer.status === 429);
  t.is(served, defaults.rateLimitBurst);
  t.is(limited.length, 1500 - defaults.rateLimitBurst);
  t.true(limited.every((answer) => Number(answer.headers.get('retry-after')) >= 1));
  t.is(limited[0]?.headers.get('ratelimit-policy'), '"address";q=200;w=2');
  const stock = await inventory.requestAs('staff', 'GET', `/api/inventory/${product.id}`);
  t.like(stock.body, { onHand: 0, available: 0 });
});
