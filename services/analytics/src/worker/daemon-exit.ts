/**
 * What the MultiLangDaemon logs (at INFO, from its shutdown hook) once its graceful shutdown has
 * finished within `shutdownGraceMillis`: every record processor was asked to publish and checkpoint.
 * Past the grace it logs "Encountered an error during shutdown." instead.
 */
export const shutdownCompleteLine = 'Process shutdown is complete.';

/** A JVM that ran its shutdown hooks on SIGTERM exits with 128 + 15, however they went. */
const exitedOnSigterm = 143;

/** How the KCL daemon ended, as its worker saw it. */
export interface DaemonEnd {
  /** The worker asked it to stop (the worker got SIGTERM or SIGINT). */
  stopRequested: boolean;
  /** It logged `shutdownCompleteLine`. */
  shutdownCompleted: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The worker's exit code: 0 only for a stop it asked for that the daemon finished within its grace
 * (so the fleet's supervisor, e.g. systemd or ECS, sees a clean stop). The daemon ending any other
 * way is a failure, even with code 0, because a worker runs until it is told to stop.
 */
export function workerExitCode(end: DaemonEnd): number {
  if (end.stopRequested) {
    const hooksRan = end.code === 0 || end.code === exitedOnSigterm;
    return hooksRan && end.shutdownCompleted ? 0 : 1;
  }
  return end.code ? end.code : 1;
}
