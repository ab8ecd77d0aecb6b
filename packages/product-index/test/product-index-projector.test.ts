import { assertShopEvent, type ShopEvent } from '@shop/contracts';
import {
  behaviourEventTypes,
  createEvent,
  newId,
  type ProductRecord,
  productEventTypes,
  stockEventTypes,
} from '@shop/platform';
import test from 'ava';
import { indexWriteOf, ProductIndexProjector } from '../src/product-index-projector.js';
import type { IndexWrite, ProductSearchRepository } from '../src/product-search.repository.js';

const productId = newId();
const reservationId = newId();

/** An event as its producer makes it, checked against its contract so the fixtures cannot drift. */
function event(type: string, data: Record<string, unknown>): ShopEvent {
  const source = type.startsWith('shop.catalog.')
    ? '/shop/catalog'
    : type.startsWith('shop.web.')
      ? '/shop/web'
      : '/shop/inventory';
  const made: unknown = createEvent({ source, type, subject: productId, data });
  assertShopEvent(made);
  return made;
}

const record: ProductRecord = {
  id: productId,
  name: 'Trail shoe',
  description: 'A light shoe for rough paths',
  priceMinor: 8999,
  currency: 'USD',
  sku: 'TRAIL-1',
  category: 'running-shoes',
  version: 4,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-02T10:00:00.000Z',
};
const snapshot = { ...record, price: 89.99 };
const { priceMinor: _priceMinor, ...view } = snapshot;
const reservation = { productId, version: 7, reservationId, quantity: 2, availableAfter: 3 };

test('when product events are projected, then they write the product view or a tombstone at their version', (t) => {
  t.deepEqual(indexWriteOf(event(productEventTypes.created, { product: snapshot })), {
    kind: 'product',
    product: view,
  });
  t.deepEqual(indexWriteOf(event(productEventTypes.updated, { product: snapshot })), {
    kind: 'product',
    product: view,
  });
  t.deepEqual(indexWriteOf(event(productEventTypes.deleted, { product: snapshot })), {
    kind: 'delete',
    productId,
    version: 4,
  });
});

test('when stock events are projected, then each writes the availability it carries at the stock version', (t) => {
  const stock = (available: number, stockVersion: number): IndexWrite => ({
    kind: 'stock',
    productId,
    available,
    stockVersion,
  });
  const adjusted = {
    productId,
    version: 6,
    adjustmentId: newId(),
    quantity: -2,
    reason: 'sale',
    onHandBefore: 7,
    onHandAfter: 5,
    availableAfter: 5,
    unitPriceMinor: 8999,
    currency: 'USD',
    category: 'running-shoes',
    revenueMinor: 17998,
  };
  t.deepEqual(indexWriteOf(event(stockEventTypes.adjusted, adjusted)), stock(5, 6));
  const expiresAt = '2026-12-02T10:15:00.000Z';
  t.deepEqual(indexWriteOf(event(stockEventTypes.reservationCreated, { ...reservation, expiresAt })), stock(3, 7));
  t.deepEqual(indexWriteOf(event(stockEventTypes.reservationCommitted, reservation)), stock(3, 7));
  t.deepEqual(indexWriteOf(event(stockEventTypes.reservationReleased, reservation)), stock(3, 7));
  t.deepEqual(indexWriteOf(event(stockEventTypes.reservationExpired, reservation)), stock(3, 7));
  const level = { productId, version: 8, available: 2, onHand: 2, lowStockThreshold: 3 };
  t.deepEqual(indexWriteOf(event(stockEventTypes.low, level)), stock(2, 8));
  t.deepEqual(indexWriteOf(event(stockEventTypes.replenished, { ...level, available: 9, onHand: 9 })), stock(9, 8));
});

test('when an event carries nothing the storefront shows, then it makes no write', (t) => {
  const threshold = { productId, version: 9, lowStockThreshold: 4, previousLowStockThreshold: 3 };
  t.is(indexWriteOf(event(stockEventTypes.thresholdChanged, threshold)), undefined);
  t.is(indexWriteOf(event(behaviourEventTypes.productViewed, { productId, category: 'running-shoes' })), undefined);
});

test('when a batch is projected, then its writes go in one request in order and refused ones are answered', async (t) => {
  const batches: IndexWrite[][] = [];
  const repository = {
    async write(writes: readonly IndexWrite[]) {
      batches.push([...writes]);
      return writes.filter((write) => write.kind === 'delete').map((write) => ({ write, reason: 'mapper: refused' }));
    },
  } as unknown as ProductSearchRepository;
  const projector = new ProductIndexProjector(repository);
  const threshold = { productId, version: 9, lowStockThreshold: 4, previousLowStockThreshold: 3 };
  const outcome = await projector.projectAll([
    event(productEventTypes.created, { product: snapshot }),
    event(stockEventTypes.thresholdChanged, threshold),
    event(productEventTypes.deleted, { product: { ...snapshot, version: 5 } }),
  ]);
  t.deepEqual(
    batches.map((batch) => batch.map((write) => write.kind)),
    [['product', 'delete']],
  );
  t.is(outcome.written, 1);
  t.deepEqual(
    outcome.refused.map(({ reason }) => reason),
    ['mapper: refused'],
  );
  await t.throwsAsync(projector.project(event(productEventTypes.deleted, { product: snapshot })), {
    message: /refused the event: mapper: refused/,
  });
});
