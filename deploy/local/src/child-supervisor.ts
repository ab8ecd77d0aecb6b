import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  error?: Error;
}

export interface SuperviseOptions {
  /** Used in messages, e.g. "dynalite (DynamoDB)". */
  name: string;
  command: string;
  args?: string[];
  cwd?: string;
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Where everything the child writes (stdout and stderr) is appended. */
  logFile: string;
  /** How many recent output lines `tail()` returns by default. */
  tailLines?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
}

export function describeExit(exit: ChildExit): string {
  if (exit.error) return `could not be started: ${exit.error.message}`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

const tailBytes = 64 * 1024;

/**
 * One child process we own: `stop()` ends it for certain, an exit nobody asked for is reported to
 * listeners, and its output goes straight to a log file. The file, not a pipe to us, so that a
 * child outliving us never blocks or spins on a broken pipe (pino retries EPIPE forever on exit).
 * Its stdin is a pipe we never write to; children started through `nodeChildCommand` exit when it
 * closes, which is how they notice that we died without stopping them.
 */
export class SupervisedChild {
  readonly name: string;
  readonly logFile: string;
  readonly process: ChildProcess;
  /** Resolves once the child has exited. */
  readonly exited: Promise<ChildExit>;
  readonly #logStart: number;
  readonly #tailLines: number;
  readonly #stopTimeoutMs: number;
  readonly #exitController = new AbortController();
  readonly #unexpectedExitListeners = new Set<(exit: ChildExit) => void>();
  #exit: ChildExit | undefined;
  #stopping = false;

  constructor(options: SuperviseOptions) {
    this.name = options.name;
    this.logFile = options.logFile;
    this.#tailLines = options.tailLines ?? 40;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 3000;
    mkdirSync(dirname(options.logFile), { recursive: true });
    const log = openSync(options.logFile, 'a');
    let child: ChildProcess;
    try {
      writeSync(log, `--- ${options.name} starting at ${new Date().toISOString()}\n`);
      this.#logStart = fstatSync(log).size;
      child = spawn(options.command, options.args ?? [], {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ['pipe', log, log],
        // Its own process group: a Ctrl-C in the terminal reaches only us, and we stop children in
        // order (services before the stand-ins they depend on).
        detached: true,
      });
    } finally {
      closeSync(log);
    }
    this.process = child;
    // The child may be gone before we ever write; an EPIPE on its stdin is not our problem.
    child.stdin?.on('error', () => {});
    this.exited = new Promise((resolve) => {
      const finish = (exit: ChildExit) => {
        if (this.#exit) return;
        this.#exit = exit;
        this.#exitController.abort(new Error(`${this.name} ${describeExit(exit)}`));
        if (!this.#stopping) for (const listener of this.#unexpectedExitListeners) listener(exit);
        resolve(exit);
      };
      child.on('error', (error) => {
        if (child.pid === undefined) finish({ code: null, signal: null, error });
      });
      child.on('exit', (code, signal) => finish({ code, signal }));
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** Aborted as soon as the child has exited; pass it to waits that make no sense afterwards. */
  get exitSignal(): AbortSignal {
    return this.#exitController.signal;
  }

  /** The last lines this run of the child wrote, for error messages. */
  tail(lines = this.#tailLines): string {
    let fd: number | undefined;
    try {
      fd = openSync(this.logFile, 'r');
      const size = fstatSync(fd).size;
      const start = Math.max(this.#logStart, size - tailBytes);
      const buffer = Buffer.alloc(Math.max(0, size - start));
      readSync(fd, buffer, 0, buffer.length, start);
      return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** Called when the child exits without `stop()` having been asked for. */
  onUnexpectedExit(listener: (exit: ChildExit) => void): () => void {
    this.#unexpectedExitListeners.add(listener);
    return () => this.#unexpectedExitListeners.delete(listener);
  }

  /** SIGTERM, then SIGKILL if it is still there after the stop timeout. */
  async stop(): Promise<ChildExit> {
    this.#stopping = true;
    if (this.#exit) return this.#exit;
    this.process.kill('SIGTERM');
    // A child paused with SIGSTOP (fault tests) only acts on SIGTERM once it runs again.
    this.process.kill('SIGCONT');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), this.#stopTimeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
      this.#killLeftovers();
    }
  }

  // What the child started and left behind in its process group (e.g. an analytics worker's Java
  // daemon when the worker had to be killed) goes with it.
  #killLeftovers(): void {
    if (this.process.pid === undefined) return;
    try {
      process.kill(-this.process.pid, 'SIGKILL');
    } catch {
      // Nothing left in the group.
    }
  }
}

/** Starts `options.command` as a supervised child. */
export function superviseChild(options: SuperviseOptions): SupervisedChild {
  return new SupervisedChild(options);
}

const orphanGuard = fileURLToPath(new URL('./orphan-guard.cjs', import.meta.url));

/**
 * The command that runs a Node script as a child which exits when its parent goes away (see
 * orphan-guard.cjs); with `tsx`, the script may be TypeScript.
 */
export function nodeChildCommand(script: string, options: { tsx?: boolean } = {}): { command: string; args: string[] } {
  const loader = options.tsx ? ['--import', import.meta.resolve('tsx')] : [];
  return { command: process.execPath, args: ['--require', orphanGuard, ...loader, script] };
}
