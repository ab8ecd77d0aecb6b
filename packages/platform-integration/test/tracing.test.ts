import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import Router from '@koa/router';
import { type StandIns, startStandIns } from '@shop/local-stack';
import {
  configureTracing,
  createDynamoDbClient,
  currentTraceHeader,
  traceAwsClient,
  tracingMiddleware,
  withTrace,
} from '@shop/platform';
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import Koa from 'koa';

/** A segment or subsegment as the daemon receives it (only the fields asserted here). */
interface TraceDocument {
  id: string;
  name: string;
  trace_id: string;
  parent_id?: string;
  type?: string;
  namespace?: string;
  fault?: boolean;
  error?: boolean;
  http?: { request?: { method?: string; url?: string; client_ip?: string }; response?: { status?: number } };
  aws?: { operation?: string; table_name?: string };
  annotations?: Record<string, unknown>;
  cause?: { exceptions?: Array<{ message?: string }> };
  subsegments?: TraceDocument[];
}

/** Stands in for the X-Ray daemon: keeps every document sent to its UDP port. */
class FakeDaemon {
  readonly documents: TraceDocument[] = [];
  readonly malformed: string[] = [];

  constructor(readonly socket: Socket) {
    socket.on('message', (message) => {
      const text = message.toString('utf8');
      const newline = text.indexOf('\n');
      if (text.slice(0, newline) !== '{"format":"json","version":1}') this.malformed.push(text);
      else this.documents.push(JSON.parse(text.slice(newline + 1)) as TraceDocument);
    });
  }

  get address(): string {
    const { address, port } = this.socket.address();
    return `${address}:${port}`;
  }

  /** The one segment (not a streamed subsegment) of a trace, once it has arrived. */
  segmentOf(traceId: string, name?: string): Promise<TraceDocument> {
    return this.onlySegment(
      `of trace ${traceId}`,
      (document) => document.trace_id === traceId && (name === undefined || document.name === name),
    );
  }

  async onlySegment(description: string, matches: (document: TraceDocument) => boolean): Promise<TraceDocument> {
    const isSegment = (document: TraceDocument) => document.type !== 'subsegment' && matches(document);
    const deadline = Date.now() + 5000;
    while (!this.documents.some(isSegment)) {
      if (Date.now() > deadline) throw new Error(`no segment ${description} arrived`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const found = this.documents.filter(isSegment);
    if (found.length !== 1) throw new Error(`${found.length} segments ${description} arrived`);
    return found[0] as TraceDocument;
  }

  /** Subsegments of a segment, whether sent inside it or streamed on their own. */
  subsegmentsOf(segment: TraceDocument): TraceDocument[] {
    const streamed = this.documents.filter((doc) => doc.type === 'subsegment' && doc.trace_id === segment.trace_id);
    const flatten = (documents: TraceDocument[]): TraceDocument[] =>
      documents.flatMap((doc) => [doc, ...flatten(doc.subsegments ?? [])]);
    return flatten([...(segment.subsegments ?? []), ...streamed]);
  }

  /**
   * Documents that arrived from `mark` on, up to a sentinel trace sent last: the daemon sees the
   * SDK's datagrams in order, so anything sent before the sentinel is in by then.
   */
  async documentsSince(mark: number): Promise<TraceDocument[]> {
    const header = await withTrace('sentinel', undefined, async () => currentTraceHeader());
    const root = /^Root=([^;]+)/.exec(header ?? '')?.[1];
    if (!root) throw new Error('the sentinel trace has no header');
    await this.segmentOf(root, 'sentinel');
    return this.documents.slice(mark).filter((document) => document.trace_id !== root);
  }
}

interface Context {
  daemon: FakeDaemon;
  standIns: StandIns;
  dynamo: DynamoDBClient;
  server: Server;
  baseUrl: string;
}

const test = anyTest as TestFn<Context>;

const newTraceId = () => `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
const newSpanId = () => randomBytes(8).toString('hex');

function getThing(dynamo: DynamoDBClient, tableName: string, id: string) {
  return dynamo.send(
    new GetItemCommand({ TableName: tableName, Key: { pk: { S: `THING#${id}` }, sk: { S: 'THING' } } }),
  );
}

test.before(async (t) => {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  t.context.daemon = new FakeDaemon(socket);
  configureTracing({ serviceName: 'test-service', samplingRate: 1, daemonAddress: t.context.daemon.address });

  t.context.standIns = await startStandIns();
  const { region, dynamoDbEndpoint, tableName } = t.context.standIns;
  const dynamo = traceAwsClient(createDynamoDbClient({ region, endpoint: dynamoDbEndpoint, maxAttempts: 1 }));
  t.context.dynamo = dynamo;

  const app = new Koa();
  app.silent = true;
  const router = new Router();
  router.get('/things/:id', async (ctx) => {
    const { Item } = await getThing(dynamo, tableName, ctx.params.id ?? '');
    ctx.body = { found: Item !== undefined, traceHeader: currentTraceHeader() };
  });
  router.get('/broken', async () => {
    await getThing(dynamo, tableName, 'broken');
    throw new Error('the thing broke');
  });
  app.use(tracingMiddleware());
  app.use(router.routes());
  t.context.server = createServer(app.callback()).listen(0, '127.0.0.1');
  await once(t.context.server, 'listening');
  t.context.baseUrl = `http://127.0.0.1:${(t.context.server.address() as AddressInfo).port}`;
});

test.after.always(async (t) => {
  t.context.server?.close();
  t.context.dynamo?.destroy();
  t.context.daemon?.socket.close();
  await t.context.standIns?.stop();
});

async function getJson(t: ExecutionContext<Context>, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${t.context.baseUrl}${path}`, { headers });
  const body = (await response.json()) as { found?: boolean; traceHeader?: string };
  return { response, body, traceHeader: response.headers.get('x-amzn-trace-id') };
}

function rootOf(header: string | null): string {
  const root = /^Root=([^;]+);Sampled=1$/.exec(header ?? '')?.[1];
  if (!root) throw new Error(`not a sampled trace header: ${header}`);
  return root;
}

// Each test reconfigures or reads the one process-wide tracer and fake daemon, so they run one by one.

test.serial('when requests run concurrently, then each sends one segment with its own DynamoDB call', async (t) => {
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const replies = await Promise.all(ids.map((id) => getJson(t, `/things/${id}?view=full`)));
  for (const [index, { response, body, traceHeader }] of replies.entries()) {
    t.is(response.status, 200);
    const segment = await t.context.daemon.segmentOf(rootOf(traceHeader));
    t.like(segment, {
      name: 'test-service',
      http: {
        request: { method: 'GET', url: `${t.context.baseUrl}/things/${ids[index]}`, client_ip: '127.0.0.1' },
        response: { status: 200 },
      },
      annotations: { route: '/things/:id' },
    });
    t.is(segment.parent_id, undefined);
    t.is(segment.fault, undefined);
    t.is(body.traceHeader, `Root=${segment.trace_id};Parent=${segment.id};Sampled=1`);
    const calls = t.context.daemon.subsegmentsOf(segment);
    t.is(calls.length, 1);
    t.like(calls[0], {
      name: 'DynamoDB',
      namespace: 'aws',
      aws: { operation: 'GetItem', table_name: t.context.standIns.tableName },
      http: { response: { status: 200 } },
    });
  }
  const traceIds = new Set(replies.map(({ traceHeader }) => rootOf(traceHeader)));
  t.is(traceIds.size, ids.length);
  const segments = t.context.daemon.documents.filter((doc) => traceIds.has(doc.trace_id) && doc.type !== 'subsegment');
  t.is(segments.length, ids.length);
  t.deepEqual(t.context.daemon.malformed, []);
});

test.serial('when a request carries X-Amzn-Trace-Id, then its segment continues that trace', async (t) => {
  const root = newTraceId();
  const parent = newSpanId();
  const { body, traceHeader } = await getJson(t, '/things/continued', {
    'X-Amzn-Trace-Id': `Root=${root};Parent=${parent};Sampled=1`,
  });
  t.is(traceHeader, `Root=${root};Sampled=1`);
  const segment = await t.context.daemon.segmentOf(root);
  t.is(segment.parent_id, parent);
  t.is(body.traceHeader, `Root=${root};Parent=${segment.id};Sampled=1`);
  t.is(t.context.daemon.subsegmentsOf(segment)[0]?.name, 'DynamoDB');
});

test.serial('when the incoming trace header is malformed, then a new trace is started', async (t) => {
  const { traceHeader } = await getJson(t, '/things/forged', {
    'X-Amzn-Trace-Id': 'Root=1-not-hex";Parent=zz;Sampled=1',
  });
  const segment = await t.context.daemon.segmentOf(rootOf(traceHeader));
  t.regex(segment.trace_id, /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  t.is(segment.parent_id, undefined);
});

test.serial('when the caller decided not to sample, then nothing is sent and the decision is passed on', async (t) => {
  const mark = t.context.daemon.documents.length;
  const root = newTraceId();
  const { body, traceHeader } = await getJson(t, '/things/unsampled', {
    'X-Amzn-Trace-Id': `Root=${root};Parent=${newSpanId()};Sampled=0`,
  });
  t.is(traceHeader, `Root=${root};Sampled=0`);
  t.regex(body.traceHeader ?? '', new RegExp(`^Root=${root};Parent=[0-9a-f]{16};Sampled=0$`));
  t.deepEqual(await t.context.daemon.documentsSince(mark), []);
});

test.serial('when a route fails with a 500, then its segment is marked as a fault with the error', async (t) => {
  const response = await fetch(`${t.context.baseUrl}/broken`);
  t.is(response.status, 500);
  // Koa drops every header when it answers an error itself, the trace header too; the platform's
  // problemDetails answers errors before they get that far, so the trace id reaches the caller there.
  const segment = await t.context.daemon.onlySegment('for /broken', (doc) => doc.annotations?.route === '/broken');
  t.like(segment, { fault: true, http: { response: { status: 500 } }, annotations: { route: '/broken' } });
  t.is(segment.error, undefined);
  t.is(segment.cause?.exceptions?.[0]?.message, 'the thing broke');
  t.is(t.context.daemon.subsegmentsOf(segment)[0]?.aws?.operation, 'GetItem');
});

test.serial('when no route matches, then the segment has the route unmatched and the error flag', async (t) => {
  const response = await fetch(`${t.context.baseUrl}/nowhere`);
  t.is(response.status, 404);
  const segment = await t.context.daemon.segmentOf(rootOf(response.headers.get('x-amzn-trace-id')));
  t.like(segment, { error: true, annotations: { route: 'unmatched' }, http: { response: { status: 404 } } });
  t.is(segment.fault, undefined);
});

test.serial('when background work runs withTrace, then it continues the given trace with its calls', async (t) => {
  const root = newTraceId();
  const parent = newSpanId();
  const inside = await withTrace('test-worker', `Root=${root};Parent=${parent};Sampled=1`, async () => {
    await getThing(t.context.dynamo, t.context.standIns.tableName, 'background');
    return currentTraceHeader();
  });
  const segment = await t.context.daemon.segmentOf(root, 'test-worker');
  t.is(segment.parent_id, parent);
  t.is(inside, `Root=${root};Parent=${segment.id};Sampled=1`);
  t.like(t.context.daemon.subsegmentsOf(segment)[0], { name: 'DynamoDB', aws: { operation: 'GetItem' } });
});

test.serial('when background work throws, then withTrace records the error and rethrows it', async (t) => {
  const root = newTraceId();
  const failure = new Error('record rejected');
  const thrown = await t.throwsAsync(
    withTrace('test-worker', `Root=${root};Parent=${newSpanId()};Sampled=1`, async () => {
      throw failure;
    }),
  );
  t.is(thrown, failure);
  const segment = await t.context.daemon.segmentOf(root, 'test-worker');
  t.is(segment.fault, true);
  t.is(segment.cause?.exceptions?.[0]?.message, 'record rejected');
});

test.serial('when a traced client is used outside any trace, then the call works and nothing is printed', async (t) => {
  const mark = t.context.daemon.documents.length;
  const printed: string[] = [];
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const capture = (chunk: unknown) => {
    printed.push(String(chunk));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    const { Item } = await getThing(t.context.dynamo, t.context.standIns.tableName, 'outside');
    t.is(Item, undefined);
    t.is(currentTraceHeader(), undefined);
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
  t.deepEqual(printed, []);
  t.deepEqual(await t.context.daemon.documentsSince(mark), []);
});

test.serial('when the sampling rate is outside 0..1, then configuring fails and tracing is unchanged', async (t) => {
  t.throws(() => configureTracing({ serviceName: 'test-service', samplingRate: 1.5 }), { instanceOf: RangeError });
  const { traceHeader } = await getJson(t, '/things/still-traced');
  t.is((await t.context.daemon.segmentOf(rootOf(traceHeader))).name, 'test-service');
});

test.serial('when tracing is disabled, then requests, clients and background work send nothing', async (t) => {
  const mark = t.context.daemon.documents.length;
  configureTracing({ serviceName: 'test-service', enabled: false });
  try {
    const { response, body, traceHeader } = await getJson(t, '/things/disabled', {
      'X-Amzn-Trace-Id': `Root=${newTraceId()};Parent=${newSpanId()};Sampled=1`,
    });
    t.is(response.status, 200);
    t.is(traceHeader, null);
    t.is(body.traceHeader, undefined);
    const { region, dynamoDbEndpoint, tableName } = t.context.standIns;
    const untraced = createDynamoDbClient({ region, endpoint: dynamoDbEndpoint, maxAttempts: 1 });
    t.is(traceAwsClient(untraced), untraced);
    const inside = await withTrace('test-worker', undefined, async () => {
      await getThing(untraced, tableName, 'disabled');
      return currentTraceHeader();
    });
    t.is(inside, undefined);
    untraced.destroy();
  } finally {
    configureTracing({ serviceName: 'test-service', samplingRate: 1, daemonAddress: t.context.daemon.address });
  }
  t.deepEqual(await t.context.daemon.documentsSince(mark), []);
});
