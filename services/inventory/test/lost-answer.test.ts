import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import anyTest, { type TestFn } from 'ava';
import { createApp } from '../src/app.js';
import { type Inventory, startInventory } from './inventory-harness.js';

const test = anyTest as TestFn<{ inventory: Inventory }>;

/**
 * The real client, except that every stock change reaches the table twice and the caller sees the
 * second answer: what happens when an UpdateItem's answer is lost (a timeout while the table was
 * slow) and the SDK sends the same request again.
 */
function sendingStockChangesTwice(client: DynamoDBDocumentClient): DynamoDBDocumentClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: UpdateCommand) => {
        if (command instanceof UpdateCommand && command.input.UpdateExpression?.includes('list_append(')) {
          await target.send(command).catch(() => undefined);
        }
        return target.send(command);
      };
    },
  });
}

test.before(async (t) => {
  t.context.inventory = await startInventory((deps) =>
    createApp({ ...deps, documentClient: sendingStockChangesTwice(deps.documentClient) }),
  );
});
test.after.always(async (t) => {
  await t.context.inventory?.stop();
});

test('when a stock change reaches the table twice, then it applies once and the caller gets its answer', async (t) => {
  const { inventory } = t.context;
  const product = await inventory.createProduct();
  const restock = await inventory.requestAs('staff', 'POST', `/api/inventory/${product.id}/adjustments`, {
    quantity: 10,
    reason: 'restock',
  });
  t.is(restock.status, 201);
  t.like(restock.body, { adjustment: { quantity: 10, onHandAfter: 10 }, stock: { onHand: 10 } });
  const sale = await inventory.requestAs('staff', 'POST', `/api/inventory/${product.id}/adjustments`, {
    quantity: -3,
    reason: 'sale',
  });
  t.is(sale.status, 201);
  t.like(sale.body, { adjustment: { onHandAfter: 7 }, stock: { onHand: 7, available: 7 } });

  const level = await inventory.requestAs('staff', 'GET', `/api/inventory/${product.id}`);
  t.like(level.body, { onHand: 7, version: 2 });
  const history = await inventory.requestAs('staff', 'GET', `/api/inventory/${product.id}/adjustments`);
  t.deepEqual(
    history.body.items.map((item: { quantity: number }) => item.quantity),
    [-3, 10],
  );
});
