import type { BenchStack } from './bench-stack.js';
import type { LoadResult } from './load-runner.js';

export interface BenchSettings {
  /** A short run (`--quick`): scenarios with their own durations pick the short one. */
  quick: boolean;
  rounds: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  products: number;
}

export interface ScenarioOutcome {
  /** The service's figures and, for scenarios measured against one, the baseline's. */
  measured: { service: LoadResult; baseline?: LoadResult };
  rssMb: number;
  baselineRssMb?: number;
  /** Least throughput ratio and most p99 ratio against the baseline that meet the goal; none to only report. */
  targets?: { rpsRatio: number; p99Ratio?: number };
  /** Scenario-specific checks that must hold (e.g. exact final stock); each names what it checked. */
  checks?: Array<{ name: string; ok: boolean }>;
  /** Further figures worth recording, by name (e.g. p95 event lag). */
  figures?: Record<string, number>;
  /** The scenario's own tables (e.g. one row per process or per step), printed after its summary. */
  tables?: Array<Record<string, Record<string, number | string>>>;
}

/** One benchmark: the service and its baseline, measured in the same run on the same stack. */
export interface Scenario {
  name: string;
  /** Stand-ins beyond the default ones that the scenario needs. */
  standIns?: { search?: boolean };
  run(stack: BenchStack, settings: BenchSettings): Promise<ScenarioOutcome>;
}
