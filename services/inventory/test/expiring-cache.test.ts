import test from 'ava';
import { ExpiringCache } from '../src/dashboard/expiring-cache.js';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

test('when callers ask while a load is in flight, then they share that one load', async (t) => {
  const cache = new ExpiringCache<number, string>(5_000, clock().now);
  const pending = deferred<string>();
  let loads = 0;
  const load = () => {
    loads += 1;
    return pending.promise;
  };
  const answers = [cache.get(60, load), cache.get(60, load), cache.get(60, load)];
  pending.resolve('charts');
  t.deepEqual(await Promise.all(answers), ['charts', 'charts', 'charts']);
  t.is(loads, 1);
});

test('when an answer is younger than its time to live, then it is reused; once older, it is loaded again', async (t) => {
  const time = clock();
  const cache = new ExpiringCache<number, number>(5_000, time.now);
  let loads = 0;
  const load = async () => ++loads;
  t.is(await cache.get(60, load), 1);
  time.advance(4_999);
  t.is(await cache.get(60, load), 1);
  time.advance(1);
  t.is(await cache.get(60, load), 2);
});

test('when a load takes long, then its time to live starts when it settles', async (t) => {
  const time = clock();
  const cache = new ExpiringCache<number, string>(5_000, time.now);
  const slow = deferred<string>();
  const first = cache.get(60, () => slow.promise);
  time.advance(60_000);
  slow.resolve('late');
  await first;
  time.advance(4_000);
  t.is(await cache.get(60, async () => 'reloaded'), 'late');
});

test('when a load fails, then the failure is shared for the time to live and the next ask after it loads again', async (t) => {
  const time = clock();
  const cache = new ExpiringCache<number, string>(5_000, time.now);
  let loads = 0;
  const failing = async () => {
    loads += 1;
    throw new Error('unreachable');
  };
  await t.throwsAsync(cache.get(60, failing), { message: 'unreachable' });
  await t.throwsAsync(cache.get(60, failing), { message: 'unreachable' });
  t.is(loads, 1);
  time.advance(5_000);
  t.is(await cache.get(60, async () => 'back'), 'back');
});

test('when keys differ, then each has its own answer, and expired answers are dropped', async (t) => {
  const time = clock();
  const cache = new ExpiringCache<number, string>(5_000, time.now);
  t.is(await cache.get(5, async () => 'five'), 'five');
  t.is(await cache.get(60, async () => 'sixty'), 'sixty');
  t.is(await cache.get(5, async () => 'other'), 'five');
  t.is(cache.size, 2);
  time.advance(5_000);
  t.is(await cache.get(1440, async () => 'day'), 'day');
  t.is(cache.size, 1);
});

test('when the time to live is 0, then only loads in flight are shared', async (t) => {
  const cache = new ExpiringCache<number, number>(0, clock().now);
  let loads = 0;
  const load = async () => ++loads;
  const [a, b] = await Promise.all([cache.get(60, load), cache.get(60, load)]);
  t.deepEqual([a, b], [1, 1]);
  t.is(await cache.get(60, load), 2);
});
