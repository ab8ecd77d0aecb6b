import { openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { createLogger, type Logger } from '../src/index.js';

/** Runs `write` against a logger writing to a fresh file, and resolves with the parsed lines. */
async function logged(
  write: (logger: Logger) => void,
): Promise<{ text: string; lines: Array<Record<string, unknown>> }> {
  const dir = await mkdtemp(join(tmpdir(), 'shop-logger-'));
  try {
    const file = join(dir, 'out.log');
    const logger = createLogger({ name: 'test', level: 'trace', fd: openSync(file, 'a') });
    write(logger);
    logger.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = await readFile(file, 'utf8');
    return {
      text,
      lines: text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtc3ViamVjdCJ9.c2lnbmF0dXJlLXNlY3JldA';

/** An error as an HTTP client throws it: the request's headers (any spelling) on its config and response. */
class UpstreamError extends Error {
  constructor(
    readonly response: unknown,
    readonly config: unknown,
    options?: ErrorOptions,
  ) {
    super('upstream answered 401', options);
    this.name = 'UpstreamError';
  }
}

test('when an error carries credentials deep inside it, then the log line shows the error without them', async (t) => {
  const cause = Object.assign(new Error('sign-in refused'), { params: { PASSWORD: 'cause-password-secret' } });
  const error = new UpstreamError(
    { status: 401, headers: { authorization: 'Bearer response-header-secret', 'content-type': 'application/json' } },
    {
      url: 'https://cognito.example/oauth2/token',
      headers: { Authorization: 'Basic config-header-secret', 'X-Amz-Security-Token': 'session-secret' },
      data: { grant: { refresh_token: 'refresh-secret', client_secret: 'client-secret-value' } },
    },
    { cause },
  );
  const { text, lines } = await logged((logger) => {
    logger.error({ err: error, requestId: 'r-1' }, 'token exchange failed');
    logger.error(error);
  });
  for (const secret of [
    'response-header-secret',
    'config-header-secret',
    'session-secret',
    'refresh-secret',
    'client-secret-value',
    'cause-password-secret',
  ]) {
    t.false(text.includes(secret), secret);
  }
  t.is(lines.length, 2);
  for (const line of lines) {
    t.like(line, {
      err: {
        type: 'UpstreamError',
        message: 'upstream answered 401: sign-in refused',
        response: { status: 401, headers: { authorization: '[redacted]', 'content-type': 'application/json' } },
        config: { url: 'https://cognito.example/oauth2/token', headers: { Authorization: '[redacted]' } },
      },
    });
    t.regex(String((line.err as { stack: string }).stack), /UpstreamError: upstream answered 401/);
  }
  t.is(lines[0]?.requestId, 'r-1', 'fields beside the error are kept');
});

test('when an error message quotes a token, then neither its message nor its stack shows it, and the stack stays', async (t) => {
  const error = new Error(`verifier rejected ${jwt}`);
  const { text, lines } = await logged((logger) => logger.error({ err: error }, 'verification failed'));
  t.false(text.includes(jwt.split('.')[1] ?? jwt));
  const loggedError = lines[0]?.err as { message: string; stack: string };
  t.is(loggedError.message, 'verifier rejected [redacted]');
  t.regex(loggedError.stack, /^Error: verifier rejected \[redacted\]\n\s+at /);
});

test('when objects hold tokens and passwords at any depth or as values, then no log line contains them', async (t) => {
  const cyclic: Record<string, unknown> = { token: 'cyclic-token-secret' };
  cyclic.self = cyclic;
  const { text, lines } = await logged((logger) => {
    logger.info({ request: { body: { user: { credentials: { password: 'deep-password-secret' } } } } }, 'deep');
    logger.info({ batches: [[{ item: { session: { accessToken: 'array-token-secret' } } }]] }, 'arrays');
    logger.info({ rawHeaders: ['Authorization', 'Bearer raw-header-secret', 'Host', 'shop.example'] }, 'raw');
    logger.warn({ detail: `verifier rejected ${jwt} (expired)` }, 'jwt in text');
    logger.info({ cyclic }, 'cycle');
    logger.child({ session: { idToken: 'binding-token-secret' } }).info('child');
  });
  for (const secret of [
    'deep-password-secret',
    'array-token-secret',
    'raw-header-secret',
    jwt,
    'eyJzdWIiOiJzZWNyZXQtc3ViamVjdCJ9',
    'cyclic-token-secret',
    'binding-token-secret',
  ]) {
    t.false(text.includes(secret), secret);
  }
  t.deepEqual(lines[0]?.request, { body: { user: { credentials: { password: '[redacted]' } } } });
  t.deepEqual(lines[2]?.rawHeaders, ['Authorization', '[redacted]', 'Host', 'shop.example']);
  t.is(lines[3]?.detail, 'verifier rejected [redacted] (expired)');
  t.deepEqual(lines[4]?.cyclic, { token: '[redacted]', self: '[Circular]' });
  t.is(lines.length, 6, 'every line was written');
});

test('when nothing secret is logged, then the line is written as given', async (t) => {
  const error = new RangeError('limit must be at most 100');
  const { lines } = await logged((logger) => {
    logger.info(
      { requestId: 'r-2', route: '/api/products/:id', status: 200, tokens: 3, nextToken: 'page-2' },
      'request',
    );
    logger.warn({ err: error }, 'bad input');
  });
  t.like(lines[0], { requestId: 'r-2', route: '/api/products/:id', status: 200, tokens: 3, nextToken: 'page-2' });
  t.like(lines[1], { err: { type: 'RangeError', message: 'limit must be at most 100' } });
});
