import { once } from 'node:events';
import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import Router from '@koa/router';
import test from 'ava';
import { type AppState, createHttpApp, createLogger, createServiceServer } from '../src/index.js';

const headersTimeoutMs = 400;
const requestTimeoutMs = 800;
/** Past a deadline, how long the server may take to notice (its check interval) and the machine to schedule it. */
const slackMs = 1_000;

async function start(): Promise<{ server: Server; port: number }> {
  const app = createHttpApp({ logger: createLogger({ name: 'test', level: 'silent' }), health: { checks: {} } });
  const router = new Router<AppState>();
  router.post('/things', (ctx) => {
    ctx.body = { received: ctx.request.body };
  });
  app.use(router.routes());
  const server = createServiceServer(app.callback(), { requestTimeoutMs, headersTimeoutMs }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

/**
 * Opens a connection, sends `chunks` (waiting `gapMs` between them), then stalls; resolves with
 * what came back and when the server closed the connection, counted from the last chunk sent, or
 * with `closedAfterMs: undefined` if it was still open after `waitMs`.
 */
async function stall(port: number, chunks: string[], gapMs = 0, waitMs = 6_000) {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (data) => {
    received += data.toString('latin1');
  });
  socket.on('error', () => {});
  for (const [index, chunk] of chunks.entries()) {
    if (index > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    socket.write(chunk);
  }
  const sentAt = performance.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - sentAt)));
  const gaveUp = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), waitMs).unref());
  const closedAfterMs = await Promise.race([closed, gaveUp]);
  socket.destroy();
  return { received, closedAfterMs };
}

/** True when nothing came back, or a 408 did: the two ways a server may cut a client off. */
const cutOff = (received: string) => received === '' || received.startsWith('HTTP/1.1 408');

test('when a client sends part of its headers and stalls, then it is cut off once the headers deadline passes', async (t) => {
  const { server, port } = await start();
  try {
    const { received, closedAfterMs } = await stall(port, ['POST /things HTTP/1.1\r\nHost: shop.example\r\nX-Slow: 1']);
    t.not(closedAfterMs, undefined, 'the connection was closed');
    t.true(cutOff(received), received);
    t.true((closedAfterMs ?? 0) >= headersTimeoutMs * 0.9, `not before the deadline: ${closedAfterMs} ms`);
    t.true((closedAfterMs ?? Infinity) < headersTimeoutMs + slackMs, `soon after the deadline: ${closedAfterMs} ms`);
  } finally {
    server.close();
  }
});

test('when a client sends its headers but stalls in the body, then it is cut off once the request deadline passes', async (t) => {
  const { server, port } = await start();
  try {
    const { received, closedAfterMs } = await stall(port, [
      'POST /things HTTP/1.1\r\nHost: shop.example\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
    ]);
    t.not(closedAfterMs, undefined, 'the connection was closed');
    t.true(cutOff(received), received);
    t.true((closedAfterMs ?? Infinity) < requestTimeoutMs + slackMs, `soon after the deadline: ${closedAfterMs} ms`);
  } finally {
    server.close();
  }
});

test('when a slow client sends its request within the deadlines, then it is answered', async (t) => {
  const { server, port } = await start();
  try {
    const body = '{"a":1}';
    const { received } = await stall(
      port,
      [
        'POST /things HTTP/1.1\r\nHost: shop.example\r\n',
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        body,
      ],
      headersTimeoutMs / 4,
    );
    t.regex(received, /^HTTP\/1\.1 200 /);
    t.true(received.endsWith('{"received":{"a":1}}'), received);
  } finally {
    server.close();
  }
});

test('when the server is made, then it keeps idle connections past the load balancer and uses the deadlines given', (t) => {
  const server = createServiceServer(() => {}, { requestTimeoutMs: 30_000 });
  t.is(server.requestTimeout, 30_000);
  t.is(server.headersTimeout, 10_000);
  t.is(server.keepAliveTimeout, 65_000, "longer than the ALB's 60 s idle timeout");
});
