import type { BenchStack } from './bench-stack.js';
import type { LoadResult } from './load-runner.js';

export interface BenchSettings {
  rounds: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  products: number;
}

export interface ScenarioOutcome {
  measured: { service: LoadResult; baseline: LoadResult };
  rssMb: number;
  baselineRssMb: number;
  /** Least throughput ratio and most p99 ratio that meet the goal. */
  targets: { rpsRatio: number; p99Ratio?: number };
  /** Scenario-specific checks that must hold (e.g. exact final stock); each names what it checked. */
  checks?: Array<{ name: string; ok: boolean }>;
  /** Further figures worth recording, by name (e.g. p95 event lag). */
  figures?: Record<string, number>;
}

/** One benchmark: the service and its baseline, measured in the same run on the same stack. */
export interface Scenario {
  name: string;
  run(stack: BenchStack, settings: BenchSettings): Promise<ScenarioOutcome>;
}
