import test from 'ava';
import type { OpenLoopResult } from '../src/open-loop.js';
import { searchHighestRate, stepPasses } from '../src/rate-steps.js';

const result = (p99Ms: number, errors = 0): OpenLoopResult => ({
  requests: 100,
  rps: 100 - errors,
  p50Ms: p99Ms / 4,
  p99Ms,
  errors,
  successes: 100 - errors,
  statuses: {},
  kinds: {},
  windows: [],
});
const options = { startRate: 50, increment: 50, capRate: 300, p99LimitMs: 100 };

test('when a step has no errors and p99 below the limit, then it passes; at the limit or with an error it fails', (t) => {
  t.true(stepPasses(result(99.9), 100));
  t.false(stepPasses(result(100), 100));
  t.false(stepPasses(result(10, 1), 100));
});

test('when p99 rises with the rate, then the search stops at the first step at or over the limit', async (t) => {
  const tried: number[] = [];
  const search = await searchHighestRate(options, async (rate) => {
    tried.push(rate);
    return result(rate / 2);
  });
  t.deepEqual(tried, [50, 100, 150, 200]);
  t.is(search.highestPassingRate, 150);
  t.is(search.stoppedBy, 'p99');
  t.deepEqual(
    search.steps.map((step) => step.passed),
    [true, true, true, false],
  );
});

test('when a step has errors, then the search stops there even if its p99 is low', async (t) => {
  const search = await searchHighestRate(options, async (rate) => result(5, rate === 100 ? 1 : 0));
  t.is(search.highestPassingRate, 50);
  t.is(search.stoppedBy, 'errors');
  t.is(search.steps.length, 2);
});

test('when every step passes, then the search ends at the cap with the cap as the highest rate', async (t) => {
  const search = await searchHighestRate(options, async () => result(5));
  t.is(search.steps.at(-1)?.rate, 300);
  t.is(search.highestPassingRate, 300);
  t.is(search.stoppedBy, 'cap');
});

test('when the first step fails, then no rate passes', async (t) => {
  const search = await searchHighestRate(options, async () => result(500));
  t.is(search.highestPassingRate, 0);
  t.is(search.steps.length, 1);
});
