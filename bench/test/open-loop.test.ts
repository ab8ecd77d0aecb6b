import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { dueCount, quantileOf, runOpenLoop, scheduledAt } from '../src/open-loop.js';

test('when a run is scheduled, then requests are evenly spaced at the rate', (t) => {
  t.deepEqual(
    [0, 1, 2, 3].map((index) => scheduledAt(index, 200)),
    [0, 5, 10, 15],
  );
  t.is(scheduledAt(100, 50), 2000);
});

test('when time passes, then every request scheduled up to now is due and none beyond the run', (t) => {
  t.is(dueCount(-1, 100, 10), 0);
  t.is(dueCount(0, 100, 10), 1);
  t.is(dueCount(9.9, 100, 10), 1);
  t.is(dueCount(10, 100, 10), 2);
  // A timer that fires 35 ms late finds four more requests due at once.
  t.is(dueCount(45, 100, 10), 5);
  t.is(dueCount(60_000, 100, 10), 10);
});

test('when quantiles are taken, then they come from the sorted values', (t) => {
  const values = Float64Array.from([5, 1, 4, 2, 3, 10, 9, 8, 7, 6]);
  t.is(quantileOf(values, 0.5), 6);
  t.is(quantileOf(values, 0.99), 10);
  t.is(quantileOf(new Float64Array(0), 0.99), 0);
});

test('when the server stalls, then requests waiting behind it are timed from their schedule', async (t) => {
  let first = true;
  const server = createServer((_req, res) => {
    const delay = first ? 300 : 0;
    first = false;
    setTimeout(() => res.end('ok'), delay);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const result = await runOpenLoop({
    url: `http://127.0.0.1:${port}`,
    ratePerSecond: 100,
    durationSeconds: 1,
    maxSockets: 1,
    next: () => ({ method: 'GET', path: '/', kind: 'read' }),
    windowSeconds: 0.5,
  });
  server.close();
  t.is(result.requests, 100);
  t.is(result.errors, 0);
  // Every request scheduled during the stall waited for the one socket: some 30 of 100 are late by
  // up to 300 ms. A closed-loop client would report one slow request.
  t.true(result.p99Ms >= 250, `p99 ${result.p99Ms} ms`);
  t.is(result.kinds.read?.requests, 100);
  // The stall and its backlog fall in the first window; the second starts well after they are over
  // (half a second of margin, so a busy machine's slower answers stay in the first).
  t.deepEqual(
    result.windows.map((window) => [window.fromSeconds, window.requests]),
    [
      [0, 50],
      [0.5, 50],
    ],
  );
  t.true((result.windows[0]?.p50Ms ?? 0) >= 20, `first window p50 ${result.windows[0]?.p50Ms} ms`);
  t.true((result.windows[0]?.p99Ms ?? 0) >= 250);
  t.true((result.windows[1]?.p50Ms ?? 1000) < 200);
});

test('when the server answers with errors, then they are counted and left out of the latencies', async (t) => {
  let count = 0;
  const server = createServer((_req, res) => {
    count += 1;
    res.statusCode = count % 5 === 0 ? 503 : 200;
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const result = await runOpenLoop({
    url: `http://127.0.0.1:${port}`,
    ratePerSecond: 100,
    durationSeconds: 0.2,
    next: () => ({ method: 'POST', path: '/', body: { a: 1 } }),
  });
  server.close();
  t.is(result.requests, 20);
  t.is(result.errors, 4);
  t.is(result.successes, 16);
  t.deepEqual(result.statuses, { 200: 16, 503: 4 });
  t.is(result.kinds.POST?.errors, 4);
});
