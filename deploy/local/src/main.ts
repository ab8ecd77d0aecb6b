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
import { ensureAlertTopic, startAnalyticsWorker } from './analytics-launcher.js';
import { describeExit, nodeChildCommand, type SupervisedChild, superviseChild } from './child-supervisor.js';
import { createGateway, type ServiceName } from './gateway-server.js';
import { waitForHttp } from './http-probe.js';
import { localStackConfig } from './local-stack.config.js';
import { ensureUserPool, type LocalUser, localUsers, type UserPool } from './local-user-pool.js';
import { nodeRuntimeNotice } from './node-runtime.js';
import { assertPortFree } from './port-finder.js';
import { serviceEnv } from './service-launcher.js';
import { type StandIns, startStandIns } from './stand-in-launcher.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const serviceReadyTimeoutMs = 60_000;

type Config = ConfigOf<typeof localStackConfig>;

interface ServiceSpec {
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

// Catalog is required; a service is started once its entry point exists (inventory is still to come).
function servicesToStart(config: Config): ServiceSpec[] {
  const services: ServiceSpec[] = [
    {
      name: 'catalog',
      port: config.catalogPort,
      portEnv: 'CATALOG_PORT',
      metricsPort: config.catalogMetricsPort,
      metricsPortEnv: 'CATALOG_METRICS_PORT',
      entry: 'services/catalog/src/main.ts',
    },
    {
      name: 'inventory',
      port: config.inventoryPort,
      portEnv: 'INVENTORY_PORT',
      metricsPort: config.inventoryMetricsPort,
      metricsPortEnv: 'INVENTORY_METRICS_PORT',
      entry: 'services/inventory/src/main.ts',
    },
  ];
  const present = services.filter((service) => existsSync(join(repoRoot, service.entry)));
  if (!present.some((service) => service.name === 'catalog')) {
    exitWith(`Cannot start the catalog service: ${join(repoRoot, 'services/catalog/src/main.ts')} does not exist`);
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

async function main(): Promise<void> {
  const startedAt = Date.now();
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
    ...Array.from({ length: config.analyticsWorkers }, (_, index): [number, string] => [
      config.analyticsMetricsPort + index,
      'ANALYTICS_METRICS_PORT',
    ]),
  ]);

  let standIns: StandIns | undefined;
  const serviceChildren: SupervisedChild[] = [];
  let gateway: Server | undefined;
  let stopping: Promise<never> | undefined;

  // Stops in dependency order: nothing new comes in, services drain, then their stand-ins go.
  // Children still starting when this runs are not known here yet; they exit by themselves once
  // this process is gone (their stdin pipe closes, see orphan-guard.cjs).
  const shutdown = (code: number, reason: string): Promise<never> => {
    stopping ??= (async () => {
      console.log(`\n${reason}; stopping…`);
      if (gateway) {
        const closed = once(gateway, 'close');
        gateway.close();
        gateway.closeAllConnections();
        await closed;
      }
      await Promise.all(serviceChildren.map((child) => child.stop()));
      await standIns?.stop();
      console.log('stopped');
      process.exit(code);
    })();
    return stopping;
  };
  const failed = (message: string) => {
    if (stopping) return;
    console.error(`\n${message}`);
    void shutdown(1, 'a part of the stack failed');
  };
  process.on('SIGINT', () => void shutdown(0, 'SIGINT'));
  process.on('SIGTERM', () => void shutdown(0, 'SIGTERM'));
  process.on('SIGHUP', () => void shutdown(0, 'SIGHUP'));

  const totalSteps = 5 + services.length + (config.analyticsWorkers > 0 ? 1 : 0) + 1;
  let step = 0;
  const progress = (line: string) => console.log(`[${++step}/${totalSteps}] ${line}`);
  const runtime = nodeRuntimeNotice();
  console.log(
    `Starting the shop platform on ${runtime.version} (data in ${display(dataDir)}, logs in ${display(logDir)})`,
  );
  if (runtime.warning) console.log(runtime.warning);

  try {
    standIns = await startStandIns({
      dataDir,
      ports: {
        dynamodb: config.dynamoDbPort,
        kinesis: config.kinesisPort,
        moto: config.motoPort,
      },
      moto: true,
      region: config.region,
      tableName: config.tableName,
      streamName: config.streamName,
      log: progress,
      logDir,
      onUnexpectedExit: (_name, message) => failed(message),
    });
  } catch (error) {
    console.error(`\n${(error as Error).message}`);
    return shutdown(1, 'a stand-in could not be started');
  }

  let userPool: UserPool;
  try {
    const started = Date.now();
    userPool = await ensureUserPool({ endpoint: standIns.motoEndpoint ?? '', region: config.region, users });
    progress(`Cognito user pool ${userPool.userPoolId} (app client ${userPool.clientId}) … ok (${seconds(started)})`);
  } catch (error) {
    console.error(`\nThe local user pool could not be created in moto: ${(error as Error).message}`);
    return shutdown(1, 'the user pool could not be created');
  }

  const targets: Partial<Record<ServiceName, string>> = {};
  for (const service of services) {
    if (stopping) return;
    const started = Date.now();
    const url = `http://127.0.0.1:${service.port}`;
    const logFile = join(logDir, `${service.name}.log`);
    const child = superviseChild({
      name: `${service.name} service`,
      ...nodeChildCommand(join(repoRoot, service.entry), { tsx: true }),
      cwd: repoRoot,
      env: {
        ...serviceEnv(standIns, userPool),
        [service.portEnv]: String(service.port),
        METRICS_PORT: String(service.metricsPort),
        // Nothing balances load here: on Ctrl-C the services stop taking requests at once.
        DRAIN_DELAY_MS: '0',
        LOG_LEVEL: config.logLevel,
      },
      logFile,
    });
    serviceChildren.push(child);
    child.onUnexpectedExit((exit) =>
      failed(
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
        return shutdown(1, `the ${service.name} service could not be started`);
      }
      return stopping;
    }
    targets[service.name] = url;
    progress(
      `${service.name} service on ${url}, metrics on http://127.0.0.1:${service.metricsPort}/metrics (log: ${display(logFile)}) … ok (${seconds(started)})`,
    );
  }

  if (config.analyticsWorkers > 0) {
    const started = Date.now();
    const topicArn = await ensureAlertTopic(standIns);
    for (let index = 1; index <= config.analyticsWorkers; index += 1) {
      const child = startAnalyticsWorker({
        standIns,
        topicArn,
        workerId: `local-worker-${index}`,
        logDir,
        metricsPort: config.analyticsMetricsPort + index - 1,
      });
      serviceChildren.push(child);
      child.onUnexpectedExit((exit) =>
        failed(`${child.name} ${describeExit(exit)}; its last output:\n${child.tail() || '(none)'}`),
      );
    }
    const lastMetricsPort = config.analyticsMetricsPort + config.analyticsWorkers - 1;
    const metricsPorts =
      config.analyticsWorkers === 1
        ? String(config.analyticsMetricsPort)
        : `${config.analyticsMetricsPort}-${lastMetricsPort}`;
    progress(
      `${config.analyticsWorkers} analytics worker(s) (KCL, leases in table shop-analytics, alerts to ${topicArn}, metrics on port ${metricsPorts}) … started (${seconds(started)})`,
    );
  }

  const webRoot = join(repoRoot, 'web', 'dist');
  const cognitoEndpoint = new URL(standIns.motoEndpoint ?? '').origin;
  const server = createGateway({
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
    ...(config.contractCheck
      ? {
          contractCheck: {
            check: createResponseChecker(),
            report: (violation: string) => console.error(`contract violation: ${violation}`),
          },
        }
      : {}),
  });
  try {
    server.listen(config.gatewayPort, '127.0.0.1');
    await once(server, 'listening');
  } catch (error) {
    console.error(`\nThe gateway cannot listen on port ${config.gatewayPort}: ${(error as Error).message}`);
    return shutdown(1, 'the gateway could not be started');
  }
  gateway = server;
  const gatewayUrl = `http://127.0.0.1:${config.gatewayPort}`;
  const web = existsSync(join(webRoot, 'index.html')) ? display(webRoot) : `${display(webRoot)} (not built yet)`;
  progress(`gateway on ${gatewayUrl} (web: ${web}) … ok`);

  const rows: Array<[string, string]> = [
    ['Gateway (API + web)', gatewayUrl],
    ...Object.entries(targets).map(([name, url]): [string, string] => [
      `${name[0]?.toUpperCase()}${name.slice(1)} service`,
      url,
    ]),
    ['DynamoDB (dynalite)', `${standIns.dynamoDbEndpoint}  table ${standIns.tableName}`],
    ['Kinesis (kinesalite)', `${standIns.kinesisEndpoint}  stream ${standIns.streamName}`],
    ['CloudWatch, SNS, Cognito (moto)', standIns.motoEndpoint ?? '-'],
    [
      'Metrics (/metrics)',
      [
        ...services.map((service) => `${service.name} http://127.0.0.1:${service.metricsPort}/metrics`),
        ...Array.from(
          { length: config.analyticsWorkers },
          (_, index) => `analytics ${index + 1} http://127.0.0.1:${config.analyticsMetricsPort + index}/metrics`,
        ),
      ].join('\n'),
    ],
    ['Logs', display(logDir)],
    ['Data', display(dataDir)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log('');
  for (const [label, value] of rows) {
    console.log(`  ${label.padEnd(width)}  ${value.split('\n').join(`\n  ${' '.repeat(width)}  `)}`);
  }
  console.log('\n  Local users (sign in with these; passwords from LOCAL_<USER>_PASSWORD):');
  for (const user of users) {
    const groups = user.groups.length > 0 ? user.groups.join(', ') : 'no group: reads only';
    console.log(`    ${user.username.padEnd(8)} ${user.password.padEnd(16)} ${groups}`);
  }
  console.log('  A bearer token for the API: npm run token -- admin');
  console.log(`\nready in ${seconds(startedAt)}: open ${gatewayUrl} (Ctrl-C stops everything)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
