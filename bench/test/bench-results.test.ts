import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { averageRuns } from '../src/load-runner.js';
import { recordResults, type ScenarioResult } from '../src/results-file.js';

const scenario: ScenarioResult = {
  rps: 900,
  p50Ms: 10,
  p99Ms: 30,
  errors: 0,
  rssMb: 120,
  baselineRps: 1000,
  baselineP99Ms: 25,
  rpsRatio: 0.9,
  p99Ratio: 1.2,
};

test('when results are recorded, then other scenarios are kept and each entry is stamped', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bench-'));
  const path = join(dir, 'results.json');
  await writeFile(path, JSON.stringify({ 'other.scenario': { rps: 1 } }));
  recordResults(path, 'quick', { 'catalog.get': scenario });
  const written = JSON.parse(await readFile(path, 'utf8'));
  t.deepEqual(written['other.scenario'], { rps: 1 });
  t.like(written['catalog.get'], { ...scenario, mode: 'quick' });
  t.regex(written['catalog.get'].commit, /^[0-9a-f]{7,}|unknown$/);
  t.regex(written['catalog.get'].machine, /cores/);
  t.false(Number.isNaN(Date.parse(written['catalog.get'].date)));
  await rm(dir, { recursive: true });
});

test('when runs are averaged, then rates and latencies are means and errors are summed', (t) => {
  const averaged = averageRuns([
    { rps: 100, p50Ms: 10, p99Ms: 40, errors: 1, requests: 1000, successes: 999 },
    { rps: 300, p50Ms: 20, p99Ms: 60, errors: 2, requests: 3000, successes: 2998 },
  ]);
  t.deepEqual(averaged, { rps: 200, p50Ms: 15, p99Ms: 50, errors: 3, requests: 4000, successes: 3997 });
});
