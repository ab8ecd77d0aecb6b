import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** One scenario's figures next to its baseline, as kept in bench/results.json. */
export interface ScenarioResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  rssMb: number;
  baselineRps?: number;
  baselineP99Ms?: number;
  rpsRatio?: number;
  p99Ratio?: number;
  figures?: Record<string, number>;
}

function commitId(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Describes this machine the way the README table names it. */
export function machine(): string {
  const cores = cpus();
  return `${cores.length} cores (${cores[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Merges scenario results into the results file, stamped with commit, date, mode and machine. */
export function recordResults(path: string, mode: string, scenarios: Record<string, ScenarioResult>): void {
  const existing = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  const stamp = { commit: commitId(), date: new Date().toISOString(), mode, machine: machine() };
  const next = { ...existing };
  for (const [name, result] of Object.entries(scenarios)) next[name] = { ...result, ...stamp };
  writeFileSync(path, `${JSON.stringify(next, null, 2)}\n`);
}
