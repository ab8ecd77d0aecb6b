/** One scenario's line in the report. */
export interface ScenarioResult {
  scenario: string;
  /** HTTP attempts sent, retries included. */
  requests: number;
  /** Attempts answered 5xx or not at all. */
  errors: number;
  /** Of those, the ones outside the fault window (must be 0). */
  errorsOutsideWindow: number;
  /** Units sold as the API answered, as the stock went down, as CloudWatch counted: `a = b = c`. */
  units: string;
  eventsLost: number;
  /** Units CloudWatch counted beyond the API's sales (target 0). */
  duplicatesCounted: number;
  /** Extra copies of events on the stream (at least once; the fleet skips them by id). */
  streamCopies: number;
  /** Products the search index had missing, stale or extra against the table at the end (target 0). */
  indexDrift: number;
  /** From the fault until writes succeeded again (0: no failed request). */
  apiRecoveryMs: number;
  /** From the last answer until the stream, the outboxes and CloudWatch agreed with the API. */
  consistentMs: number;
  durationMs: number;
  problems: string[];
}

/** A result with nothing measured: a scenario without a workload, or one that could not run. */
export function resultWithoutLoad(scenario: string, durationMs: number, problems: string[]): ScenarioResult {
  return {
    scenario,
    requests: 0,
    errors: 0,
    errorsOutsideWindow: 0,
    units: 'n/a',
    eventsLost: 0,
    duplicatesCounted: 0,
    streamCopies: 0,
    indexDrift: 0,
    apiRecoveryMs: 0,
    consistentMs: 0,
    durationMs,
    problems,
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The results as a Markdown table (as the README shows it), then each failed scenario's problems. */
export function formatSummary(results: ScenarioResult[]): string {
  const header = [
    'scenario',
    'requests',
    'errors (outside window)',
    'units sold: API = stock = CloudWatch',
    'events lost',
    'duplicates counted',
    'stream copies',
    'index drift',
    'API recovery',
    'consistent after',
    'took',
    'result',
  ];
  const rows = results.map((result) => [
    result.scenario,
    String(result.requests),
    `${result.errors} (${result.errorsOutsideWindow})`,
    result.units,
    String(result.eventsLost),
    String(result.duplicatesCounted),
    String(result.streamCopies),
    String(result.indexDrift),
    seconds(result.apiRecoveryMs),
    seconds(result.consistentMs),
    seconds(result.durationMs),
    result.problems.length === 0 ? 'pass' : 'FAIL',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const lines = [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
  for (const result of results) {
    for (const problem of result.problems) lines.push(`${result.scenario}: ${problem}`);
  }
  return lines.join('\n');
}
