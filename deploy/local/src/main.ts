// `npm start`: the whole platform on one machine. Checks that every port is free, starts the
// stand-ins for AWS, the services and the gateway, prints where everything is and one `ready`
// line, and on Ctrl-C (or SIGTERM) stops every child in order. If a child dies on its own, its
// last output is printed and everything is stopped with exit code 1.
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createResponseChecker } from '@shop/contracts';
import { ConfigError, type ConfigOf, createLogger, loadConfig } from '@shop/platform';
import { analyticsWorker, httpServiceSpecs, httpServices, searchIndexer } from '@shop/topology';
import { ensureAlertTopic, startAnalyticsWorker, startSearchIndexer } from './analytics-launcher.js';
import { describeExit, nodeChildCommand, type SupervisedChild, superviseChild } from './child-supervisor.js';
import { createGateway, type ServiceName } from './gateway-server.js';
import { waitForHttp } from './http-probe.js';
import { localStackConfig } from './local-stack.config.js';
import { ensureUserPool, type LocalUser, localUsers, type UserPool } from './local-user-pool.js';
import { nodeRuntimeNotice } from './node-runtime.js';
import { assertPortFree } from './port-finder.js';
import { ensureProductIndex } from './resource-provisioner.js';
import { serviceEnv } from './service-launcher.js';
import { type StandIns, startStandIns } from './stand-in-launcher.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const serviceReadyTimeoutMs = 60_000;
const webRoot = join(repoRoot, 'web', 'dist');

type Config = ConfigOf<typeof localStackConfig>;
type Targets = Partial<Record<ServiceName, string>>;

/** A service's spec with the ports this start gives it. */
interface ServiceLaunch {
  name: ServiceName;
  port: number;
  portEnv: string;
  metricsPort: number;
  metricsPortEnv: string;
  entry: string;
}

function display(path: string): string {
  const fromCwd = relative(process.cwd(), path);
  return fromCwd === '' ? '.' : fromCwd.startsWith('..') || isAbsolute(fromCwd) ? path : fromCwd;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function exitWith(message: string): never {
  console.error(message);
  process.exit(1);
}

function readConfig(): { config: Config; users: LocalUser[] } {
  try {
    return { config: loadConfig(localStackConfig), users: localUsers() };
  } catch (error) {
    if (error instanceof ConfigError) exitWith(error.message);
    throw error;
  }
}

// Catalog is required; a service is started once its entry point exists.
function servicesToStart(config: Config): ServiceLaunch[] {
  const ports: Record<ServiceName, { port: number; metricsPort: number }> = {
    catalog: { port: config.catalogPort, metricsPort: config.catalogMetricsPort },
    inventory: { port: config.inventoryPort, metricsPort: config.inventoryMetricsPort },
  };
  const services = httpServiceSpecs.map(
    (spec): ServiceLaunch => ({
      name: spec.name,
      ...ports[spec.name],
      portEnv: spec.port.env,
      metricsPortEnv: spec.metricsPort.localEnv,
      entry: spec.entryPoint,
    }),
  );
  const present = services.filter((service) => existsSync(join(repoRoot, service.entry)));
  if (!present.some((service) => service.name === 'catalog')) {
    exitWith(`Cannot start the catalog service: ${join(repoRoot, httpServices.catalog.entryPoint)} does not exist`);
  }
  return present;
}

async function assertPortsFree(ports: Array<[number, string]>): Promise<void> {
  const seen = new Map<number, string>();
  for (const [port, envVar] of ports) {
    const other = seen.get(port);
    if (other) exitWith(`${other} and ${envVar} are both ${port}; give each its own port`);
    seen.set(port, envVar);
  }
  for (const [port, envVar] of ports) {
    try {
      await assertPortFree(port, envVar);
    } catch (error) {
      exitWith((error as Error).message);
    }
  }
}

/** What this start is to run, and where it keeps its data and logs. */
interface StackPlan {
  config: Config;
  users: LocalUser[];
  dataDir: string;
  logDir: string;
  services: ServiceLaunch[];
}

/** What runs so far: a stop at any moment stops exactly this. */
interface RunningParts {
  standIns?: StandIns;
  children: SupervisedChild[];
  gateway?: Server;
}

interface Shutdown {
  /** Stops what runs and exits with `code`; every call after the first gets the first one's promise. */
  stop(code: number, reason: string): Promise<never>;
  /** Reports a part that failed on its own and stops the stack, unless it is stopping already. */
  fail(message: string): void;
  readonly stopping: Promise<never> | undefined;
}

/** What each start step works with. */
interface StartContext {
  plan: StackPlan;
  running: RunningParts;
  shutdown: Shutdown;
  progress: (line: string) => void;
}

/** Reads the configuration, picks the services and checks every port; a problem exits before anything runs. */
async function prepareStack(): Promise<StackPlan> {
  const { config, users } = readConfig();
  const dataDir = resolve(repoRoot, config.dataDir);
  const logDir = join(dataDir, 'logs');
  const services = servicesToStart(config);
  await assertPortsFree([
    [config.gatewayPort, 'GATEWAY_PORT'],
    ...services.flatMap(
      (service): Array<[number, string]> => [
        [service.port, service.portEnv],
        [service.metricsPort, service.metricsPortEnv],
      ],
    ),
    [config.dynamoDbPort, 'DYNAMODB_PORT'],
    [config.kinesisPort, 'KINESIS_PORT'],
    [config.motoPort, 'MOTO_PORT'],
    [config.searchPort, 'SEARCH_PORT'],
    [config.searchTransportPort, 'SEARCH_TRANSPORT_PORT'],
    ...Array.from({ length: config.analyticsWorkers }, (_, index): [number, string] => [
      config.analyticsMetricsPort + index,
      analyticsWorker.metricsPort.localEnv,
    ]),
    ...Array.from({ length: config.searchIndexers }, (_, index): [number, string] => [
      config.searchIndexerMetricsPort + index,
      searchIndexer.metricsPort.localEnv,
    ]),
  ]);
  return { config, users, dataDir, logDir, services };
}

// Stops in dependency order: nothing new comes in, services drain, then their stand-ins go.
// Children still starting when this runs are not known here yet; they exit by themselves once
// this process is gone (their stdin pipe closes, see orphan-guard.cjs).
async function stopRunningParts(running: RunningParts, code: number, reason: string): Promise<never> {
  console.log(`\n${reason}; stopping…`);
  if (running.gateway) {
    const closed = once(running.gateway, 'close');
    running.gateway.close();
    running.gateway.closeAllConnections();
    await closed;
  }
  await Promise.all(running.children.map((child) => child.stop()));
  await running.standIns?.stop();
  console.log('stopped');
  process.exit(code);
}

/** Stops the stack on SIGINT, SIGTERM and SIGHUP, and on `fail` from any part that dies on its own. */
function handleShutdown(running: RunningParts): Shutdown {
  let stopping: Promise<never> | undefined;
  const stop = (code: number, reason: string): Promise<never> => {
    stopping ??= stopRunningParts(running, code, reason);
    return stopping;
  };
  const fail = (message: string) => {
    if (stopping) return;
    console.error(`\n${message}`);
    void stop(1, 'a part of the stack failed');
  };
  process.on('SIGINT', () => void stop(0, 'SIGINT'));
  process.on('SIGTERM', () => void stop(0, 'SIGTERM'));
  process.on('SIGHUP', () => void stop(0, 'SIGHUP'));
  return {
    stop,
    fail,
    get stopping() {
      return stopping;
    },
  };
}

/** Prints one numbered line per start step, `[n/total] …`. */
function progressPrinter(plan: StackPlan): (line: string) => void {
  const workerSteps = (plan.config.analyticsWorkers > 0 ? 1 : 0) + (plan.config.searchIndexers > 0 ? 1 : 0);
  const totalSteps = 7 + plan.services.length + workerSteps + 1;
  let step = 0;
  return (line) => console.log(`[${++step}/${totalSteps}] ${line}`);
}

function printStartBanner(plan: StackPlan): void {
  const runtime = nodeRuntimeNotice();
  console.log(
    `Starting the shop platform on ${runtime.version} (data in ${display(plan.dataDir)}, logs in ${display(plan.logDir)})`,
  );
  if (runtime.warning) console.log(runtime.warning);
}

async function startLocalStandIns({ plan, running, shutdown, progress }: StartContext): Promise<StandIns> {
  const { config } = plan;
  try {
    running.standIns = await startStandIns({
      dataDir: plan.dataDir,
      ports: {
        dynamodb: config.dynamoDbPort,
        kinesis: config.kinesisPort,
        moto: config.motoPort,
        search: config.searchPort,
        searchTransport: config.searchTransportPort,
      },
      moto: true,
      search: true,
      searchHeap: { max: config.searchHeap },
      region: config.region,
      tableName: config.tableName,
      streamName: config.streamName,
      log: progress,
      logDir: plan.logDir,
      onUnexpectedExit: (_name, message) => shutdown.fail(message),
    });
    const started = Date.now();
    const index = await ensureProductIndex(running.standIns.searchEndpoint ?? '', 'products');
    progress(`${index} … ok (${seconds(started)})`);
    return running.standIns;
  } catch (error) {
    console.error(`\n${(error as Error).message}`);
    return shutdown.stop(1, 'a stand-in could not be started');
  }
}

async function createLocalUserPool({ plan, shutdown, progress }: StartContext, standIns: StandIns): Promise<UserPool> {
  try {
    const started = Date.now();
    const userPool = await ensureUserPool({
      endpoint: standIns.motoEndpoint ?? '',
      region: plan.config.region,
      users: plan.users,
    });
    progress(`Cognito user pool ${userPool.userPoolId} (app client ${userPool.clientId}) … ok (${seconds(started)})`);
    return userPool;
  } catch (error) {
    console.error(`\nThe local user pool could not be created in moto: ${(error as Error).message}`);
    return shutdown.stop(1, 'the user pool could not be created');
  }
}

/** Starts the services one after another; none (undefined) when the stack stops meanwhile. */
async function startServices(
  context: StartContext,
  standIns: StandIns,
  userPool: UserPool,
): Promise<Targets | undefined> {
  const targets: Targets = {};
  for (const service of context.plan.services) {
    if (context.shutdown.stopping) return undefined;
    const url = await startService(context, service, {
      ...serviceEnv(standIns, userPool),
      // Browsers send upload forms to the gateway, which passes them to moto's upload bucket.
      UPLOAD_URL: `http://127.0.0.1:${context.plan.config.gatewayPort}/uploads`,
    });
    if (url === undefined) return undefined;
    targets[service.name] = url;
  }
  return targets;
}

/** Starts one service and waits until it is ready; its URL, or none when the stack stops meanwhile. */
async function startService(
  { plan, running, shutdown, progress }: StartContext,
  service: ServiceLaunch,
  env: Record<string, string>,
): Promise<string | undefined> {
  const started = Date.now();
  const url = `http://127.0.0.1:${service.port}`;
  const logFile = join(plan.logDir, `${service.name}.log`);
  const child = superviseChild({
    name: `${service.name} service`,
    ...nodeChildCommand(join(repoRoot, service.entry), { tsx: true }),
    cwd: repoRoot,
    env: {
      ...env,
      [service.portEnv]: String(service.port),
      METRICS_PORT: String(service.metricsPort),
      // Nothing balances load here: on Ctrl-C the services stop taking requests at once.
      DRAIN_DELAY_MS: '0',
      LOG_LEVEL: plan.config.logLevel,
    },
    logFile,
  });
  running.children.push(child);
  child.onUnexpectedExit((exit) =>
    shutdown.fail(
      `${child.name} ${describeExit(exit)}; its last output (${display(logFile)}):\n${child.tail() || '(none)'}`,
    ),
  );
  try {
    await waitForHttp(`${url}/readyz`, serviceReadyTimeoutMs, { signal: child.exitSignal });
  } catch (error) {
    if (child.running) {
      console.error(
        `\n${child.name} did not pass its readiness check on ${url} within ${serviceReadyTimeoutMs / 1000} s ` +
          `(${(error as Error).message}); its last output (${display(logFile)}):\n${child.tail() || '(none)'}`,
      );
      return shutdown.stop(1, `the ${service.name} service could not be started`);
    }
    return shutdown.stopping;
  }
  progress(
    `${service.name} service on ${url}, metrics on http://127.0.0.1:${service.metricsPort}/metrics (log: ${display(logFile)}) … ok (${seconds(started)})`,
  );
  return url;
}

async function startAnalyticsWorkers(
  { plan, running, shutdown, progress }: StartContext,
  standIns: StandIns,
): Promise<void> {
  const { config } = plan;
  if (config.analyticsWorkers === 0) return;
  const started = Date.now();
  const topicArn = await ensureAlertTopic(standIns);
  for (let index = 1; index <= config.analyticsWorkers; index += 1) {
    const child = startAnalyticsWorker({
      standIns,
      topicArn,
      workerId: `local-worker-${index}`,
      logDir: plan.logDir,
      metricsPort: config.analyticsMetricsPort + index - 1,
    });
    running.children.push(child);
    child.onUnexpectedExit((exit) =>
      shutdown.fail(`${child.name} ${describeExit(exit)}; its last output:\n${child.tail() || '(none)'}`),
    );
  }
  progress(
    `${config.analyticsWorkers} analytics worker(s) (KCL, leases in table ${analyticsWorker.applicationName}, alerts to ${topicArn}, metrics on port ${portRange(config.analyticsMetricsPort, config.analyticsWorkers)}) … started (${seconds(started)})`,
  );
}

async function startSearchIndexers(
  { plan, running, shutdown, progress }: StartContext,
  standIns: StandIns,
): Promise<void> {
  const { config } = plan;
  if (config.searchIndexers === 0) return;
  const started = Date.now();
  for (let index = 1; index <= config.searchIndexers; index += 1) {
    const child = startSearchIndexer({
      standIns,
      workerId: `local-indexer-${index}`,
      logDir: plan.logDir,
      metricsPort: config.searchIndexerMetricsPort + index - 1,
    });
    running.children.push(child);
    child.onUnexpectedExit((exit) =>
      shutdown.fail(`${child.name} ${describeExit(exit)}; its last output:\n${child.tail() || '(none)'}`),
    );
  }
  progress(
    `${config.searchIndexers} search indexer(s) (KCL, leases in table ${searchIndexer.applicationName}, index ${standIns.searchEndpoint}/products, metrics on port ${portRange(config.searchIndexerMetricsPort, config.searchIndexers)}) … started (${seconds(started)})`,
  );
}

/** `first` alone, or `first-last` for `count` ports counting up. */
function portRange(first: number, count: number): string {
  return count === 1 ? String(first) : `${first}-${first + count - 1}`;
}

function createLocalGateway(config: Config, targets: Targets, standIns: StandIns, userPool: UserPool): Server {
  const cognitoEndpoint = new URL(standIns.motoEndpoint ?? '').origin;
  return createGateway({
    targets,
    webRoot,
    web: {
      // The pages sign staff in against the local pool exactly as against Cognito in AWS.
      config: {
        region: config.region,
        userPoolId: userPool.userPoolId,
        clientId: userPool.clientId,
        cognitoEndpoint: `${cognitoEndpoint}/`,
      },
      connectSources: [cognitoEndpoint],
    },
    logger: createLogger({ name: 'gateway', level: config.logLevel }),
    ...(standIns.motoEndpoint && standIns.mediaBuckets
      ? {
          media: {
            s3Endpoint: standIns.motoEndpoint,
            region: config.region,
            uploadBucket: standIns.mediaBuckets.upload,
            mediaBucket: standIns.mediaBuckets.media,
          },
        }
      : {}),
    ...(config.contractCheck
      ? {
          contractCheck: {
            check: createResponseChecker(),
            report: (violation: string) => console.error(`contract violation: ${violation}`),
          },
        }
      : {}),
  });
}

/** Opens the gateway in front of the services; its URL. */
async function startGateway(
  { plan, running, shutdown, progress }: StartContext,
  targets: Targets,
  standIns: StandIns,
  userPool: UserPool,
): Promise<string> {
  const { gatewayPort } = plan.config;
  const server = createLocalGateway(plan.config, targets, standIns, userPool);
  try {
    server.listen(gatewayPort, '127.0.0.1');
    await once(server, 'listening');
  } catch (error) {
    console.error(`\nThe gateway cannot listen on port ${gatewayPort}: ${(error as Error).message}`);
    return shutdown.stop(1, 'the gateway could not be started');
  }
  running.gateway = server;
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const web = existsSync(join(webRoot, 'index.html')) ? display(webRoot) : `${display(webRoot)} (not built yet)`;
  progress(`gateway on ${gatewayUrl} (web: ${web}) … ok`);
  return gatewayUrl;
}

function printWhatRunsWhere(plan: StackPlan, gatewayUrl: string, targets: Targets, standIns: StandIns): void {
  const { config } = plan;
  const rows: Array<[string, string]> = [
    ['Gateway (API + web)', gatewayUrl],
    ...Object.entries(targets).map(([name, url]): [string, string] => [
      `${name[0]?.toUpperCase()}${name.slice(1)} service`,
      url,
    ]),
    ['DynamoDB (dynalite)', `${standIns.dynamoDbEndpoint}  table ${standIns.tableName}`],
    ['Kinesis (kinesalite)', `${standIns.kinesisEndpoint}  stream ${standIns.streamName}`],
    ['CloudWatch, SNS, Cognito (moto)', standIns.motoEndpoint ?? '-'],
    ['Search engine (OpenSearch)', standIns.searchEndpoint ?? '-'],
    [
      'Metrics (/metrics)',
      [
        ...plan.services.map((service) => `${service.name} http://127.0.0.1:${service.metricsPort}/metrics`),
        ...Array.from(
          { length: config.analyticsWorkers },
          (_, index) => `analytics ${index + 1} http://127.0.0.1:${config.analyticsMetricsPort + index}/metrics`,
        ),
        ...Array.from(
          { length: config.searchIndexers },
          (_, index) =>
            `search indexer ${index + 1} http://127.0.0.1:${config.searchIndexerMetricsPort + index}/metrics`,
        ),
      ].join('\n'),
    ],
    ['Logs', display(plan.logDir)],
    ['Data', display(plan.dataDir)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log('');
  for (const [label, value] of rows) {
    console.log(`  ${label.padEnd(width)}  ${value.split('\n').join(`\n  ${' '.repeat(width)}  `)}`);
  }
}

function printLocalUsers(users: LocalUser[]): void {
  console.log('\n  Local users (sign in with these; passwords from LOCAL_<USER>_PASSWORD):');
  for (const user of users) {
    const groups = user.groups.length > 0 ? user.groups.join(', ') : 'no group: reads only';
    console.log(`    ${user.username.padEnd(8)} ${user.password.padEnd(16)} ${groups}`);
  }
  console.log('  A bearer token for the API: npm run token -- admin');
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const plan = await prepareStack();
  const running: RunningParts = { children: [] };
  const shutdown = handleShutdown(running);
  const context: StartContext = { plan, running, shutdown, progress: progressPrinter(plan) };
  printStartBanner(plan);

  const standIns = await startLocalStandIns(context);
  const userPool = await createLocalUserPool(context, standIns);
  const targets = await startServices(context, standIns, userPool);
  if (!targets) return;
  await startAnalyticsWorkers(context, standIns);
  await startSearchIndexers(context, standIns);
  const gatewayUrl = await startGateway(context, targets, standIns, userPool);

  printWhatRunsWhere(plan, gatewayUrl, targets, standIns);
  printLocalUsers(plan.users);
  console.log(`\nready in ${seconds(startedAt)}: open ${gatewayUrl} (Ctrl-C stops everything)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
