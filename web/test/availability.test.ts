import test from 'ava';
import { availabilityOf } from '../src/availability.js';

test('when units are above the threshold, then the product is in stock', (t) => {
  t.deepEqual(availabilityOf({ available: 6, lowStockThreshold: 5 }), { level: 'in-stock', text: 'In stock' });
});

test('when units are at or below the threshold, then the shopper is told how many are left', (t) => {
  t.deepEqual(availabilityOf({ available: 5, lowStockThreshold: 5 }), { level: 'low', text: 'Only 5 left' });
  t.deepEqual(availabilityOf({ available: 1, lowStockThreshold: 5 }), { level: 'low', text: 'Only 1 left' });
});

test('when nothing can be bought, then the product is out of stock, even with a threshold of 0 or a negative count', (t) => {
  t.is(availabilityOf({ available: 0, lowStockThreshold: 5 }).text, 'Out of stock');
  t.is(availabilityOf({ available: 0, lowStockThreshold: 0 }).text, 'Out of stock');
  t.is(availabilityOf({ available: -2, lowStockThreshold: 5 }).text, 'Out of stock');
});

test('when only the units are known (a search result), then the product is in stock or out of stock', (t) => {
  t.deepEqual(availabilityOf({ available: 1 }), { level: 'in-stock', text: 'In stock' });
  t.deepEqual(availabilityOf({ available: 0 }), { level: 'out-of-stock', text: 'Out of stock' });
  t.deepEqual(availabilityOf({ available: -1 }), { level: 'out-of-stock', text: 'Out of stock' });
});
