import { once } from 'node:events';
import type { Server } from 'node:http';
import {
  AnalyticsReader,
  createGateway,
  ensureAlertTopic,
  eventually,
  findFreePort,
  type ServiceName,
  type ServiceProcess,
  type StandIns,
  type SupervisedChild,
  startAnalyticsWorker,
  startSearchIndexer,
  startServiceProcess,
  TcpGate,
  type UserPool,
} from '@shop/local-stack';
import {
  type CloudEvent,
  createDocumentClient,
  createDynamoDbClient,
  createKinesisClient,
  createLogger,
  type OutboxOwner,
  OutboxRelay,
} from '@shop/platform';
import {
  CatalogTableReader,
  type CheckReport,
  createSearchClient,
  ProductIndexRebuild,
  ProductSearchRepository,
} from '@shop/product-index';
import { readStreamEvents, startStandInsWithUsers } from '@shop/testing';

export interface ChaosStackOptions {
  /** CloudWatch namespace of this run's analytics metrics, so no earlier run is counted. */
  namespace: string;
  windowSeconds: number;
  analyticsWorkers: number;
  log: (line: string) => void;
}

// Services as behind the ALB (a drain delay on SIGTERM), with a fast outbox relay so recovery is
// measured in seconds, and a rate limit far above the load (it all comes from one address).
const serviceSettings = {
  DRAIN_DELAY_MS: '5000',
  SHUTDOWN_TIMEOUT_MS: '30000',
  OUTBOX_RELAY_INTERVAL_MS: '500',
  OUTBOX_RELAY_MIN_AGE_MS: '1000',
  RATE_LIMIT_PER_SECOND: '1000000000',
  RATE_LIMIT_BURST: '1000000000',
  USER_RATE_LIMIT_PER_SECOND: '1000000000',
  USER_RATE_LIMIT_BURST: '1000000000',
  GROUP_RATE_LIMITS: '',
};

/** Kills a supervised child and everything in its process group at once, as `kill -9` would. */
export function killProcessGroup(child: SupervisedChild, signal: NodeJS.Signals = 'SIGKILL'): void {
  const pid = child.pid;
  if (pid === undefined || !child.running) throw new Error(`${child.name} is not running`);
  process.kill(-pid, signal);
}

/**
 * The platform as `npm start` wires it, built from the local-stack parts so that each process can be
 * killed and restarted on its own: the stand-ins (data persisted, so restarts keep it), catalog and
 * inventory as processes, the gateway in this process, and a fleet of analytics workers. Services
 * and workers reach Kinesis through a TCP gate, so the stream can be made unreachable.
 */
export class ChaosStack {
  /** Stand-ins that exited without being asked to, since the last `takeUnexpectedExits()`. */
  private unexpectedExits: string[] = [];
  /** Stand-ins a scenario killed and has not restarted yet: their exit is the fault, not a surprise. */
  private killing = new Set<string>();
  private readonly workers: SupervisedChild[] = [];
  private indexer: SupervisedChild | undefined;
  private topicArn = '';

  private constructor(
    private readonly options: ChaosStackOptions,
    readonly standIns: StandIns,
    readonly pool: UserPool,
    readonly kinesisGate: TcpGate,
    readonly catalog: ServiceProcess,
    readonly inventory: ServiceProcess,
    private readonly gateway: Server,
    readonly gatewayUrl: string,
    readonly authorization: string,
    readonly reader: AnalyticsReader,
    private readonly dispose: () => void,
    private readonly kinesisClient: ReturnType<typeof createKinesisClient>,
    private readonly relays: OutboxRelay[],
    private readonly index: ProductIndexRebuild,
  ) {}

  static async start(options: ChaosStackOptions): Promise<ChaosStack> {
    const started = Date.now();
    const exits: string[] = [];
    const killing = new Set<string>();
    const { standIns, pool, signIn } = await startStandInsWithUsers({
      search: true,
      onUnexpectedExit: (name, message) => {
        if (!killing.delete(name)) exits.push(`${name}: ${message.split('\n')[0]}`);
      },
    });
    options.log(`stand-ins up (${standIns.dataDir})`);
    const kinesisGate = await TcpGate.start(Number(new URL(standIns.kinesisEndpoint).port));
    const [catalog, inventory] = (await Promise.all(
      (['catalog', 'inventory'] as const).map((name) =>
        startServiceProcess({ name, standIns, pool, env: ChaosStack.serviceEnv(kinesisGate) }),
      ),
    )) as [ServiceProcess, ServiceProcess];
    const gateway = createGateway({ targets: { catalog: catalog.url, inventory: inventory.url } });
    const gatewayPort = await findFreePort();
    gateway.listen(gatewayPort, '127.0.0.1');
    await once(gateway, 'listening');
    const { accessToken } = await signIn('admin');
    const region = standIns.region;
    const dynamoDb = createDynamoDbClient({ region, endpoint: standIns.dynamoDbEndpoint });
    const documentClient = createDocumentClient(dynamoDb);
    // Reading the whole stream back takes large GetRecords calls on a machine busy with the run.
    const kinesis = createKinesisClient({ region, endpoint: standIns.kinesisEndpoint, requestTimeoutMs: 60_000 });
    const logger = createLogger({ name: 'chaos', level: 'silent' });
    // The same query as `npm run events -- pending`, against this stack.
    const relays = (['catalog', 'inventory'] as OutboxOwner[]).map(
      (owner) =>
        new OutboxRelay({ documentClient, tableName: standIns.tableName, owner, flush: async () => {}, logger }),
    );
    const reader = new AnalyticsReader(region, standIns.motoEndpoint ?? '', options.namespace);
    // The same comparison as `npm run search -- check`, against this stack.
    const index = new ProductIndexRebuild({
      repository: new ProductSearchRepository({
        client: createSearchClient({ endpoint: standIns.searchEndpoint as string, timeoutMs: 30_000 }),
        alias: 'products',
      }),
      table: new CatalogTableReader({ documentClient, tableName: standIns.tableName }),
    });
    const stack = new ChaosStack(
      options,
      standIns,
      pool,
      kinesisGate,
      catalog,
      inventory,
      gateway,
      `http://127.0.0.1:${gatewayPort}`,
      `Bearer ${accessToken}`,
      reader,
      () => dynamoDb.destroy(),
      kinesis,
      relays,
      index,
    );
    stack.unexpectedExits = exits;
    stack.killing = killing;
    stack.topicArn = await ensureAlertTopic(standIns);
    for (let index = 0; index < options.analyticsWorkers; index += 1) stack.workers.push(stack.launchWorker(index));
    stack.indexer = stack.launchIndexer();
    options.log(`services, gateway, ${options.analyticsWorkers} analytics worker(s) and a search indexer started`);
    if (options.analyticsWorkers > 0) await stack.awaitAnalytics();
    options.log(`platform ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return stack;
  }

  /** The environment of a service instance of this stack (another instance is started with it). */
  static serviceEnv(kinesisGate: TcpGate): Record<string, string> {
    return { ...serviceSettings, KINESIS_ENDPOINT: kinesisGate.url };
  }

  /** Starts another instance of a service on the same stand-ins (a scale-out). */
  startInstance(name: ServiceName): Promise<ServiceProcess> {
    return startServiceProcess({
      name,
      standIns: this.standIns,
      pool: this.pool,
      env: ChaosStack.serviceEnv(this.kinesisGate),
    });
  }

  worker(index: number): SupervisedChild {
    const worker = this.workers[index];
    if (!worker) throw new Error(`no analytics worker ${index + 1}`);
    return worker;
  }

  /** Starts worker `index` again under its id, so it reclaims its leases at once. */
  async restartWorker(index: number): Promise<void> {
    await this.worker(index).stop();
    this.workers[index] = this.launchWorker(index);
  }

  /** Every event on the stream (read from the stand-in itself, not through the gate). */
  streamEvents(): Promise<CloudEvent[]> {
    return readStreamEvents(this.kinesisClient, this.standIns.streamName);
  }

  /** Kills a stand-in as `kill -9` would, for a scenario that restarts it later itself. */
  killStandIn(name: 'search'): void {
    const child = this.standIns.processes[name];
    if (!child) throw new Error(`the stack runs no ${name} stand-in`);
    this.killing.add(name);
    killProcessGroup(child);
  }

  /** How the product index differs from the table (missing, stale or extra products). */
  indexCheck(): Promise<CheckReport> {
    return this.index.check();
  }

  /** Products with events not yet on the stream, of either service. */
  async pendingProducts(): Promise<Set<string>> {
    const lists = await Promise.all(this.relays.map((relay) => relay.pendingProducts(0)));
    return new Set(lists.flat());
  }

  /**
   * What died without the scenario asking for it, since the last call; each is started again so
   * the next scenario begins on a whole platform.
   */
  async takeUnexpectedExits(): Promise<string[]> {
    const found = this.unexpectedExits.splice(0);
    for (const [name, service] of [
      ['catalog', this.catalog],
      ['inventory', this.inventory],
    ] as const) {
      if (!service.child.running) {
        found.push(`${name} service is not running`);
        await service.restart();
      }
    }
    for (const [index, worker] of this.workers.entries()) {
      if (!worker.running) {
        found.push(`analytics worker ${index + 1} is not running`);
        await this.restartWorker(index);
      }
    }
    if (this.indexer && !this.indexer.running) {
      found.push('the search indexer is not running');
      this.indexer = this.launchIndexer();
    }
    for (const name of ['dynamodb', 'kinesis', 'search'] as const) {
      const child = this.standIns.processes[name];
      if (child && !child.running) await this.standIns.restart(name);
    }
    return found;
  }

  async stop(): Promise<void> {
    const closed = once(this.gateway, 'close');
    this.gateway.close();
    this.gateway.closeAllConnections();
    await closed;
    await Promise.all([
      ...this.workers.map((worker) => worker.stop()),
      this.indexer?.stop(),
      this.catalog.stop(),
      this.inventory.stop(),
    ]);
    await this.kinesisGate.close();
    this.reader.destroy();
    this.kinesisClient.destroy();
    this.dispose();
    await this.standIns.stop();
  }

  private launchWorker(index: number): SupervisedChild {
    return startAnalyticsWorker({
      standIns: this.standIns,
      topicArn: this.topicArn,
      workerId: `chaos-worker-${index + 1}`,
      logDir: `${this.standIns.dataDir}/logs`,
      env: {
        ANALYTICS_WINDOW_SECONDS: String(this.options.windowSeconds),
        METRICS_NAMESPACE: this.options.namespace,
        KINESIS_ENDPOINT: this.kinesisGate.url,
        LOG_LEVEL: 'warn',
      },
    });
  }

  private launchIndexer(): SupervisedChild {
    return startSearchIndexer({
      standIns: this.standIns,
      workerId: 'chaos-indexer-1',
      logDir: `${this.standIns.dataDir}/logs`,
      env: { KINESIS_ENDPOINT: this.kinesisGate.url, LOG_LEVEL: 'warn' },
    });
  }

  // The fleet is ready once it has counted an event: its workers hold the leases and read.
  private async awaitAnalytics(): Promise<void> {
    const created = await fetch(`${this.gatewayUrl}/api/products`, {
      method: 'POST',
      headers: { authorization: this.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Warm-up', description: 'chaos warm-up', price: 1, category: 'chaos-warm-up' }),
    });
    if (created.status !== 201) throw new Error(`warm-up product not created: ${created.status}`);
    const counted = await eventually(
      () => this.reader.sum('EventsProcessed', { EventType: 'shop.catalog.product.created.v1' }),
      (sum) => sum >= 1,
      180_000,
    );
    if (counted < 1) throw new Error('the analytics fleet counted nothing within 180 s');
  }
}
