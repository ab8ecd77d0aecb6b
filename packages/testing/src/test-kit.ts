import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { assertShopEvent } from '@shop/contracts';
import {
  ensureUserPool,
  localUsers,
  type StandIns,
  type StandInsOptions,
  signIn,
  startStandIns,
} from '@shop/local-stack';
import {
  type CloudEvent,
  createCognitoVerifier,
  createDocumentClient,
  createDynamoDbClient,
  createKinesisClient,
  createLogger,
  decodeRecord,
  KinesisEventPublisher,
  type ServiceApp,
  type ServiceAppDeps,
} from '@shop/platform';

/** An event as read from the stream, with the time its record reached it. */
export interface StreamArrival {
  event: CloudEvent;
  /** The record's ApproximateArrivalTimestamp, in ms since the epoch. */
  arrivedAt: number;
}

export interface StreamReadOptions {
  /**
   * Check every event against the schema of its type (default): a read fails with an
   * EventContractError at the first event that breaks its contract, so every test that reads the
   * stream checks what the services published. Only tests of the publisher itself, whose events
   * are of test types no contract has, turn it off.
   */
  checkContract?: boolean;
}

/** Every event on the stream from the start of each shard, in shard order (batches unpacked), with when its record arrived. */
export async function readStreamArrivals(
  kinesis: KinesisClient,
  streamName: string,
  { checkContract = true }: StreamReadOptions = {},
): Promise<StreamArrival[]> {
  const arrivals: StreamArrival[] = [];
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of Shards) {
    let { ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        const arrivedAt = record.ApproximateArrivalTimestamp?.getTime() ?? Number.NaN;
        for (const event of decodeRecord(record.Data ?? new Uint8Array())) {
          if (checkContract) assertShopEvent(event);
          arrivals.push({ event, arrivedAt });
        }
      }
      iterator = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
    }
  }
  return arrivals;
}

/** Reads every event on the stream from the start of each shard, in shard order (batches unpacked). */
export async function readStreamEvents(
  kinesis: KinesisClient,
  streamName: string,
  options: StreamReadOptions = {},
): Promise<CloudEvent[]> {
  return (await readStreamArrivals(kinesis, streamName, options)).map(({ event }) => event);
}

/** Serves a request handler (e.g. `app.callback()`) on a free loopback port. */
export async function serve(handler: RequestListener): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer(handler).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field in tests
  body: any;
}

/** Sends a JSON request (a string or bytes are sent as they are) and parses the answer. */
export async function requestJson(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined
      ? {}
      : { body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/**
 * Fresh stand-ins with moto and the local user pool in it; `signIn(username)` signs a local user
 * in as a client would (InitiateAuth) and resolves with the tokens.
 */
export async function startStandInsWithUsers(options: StandInsOptions = {}) {
  const standIns = await startStandIns({ ...options, moto: true });
  try {
    const endpoint = standIns.motoEndpoint as string;
    const users = localUsers({});
    const pool = await ensureUserPool({ endpoint, region: standIns.region, users });
    const signInAs = async (username: string) => {
      const user = users.find((candidate) => candidate.username === username);
      if (!user) throw new Error(`no local user ${username}`);
      return signIn({ endpoint, region: standIns.region, pool }, user.username, user.password);
    };
    return { standIns, pool, signIn: signInAs };
  } catch (error) {
    await standIns.stop();
    throw error;
  }
}

/** Bearer tokens of the local users, ready for an `Authorization` header. */
export interface TestTokens {
  admin: string;
  staff: string;
  shopper: string;
  /** The admin's ID token: a valid token of the pool that must not pass as an access token. */
  adminIdToken: string;
}

/**
 * A service app (its `createApp`) on a free port over fresh stand-ins (dynalite, kinesis-local,
 * moto with the local user pool), wired as `startService` wires it in production, with the local
 * users' tokens and the clients a test needs to look behind it. `overrides` replace dependencies,
 * e.g. a tighter rate limit; the limit is generous by default because tests send bursts from one address.
 */
export async function serveOnStandIns<Deps extends ServiceAppDeps>(
  name: string,
  createApp: (deps: Deps) => ServiceApp,
  /** Deps to use instead of the kit's, or a function of the kit's deps (and the stand-ins) that gives them. */
  overrides: Partial<Deps> | ((kit: ServiceAppDeps, standIns: StandIns) => Partial<Deps>) = {},
  /** Which stand-ins to start beyond the usual ones (e.g. the search engine). */
  options: { standIns?: StandInsOptions } = {},
) {
  const { standIns, pool, signIn: signInAs } = await startStandInsWithUsers(options.standIns);
  const [admin, staff, shopper] = await Promise.all(['admin', 'staff', 'shopper'].map(signInAs));
  const tokens: TestTokens = {
    admin: admin?.accessToken ?? '',
    staff: staff?.accessToken ?? '',
    shopper: shopper?.accessToken ?? '',
    adminIdToken: admin?.idToken ?? '',
  };
  const dynamoDb = createDynamoDbClient({ region: standIns.region, endpoint: standIns.dynamoDbEndpoint });
  const documentClient = createDocumentClient(dynamoDb);
  const kinesis = createKinesisClient({ region: standIns.region, endpoint: standIns.kinesisEndpoint });
  const logger = createLogger({ name, level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const kit: ServiceAppDeps = {
    documentClient,
    tableName: standIns.tableName,
    publisher: new KinesisEventPublisher({ client: kinesis, streamName: standIns.streamName, logger }),
    logger,
    auth: createCognitoVerifier({ userPoolId: pool.userPoolId, clientId: pool.clientId, jwksUri: pool.jwksUri }),
    rateLimit: { perSecond: 10_000, burst: 10_000 },
    outboxRelay: { intervalMs: 500, minAgeMs: 2_000 },
  };
  const app = createApp({
    ...kit,
    ...(typeof overrides === 'function' ? overrides(kit, standIns) : overrides),
  } as Deps);
  const { server, baseUrl } = await serve(app.callback());
  const { background } = app;
  for (const task of background) task.start();
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  return {
    baseUrl,
    standIns,
    documentClient,
    pool,
    tokens,
    signIn: signInAs,
    /** A request with no credentials. */
    request: (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      requestJson(baseUrl, method, path, body, headers),
    /** A request as `user` (a local user name or a raw token); `headers` are added. */
    requestAs: (
      user: keyof TestTokens | { token: string },
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) =>
      requestJson(baseUrl, method, path, body, {
        ...bearer(typeof user === 'string' ? tokens[user] : user.token),
        ...headers,
      }),
    events: () => readStreamEvents(kinesis, standIns.streamName),
    /** The events about `subject` once `done` holds for them, or at the deadline (events follow answers asynchronously). */
    async eventsOf(subject: string, done: (events: CloudEvent[]) => boolean, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const events = (await readStreamEvents(kinesis, standIns.streamName)).filter(
          (event) => event.subject === subject,
        );
        if (done(events) || Date.now() > deadline) return events;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async stop() {
      server.close();
      await Promise.all(background.map((task) => task.stop()));
      dynamoDb.destroy();
      kinesis.destroy();
      await standIns.stop();
    },
  };
}
