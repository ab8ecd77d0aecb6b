import test from 'ava';
import { pickOperation, StockKeeper, seededRandom, storefrontRequests } from '../src/storefront-mix.js';

test('when the seed is the same, then so is the sequence, and another seed gives another', (t) => {
  const draw = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
  t.deepEqual(draw(7), draw(7));
  t.notDeepEqual(draw(7), draw(8));
  t.true(draw(7).every((value) => value >= 0 && value < 1));
});

test('when draws fall on the shares, then each picks its operation', (t) => {
  t.is(pickOperation(0), 'product');
  t.is(pickOperation(0.49), 'product');
  t.is(pickOperation(0.5), 'list');
  t.is(pickOperation(0.64), 'list');
  t.is(pickOperation(0.65), 'search');
  t.is(pickOperation(0.79), 'search');
  t.is(pickOperation(0.8), 'stock');
  t.is(pickOperation(0.94), 'stock');
  t.is(pickOperation(0.96), 'adjustment');
  t.is(pickOperation(0.999_999), 'adjustment');
});

test('when 100,000 requests are drawn with a seeded random, then the mix is 80 / 15 / 5 within half a point', (t) => {
  const productIds = ['A', 'B', 'C'];
  const stock = new StockKeeper({ initial: 1_000_000, lowWater: 2, restock: 10 }, productIds);
  const next = storefrontRequests(
    { productIds, categories: ['c-0', 'c-1'], searchTerms: ['shoe'], staffAuthorization: 'Bearer x' },
    stock,
    seededRandom(42),
  );
  const counts = { catalog: 0, search: 0, stock: 0, adjustment: 0 };
  const total = 100_000;
  for (let index = 0; index < total; index += 1) {
    const request = next(index);
    if (request.path.startsWith('/api/products/search?q=shoe')) counts.search += 1;
    if (request.path.startsWith('/api/products')) counts.catalog += 1;
    else if (request.method === 'GET') counts.stock += 1;
    else {
      counts.adjustment += 1;
      t.is(request.headers?.authorization, 'Bearer x');
      t.regex(request.path, /^\/api\/inventory\/[ABC]\/adjustments$/);
    }
  }
  t.true(Math.abs(counts.catalog / total - 0.8) < 0.005, `catalog ${counts.catalog}`);
  t.true(Math.abs(counts.search / total - 0.15) < 0.005, `searches ${counts.search}`);
  t.true(Math.abs(counts.stock / total - 0.15) < 0.005, `stock ${counts.stock}`);
  t.true(Math.abs(counts.adjustment / total - 0.05) < 0.005, `adjustments ${counts.adjustment}`);
});

test('when stock reaches the low-water mark, then the next change is a restock, and sales resume once it is answered', (t) => {
  const stock = new StockKeeper({ initial: 4, lowWater: 2, restock: 10 }, ['A']);
  t.like(stock.next('A'), { quantity: -1, reason: 'sale' });
  t.like(stock.next('A'), { quantity: -1, reason: 'sale' });
  t.is(stock.floor('A'), 2);
  const restock = stock.next('A');
  t.like(restock, { quantity: 10, reason: 'restock' });
  // Unanswered, the restock does not count: the next change is a restock again, never a sale.
  t.like(stock.next('A'), { reason: 'restock' });
  restock.confirm(201);
  t.is(stock.floor('A'), 12);
  t.like(stock.next('A'), { quantity: -1, reason: 'sale' });
});

test('when a restock fails, then the floor stays where it was', (t) => {
  const stock = new StockKeeper({ initial: 2, lowWater: 2, restock: 10 }, ['A']);
  stock.next('A').confirm(503);
  t.is(stock.floor('A'), 2);
});

test('when changes of a product are drawn at random, then its floor never goes below the low-water mark', (t) => {
  const stock = new StockKeeper({ initial: 10, lowWater: 2, restock: 10 }, ['A']);
  const random = seededRandom(3);
  const unanswered: Array<(status: number) => void> = [];
  for (let step = 0; step < 1000; step += 1) {
    unanswered.push(stock.next('A').confirm);
    // Answers arrive late and out of order.
    if (random() < 0.3) unanswered.splice(Math.floor(random() * unanswered.length), 1)[0]?.(201);
    t.true(stock.floor('A') >= 2);
  }
});
