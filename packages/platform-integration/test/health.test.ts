import { openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpApp, createLogger, type ReadinessCheck } from '@shop/platform';
import { serve } from '@shop/testing';
import test from 'ava';

const timeoutMs = 300;

/** An app whose `/readyz` runs `checks`, logging to a file read back by `logText`. */
async function start(checks: Record<string, ReadinessCheck>) {
  const dir = await mkdtemp(join(tmpdir(), 'shop-health-'));
  const logFile = join(dir, 'service.log');
  const logger = createLogger({ name: 'test', level: 'info', fd: openSync(logFile, 'a') });
  const app = createHttpApp({ logger, health: { checks, timeoutMs } });
  const { server, baseUrl } = await serve(app.callback());
  return {
    baseUrl,
    async logText() {
      logger.flush();
      await new Promise((resolve) => setTimeout(resolve, 50));
      return readFile(logFile, 'utf8');
    },
    async stop() {
      server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// What a real failure says: a host, a port and a table name, none of which an answer may show.
const internalDetail = 'connect ECONNREFUSED 10.0.3.17:8000 (table shop-prod-orders)';

test('when one check rejects and another hangs past its timeout, then /readyz answers 503 in time naming both, without internal details', async (t) => {
  const service = await start({
    dynamodb: async () => {
      throw new Error(internalDetail);
    },
    kinesis: () => new Promise(() => {}),
    'cognito keys': async () => 'keys',
  });
  try {
    const started = performance.now();
    const response = await fetch(`${service.baseUrl}/readyz`);
    const elapsed = performance.now() - started;
    t.is(response.status, 503);
    t.is(response.headers.get('cache-control'), 'no-store');
    const text = await response.text();
    t.deepEqual(JSON.parse(text), {
      status: 'not ready',
      checks: { dynamodb: 'failing', kinesis: 'timed out', 'cognito keys': 'ok' },
    });
    for (const detail of ['ECONNREFUSED', '10.0.3.17', '8000', 'shop-prod-orders', 'Error', timeoutMs.toString()]) {
      t.false(text.includes(detail), detail);
    }
    t.true(elapsed >= timeoutMs * 0.9, `waited for the slow check (${Math.round(elapsed)} ms)`);
    t.true(elapsed < timeoutMs + 1500, `the hanging check does not hold the probe (${Math.round(elapsed)} ms)`);
    const log = await service.logText();
    t.regex(log, /"check":"dynamodb","state":"failing"/);
    t.true(log.includes(internalDetail), 'the reason is in the log for operators');
    t.regex(log, /"check":"kinesis","state":"timed out"/);
    t.is((await fetch(`${service.baseUrl}/healthz`)).status, 200, 'the process itself is alive');
  } finally {
    await service.stop();
  }
});

test('when a check throws instead of rejecting, then /readyz answers 503 naming it', async (t) => {
  const service = await start({
    dynamodb: () => {
      throw new TypeError(internalDetail);
    },
  });
  try {
    const response = await fetch(`${service.baseUrl}/readyz`);
    t.is(response.status, 503);
    t.deepEqual(await response.json(), { status: 'not ready', checks: { dynamodb: 'failing' } });
  } finally {
    await service.stop();
  }
});

test('when every check answers, then /readyz answers 200 with each check ok', async (t) => {
  const service = await start({ dynamodb: async () => ({}), kinesis: async () => ({}) });
  try {
    const response = await fetch(`${service.baseUrl}/readyz`);
    t.is(response.status, 200);
    t.deepEqual(await response.json(), { status: 'ready', checks: { dynamodb: 'ok', kinesis: 'ok' } });
  } finally {
    await service.stop();
  }
});
