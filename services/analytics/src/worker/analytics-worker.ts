// One analytics worker: the KCL MultiLangDaemon (Java), which takes shard leases and runs our
// record processor once per shard. `npm start` runs ANALYTICS_WORKERS of these.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, loadConfig } from '@shop/platform';
import { analyticsConfig } from '../analytics.config.js';
import { kclProperties } from './kcl-properties.js';
import { WorkerMetrics } from './worker-metrics.js';

const config = loadConfig(analyticsConfig);
const logger = createLogger({ name: 'analytics-worker', level: config.logLevel });
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const jars = here('../../.kcl-jars');
const processor = here('../processor/record-processor-main.ts');

// The daemon splits executableName on spaces; the processor runs as TypeScript through tsx.
// The SDK's notice about Node < 22 would reach the daemon's log once per shard.
const executableName = [
  process.execPath,
  '--disable-warning=NodeVersionSupportWarning',
  '--import',
  import.meta.resolve('tsx'),
  processor,
].join(' ');
const workDir = mkdtempSync(join(tmpdir(), 'shop-analytics-'));
const propertiesFile = join(workDir, 'kcl.properties');
// Record processors check lease ownership by this id, so the worker always names it.
const workerId = process.env.KCL_WORKER_ID || `${hostname()}-${randomUUID()}`;
writeFileSync(propertiesFile, kclProperties(config, executableName, workerId));

// The Java SDK's default chain needs credentials even for the stand-ins, which accept any.
const localCredentials =
  config.kinesisEndpoint && !process.env.AWS_ACCESS_KEY_ID
    ? { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' }
    : {};
const metrics = new WorkerMetrics();
const metricsServer = await metrics.listen(config.metricsPort).catch((error: unknown) => {
  logger.fatal({ err: error }, `cannot serve /metrics on port ${config.metricsPort}; set METRICS_PORT to use another`);
  process.exit(1);
});
const metricsPort = WorkerMetrics.portOf(metricsServer);
logger.info({ url: `http://127.0.0.1:${metricsPort}/metrics` }, 'metrics listening');

const daemon = spawn(
  'java',
  [
    `-Dlogback.configurationFile=${here('../../config/kcl-daemon-logback.xml')}`,
    '-cp',
    `${jars}/*`,
    'software.amazon.kinesis.multilang.MultiLangDaemon',
    '--properties-file',
    propertiesFile,
  ],
  {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      ...localCredentials,
      KCL_WORKER_ID: workerId,
      ANALYTICS_METRICS_PUSH_URL: `http://127.0.0.1:${metricsPort}${WorkerMetrics.pushPath}`,
    },
  },
);
logger.info({ pid: daemon.pid, stream: config.streamName, application: config.applicationName }, 'KCL daemon started');

// SIGTERM (scale-in, Spot interruption) reaches the daemon, which asks every record processor
// to publish and checkpoint before it exits.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    logger.info({ signal }, 'stopping the KCL daemon');
    daemon.kill('SIGTERM');
  });
}
daemon.on('exit', (code, signal) => {
  rmSync(workDir, { recursive: true, force: true });
  metricsServer.close();
  logger.info({ code, signal }, 'KCL daemon exited');
  process.exit(code ?? (signal === 'SIGTERM' ? 0 : 1));
});
daemon.on('error', (error) => {
  logger.error({ err: error }, 'could not start the KCL daemon (is Java 17+ installed?)');
  process.exit(1);
});
