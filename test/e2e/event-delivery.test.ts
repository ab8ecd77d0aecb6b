import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type ServiceProcess, type StandIns, startServiceProcess, TcpGate } from '@shop/local-stack';
import {
  type CloudEvent,
  createDocumentClient,
  createDynamoDbClient,
  createKinesisClient,
  itemKeys,
  productEventTypes,
  stockEventTypes,
} from '@shop/platform';
import { type JsonResponse, readStreamEvents, requestJson, startStandInsWithUsers } from '@shop/testing';
import anyTest, { type ExecutionContext, type TestFn } from 'ava';

interface Platform {
  standIns: StandIns;
  /** The services reach Kinesis through this gate. */
  kinesisGate: TcpGate;
  catalog: ServiceProcess;
  inventory: ServiceProcess;
  admin: string;
  events(): Promise<CloudEvent[]>;
  item(key: Record<string, string>): Promise<Record<string, unknown> | undefined>;
  stop(): Promise<void>;
}

const test = anyTest as TestFn<{ platform: Platform }>;

// Fast relay so recovery is measured in seconds; everything else as in production.
const serviceSettings = {
  OUTBOX_RELAY_INTERVAL_MS: '500',
  OUTBOX_RELAY_MIN_AGE_MS: '1000',
  RATE_LIMIT_PER_SECOND: '100000',
  RATE_LIMIT_BURST: '100000',
  USER_RATE_LIMIT_PER_SECOND: '100000',
  USER_RATE_LIMIT_BURST: '100000',
  GROUP_RATE_LIMITS: '',
};

test.before(async (t) => {
  const { standIns, pool, signIn } = await startStandInsWithUsers();
  const region = standIns.region;
  const { accessToken } = await signIn('admin');
  const kinesisGate = await TcpGate.start(Number(new URL(standIns.kinesisEndpoint).port));
  const [catalog, inventory] = await Promise.all(
    (['catalog', 'inventory'] as const).map((name) =>
      startServiceProcess({ name, standIns, pool, env: { ...serviceSettings, KINESIS_ENDPOINT: kinesisGate.url } }),
    ),
  );
  const kinesis = createKinesisClient({ region, endpoint: standIns.kinesisEndpoint });
  const dynamoDb = createDynamoDbClient({ region, endpoint: standIns.dynamoDbEndpoint });
  const documentClient = createDocumentClient(dynamoDb);
  t.context.platform = {
    standIns,
    kinesisGate,
    catalog: catalog as ServiceProcess,
    inventory: inventory as ServiceProcess,
    admin: accessToken,
    events: () => readStreamEvents(kinesis, standIns.streamName),
    async item(key) {
      return (
        await documentClient.send(new GetCommand({ TableName: standIns.tableName, Key: key, ConsistentRead: true }))
      ).Item;
    },
    async stop() {
      await Promise.all([catalog?.stop(), inventory?.stop()]);
      await kinesisGate.close();
      kinesis.destroy();
      dynamoDb.destroy();
      await standIns.stop();
    },
  };
});
test.after.always(async (t) => {
  await t.context.platform?.stop();
});

function api(platform: Platform, service: ServiceProcess, method: string, path: string, body?: unknown) {
  return requestJson(service.url, method, path, body, { authorization: `Bearer ${platform.admin}` }).catch(
    (error: unknown): JsonResponse => ({ status: 0, headers: new Headers(), body: { error: String(error) } }),
  );
}

async function createProducts(platform: Platform, count: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const created = await api(platform, platform.catalog, 'POST', '/api/products', {
      name: `${prefix} ${index}`,
      description: 'fault test',
      price: 2.5,
      category: prefix,
    });
    if (created.status !== 201) throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
    ids.push(created.body.id);
  }
  return ids;
}

/** The first copy of each event, per product, in stream order (consumers dedupe on id). */
function firstCopies(events: CloudEvent[]): Map<string, CloudEvent[]> {
  const seen = new Set<string>();
  const byProduct = new Map<string, CloudEvent[]>();
  for (const event of events) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    byProduct.set(event.subject, [...(byProduct.get(event.subject) ?? []), event]);
  }
  return byProduct;
}

function versionOf(event: CloudEvent): number {
  const data = event.data as { version?: number; product?: { version: number } };
  return data.product?.version ?? data.version ?? -1;
}

/** Stock events and product events of each product are each in version order. */
function assertVersionOrder(t: ExecutionContext, events: CloudEvent[], products: string[]) {
  const byProduct = firstCopies(events);
  for (const productId of products) {
    for (const source of ['/shop/catalog', '/shop/inventory']) {
      const versions = (byProduct.get(productId) ?? []).filter((event) => event.source === source).map(versionOf);
      const sorted = [...versions].sort((a, b) => a - b);
      if (JSON.stringify(versions) !== JSON.stringify(sorted)) {
        const copies = events.filter((event) => event.subject === productId && event.source === source).map(versionOf);
        t.fail(
          `${source} events of ${productId} out of order: ${versions.join(',')} (every copy: ${copies.join(',')})`,
        );
      }
    }
  }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(250);
  }
}

test.serial(
  'when the stream is down for 10 s during 1,000 writes, then every accepted write has its event on the stream afterwards, in order per product',
  async (t) => {
    const { platform } = t.context;
    const products = await createProducts(platform, 50, `outage-${Date.now()}`);
    const expectedIds = new Set<string>();
    const expectedProductVersions = new Set<string>();
    const failures: string[] = [];
    // Accepted writes per product, and what each refused write would have carried into its event.
    const acceptedPatches = new Map<string, number>();
    const acceptedAdjustments = new Map<string, number>();
    const refusedMarks: string[] = [];
    const count = (accepted: Map<string, number>, productId: string) =>
      accepted.set(productId, (accepted.get(productId) ?? 0) + 1);
    const refuse = (answer: JsonResponse, mark: string) => {
      refusedMarks.push(mark);
      if (!answer.headers.get('retry-after')) failures.push(`503 without Retry-After for ${mark}`);
    };

    const write = async (index: number) => {
      const productId = products[index % products.length] as string;
      const mark = `revision ${index}`;
      if (index % 10 === 0) {
        const patched = await api(platform, platform.catalog, 'PATCH', `/api/products/${productId}`, {
          description: mark,
        });
        if (patched.status === 200) {
          expectedProductVersions.add(`${productId}@${patched.body.version}`);
          count(acceptedPatches, productId);
        } else if (patched.status === 503) refuse(patched, mark);
        else failures.push(`PATCH ${patched.status} ${JSON.stringify(patched.body)}`);
        return;
      }
      const adjusted = await api(platform, platform.inventory, 'POST', `/api/inventory/${productId}/adjustments`, {
        quantity: 1,
        reason: 'restock',
        reference: mark,
      });
      if (adjusted.status === 201) {
        expectedIds.add(adjusted.body.adjustment.id);
        count(acceptedAdjustments, productId);
      } else if (adjusted.status === 503) refuse(adjusted, mark);
      else failures.push(`adjustment ${adjusted.status} ${JSON.stringify(adjusted.body)}`);
    };

    // 1,000 writes over about 15 s, 10 at a time; the stream goes down at 2 s and comes back at 12 s.
    const total = 1000;
    const started = Date.now();
    let next = 0;
    const workers = Array.from({ length: 10 }, async () => {
      while (next < total) {
        const index = next;
        next += 1;
        const due = started + (index / total) * 15_000;
        if (due > Date.now()) await sleep(due - Date.now());
        await write(index);
      }
    });
    const outage = (async () => {
      await sleep(2_000);
      await platform.standIns.processes.kinesis.stop();
      await sleep(10_000);
      await platform.standIns.restart('kinesis');
      return Date.now();
    })();
    await Promise.all(workers);
    const restartedAt = await outage;

    t.deepEqual(failures, [], 'every write either succeeded or was refused with 503 and Retry-After');
    const refused = refusedMarks.length;
    t.is(expectedIds.size + expectedProductVersions.size + refused, total);

    const missing = (events: CloudEvent[]) => {
      const adjustments = new Set(
        events
          .filter((event) => event.type === stockEventTypes.adjusted)
          .map((event) => String((event.data as { adjustmentId: string }).adjustmentId)),
      );
      const versions = new Set(
        events
          .filter((event) => event.type === productEventTypes.updated)
          .map((event) => `${event.subject}@${versionOf(event)}`),
      );
      return (
        [...expectedIds].filter((id) => !adjustments.has(id)).length +
        [...expectedProductVersions].filter((version) => !versions.has(version)).length
      );
    };
    const events = await until(
      () => platform.events(),
      (all) => missing(all) === 0,
      90_000,
    );
    const recoveryMs = Date.now() - restartedAt;
    t.is(missing(events), 0, 'every accepted write has its event');
    assertVersionOrder(t, events, products);

    // A refused write changed nothing: each item moved once per accepted write, and no event
    // carries what a refused one sent.
    const carried = new Set(
      events.map((event) => {
        const data = event.data as { reference?: string; product?: { description: string } };
        return data.reference ?? data.product?.description;
      }),
    );
    t.deepEqual(
      refusedMarks.filter((mark) => carried.has(mark)),
      [],
      'no refused write has an event',
    );
    for (const productId of products) {
      const product = await platform.item(itemKeys.product(productId));
      const stock = await platform.item(itemKeys.stock(productId));
      t.is(
        product?.version,
        1 + (acceptedPatches.get(productId) ?? 0),
        `${productId}: one version per accepted change`,
      );
      t.is(Number(stock?.onHand ?? 0), acceptedAdjustments.get(productId) ?? 0, `${productId}: accepted restocks only`);
    }
    const copies = events.length - new Set(events.map((event) => event.id)).size;
    t.log(
      `${expectedIds.size + expectedProductVersions.size} writes accepted, ${refused} refused with 503; ` +
        `all events on the stream ${(recoveryMs / 1000).toFixed(1)} s after it came back; ${copies} duplicate copies (by id)`,
    );
    console.log(
      `event delivery: recovery after a 10 s stream outage ${(recoveryMs / 1000).toFixed(1)} s, duplicates ${copies}`,
    );
  },
);

test.serial(
  'when a service is killed with SIGKILL mid-burst, then after a restart every change in the table has its event',
  async (t) => {
    const { platform } = t.context;
    const products = await createProducts(platform, 10, `crash-${Date.now()}`);

    const burst = async (service: ServiceProcess, seconds: number) => {
      const until = Date.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: 8 }, async (_, worker) => {
          for (let index = worker; Date.now() < until; index += 8) {
            const productId = products[index % products.length] as string;
            if (service === platform.catalog) {
              await api(platform, service, 'PATCH', `/api/products/${productId}`, { description: `burst ${index}` });
            } else {
              await api(platform, service, 'POST', `/api/inventory/${productId}/adjustments`, {
                quantity: 1,
                reason: 'restock',
              });
            }
          }
        }),
      );
    };

    // Outboxes of the killed service still holding events: only the restarted process's relay
    // can publish them, so the test would prove nothing of the relay if there were none.
    const pendingOutboxes = async (service: ServiceProcess) => {
      let pending = 0;
      for (const productId of products) {
        const key = service === platform.catalog ? itemKeys.product(productId) : itemKeys.stock(productId);
        if (((await platform.item(key))?.outbox as unknown[] | undefined)?.length) pending += 1;
      }
      return pending;
    };

    for (const service of [platform.inventory, platform.catalog]) {
      const load = burst(service, 3);
      await sleep(1_000);
      const pid = service.child.pid;
      if (pid === undefined) throw new Error('service not running');
      process.kill(-pid, 'SIGKILL');
      const pending = await pendingOutboxes(service);
      t.true(pending > 0, 'events were pending when the service died');
      t.log(`${pending} of ${products.length} outboxes pending after the kill`);
      await load;
      await service.restart();
    }

    // The table is the truth: every version an item reached has its event on the stream.
    const expected = async () => {
      const wanted: string[] = [];
      for (const productId of products) {
        const product = await platform.item(itemKeys.product(productId));
        const stock = await platform.item(itemKeys.stock(productId));
        for (let version = 1; version <= Number(product?.version ?? 0); version += 1)
          wanted.push(`product ${productId}@${version}`);
        for (let version = 1; version <= Number(stock?.version ?? 0); version += 1)
          wanted.push(`stock ${productId}@${version}`);
      }
      return wanted;
    };
    const present = (events: CloudEvent[]) =>
      new Set(
        events.map(
          (event) => `${event.source === '/shop/catalog' ? 'product' : 'stock'} ${event.subject}@${versionOf(event)}`,
        ),
      );
    const lacking = async () => {
      const have = present(await platform.events());
      return (await expected()).filter((entry) => !have.has(entry));
    };
    const missing = await until(lacking, (list) => list.length === 0, 60_000);
    t.deepEqual(missing, [], 'no committed change without its event');
    assertVersionOrder(t, await platform.events(), products);
    for (const productId of products) {
      const stock = await platform.item(itemKeys.stock(productId));
      t.deepEqual(stock?.outbox ?? [], [], `${productId}: nothing left pending`);
    }
  },
);
