// One stream worker: the KCL MultiLangDaemon (Java), which takes shard leases and runs a record
// processor once per shard. The analytics workers and the search indexer are two KCL applications
// (two lease tables) on the same stream, each started by its own entry point through this one.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createLogger, loadConfig } from '@shop/platform';
import { analyticsConfig, daemonEnvironment } from '../analytics.config.js';
import { shutdownCompleteLine, workerExitCode } from './daemon-exit.js';
import { kclProperties, shutdownGraceMillis } from './kcl-properties.js';
import { WorkerMetrics } from './worker-metrics.js';

export interface KclWorkerOptions {
  /** The worker's name in its logs. */
  name: string;
  /** The record processor module the daemon runs per shard, relative to this file. */
  processor: string;
  /** The KCL application (and lease table) when `KCL_APPLICATION_NAME` does not name one. */
  applicationName: string;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Starts the daemon with the given record processor and serves `/metrics` until it stops; then exits. */
export async function runKclWorker(options: KclWorkerOptions): Promise<void> {
  const loaded = loadConfig(analyticsConfig);
  const config = { ...loaded, applicationName: loaded.applicationName || options.applicationName };
  const logger = createLogger({ name: options.name, level: config.logLevel });
  const jars = here('../../.kcl-jars');
  const processor = here(options.processor);

  // The daemon splits executableName on spaces; the processor runs as TypeScript through tsx, on
  // the worker's own Node binary.
  const executableName = [process.execPath, '--import', import.meta.resolve('tsx'), processor].join(' ');
  const workDir = mkdtempSync(join(tmpdir(), `shop-${options.name}-`));
  const propertiesFile = join(workDir, 'kcl.properties');
  // Record processors check lease ownership by this id, so the worker always names it.
  const workerId = config.workerId || `${hostname()}-${randomUUID()}`;
  writeFileSync(propertiesFile, kclProperties(config, executableName, workerId));

  const metrics = new WorkerMetrics();
  const metricsServer = await metrics.listen(config.metricsPort).catch((error: unknown) => {
    logger.fatal(
      { err: error },
      `cannot serve /metrics on port ${config.metricsPort}; set METRICS_PORT to use another`,
    );
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
      stdio: ['ignore', 'inherit', 'pipe'],
      env: daemonEnvironment(config, {
        KCL_WORKER_ID: workerId,
        KCL_APPLICATION_NAME: config.applicationName,
        ANALYTICS_METRICS_PUSH_URL: `http://127.0.0.1:${metricsPort}${WorkerMetrics.pushPath}`,
      }),
    },
  );
  logger.info(
    { pid: daemon.pid, stream: config.streamName, application: config.applicationName },
    'KCL daemon started',
  );

  // The daemon's log (its record processors' too) goes on to ours; the line saying that its graceful
  // shutdown finished is how the worker knows that a stop was clean.
  let shutdownCompleted = false;
  if (daemon.stderr) {
    daemon.stderr.pipe(process.stderr);
    createInterface({ input: daemon.stderr }).on('line', (line) => {
      if (line.includes(shutdownCompleteLine)) shutdownCompleted = true;
    });
  }

  // SIGTERM (scale-in, Spot interruption) reaches the daemon, whose shutdown hook asks every record
  // processor to publish and checkpoint. A daemon still there well after its grace is killed.
  let stopRequested = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopRequested) return;
      stopRequested = true;
      logger.info({ signal }, 'stopping the KCL daemon');
      daemon.kill('SIGTERM');
      setTimeout(() => {
        logger.error({ shutdownGraceMillis }, 'the KCL daemon did not stop within its grace; killing it');
        daemon.kill('SIGKILL');
      }, shutdownGraceMillis + 3_000).unref();
    });
  }
  // 'close' rather than 'exit': the daemon's last log lines have been read by then.
  daemon.on('close', (code, signal) => {
    rmSync(workDir, { recursive: true, force: true });
    metricsServer.close();
    const exitCode = workerExitCode({ stopRequested, shutdownCompleted, code, signal });
    const fields = { code, signal, stopRequested, shutdownCompleted, exitCode };
    if (exitCode === 0) logger.info(fields, 'KCL daemon stopped cleanly');
    else logger.error(fields, 'KCL daemon exited');
    process.exit(exitCode);
  });
  daemon.on('error', (error) => {
    logger.error({ err: error }, 'could not start the KCL daemon (is Java 17+ installed?)');
    process.exit(1);
  });
}
