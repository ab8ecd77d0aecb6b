import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { freePorts, startPlatform } from './local-platform.js';

const run = promisify(execFile);
const fuzzDir = fileURLToPath(new URL('../schemathesis/', import.meta.url));
/** Made by the root postinstall from test/schemathesis/requirements.txt. */
const st = fileURLToPath(new URL('../.venv/bin/st', import.meta.url));

/**
 * Cases per operation in the fuzzing phase (and the budget of each stateful scenario); the
 * examples and coverage phases take what the contract gives. Sized so the test stays within
 * a few minutes on two cores.
 */
const maxExamples = 100;
/** A fixed seed, so a failure reproduces with the same cases; another seed explores other cases. */
const seed = Number(process.env.FUZZ_SEED ?? 17);

interface RunSummary {
  cases: number;
  failedChecks: string[];
  /** How often each check ran, by name. */
  checks: Record<string, number>;
  statuses: Record<string, number>;
  phases: Record<string, number>;
}

/** What schemathesis' NDJSON report says: cases run per phase, failed checks, answers per status. */
function summarise(ndjson: string): RunSummary {
  const summary: RunSummary = { cases: 0, failedChecks: [], checks: {}, statuses: {}, phases: {} };
  for (const line of ndjson.split('\n')) {
    if (line === '') continue;
    const event = JSON.parse(line) as {
      ScenarioFinished?: {
        phase: string;
        recorder: {
          label: string;
          // A skipped scenario has its label only.
          cases?: Record<string, unknown>;
          checks?: Record<string, Array<{ name: string; status: string }>>;
          interactions?: Record<string, { response?: { status_code: number } | null }>;
        };
      };
    };
    const scenario = event.ScenarioFinished;
    if (!scenario) continue;
    const { recorder } = scenario;
    const cases = Object.keys(recorder.cases ?? {}).length;
    summary.cases += cases;
    summary.phases[scenario.phase] = (summary.phases[scenario.phase] ?? 0) + cases;
    for (const checks of Object.values(recorder.checks ?? {})) {
      for (const check of checks) {
        summary.checks[check.name] = (summary.checks[check.name] ?? 0) + 1;
        if (check.status === 'failure') summary.failedChecks.push(`${recorder.label}: ${check.name}`);
      }
    }
    for (const interaction of Object.values(recorder.interactions ?? {})) {
      const status = String(interaction.response?.status_code ?? 'no answer');
      summary.statuses[status] = (summary.statuses[status] ?? 0) + 1;
    }
  }
  return summary;
}

test('when schemathesis fuzzes every operation through the gateway with each group, then no check fails', async (t) => {
  t.timeout(8 * 60_000);
  const started = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'shop-fuzz-'));
  const reportDir = await mkdtemp(join(tmpdir(), 'shop-fuzz-report-'));
  const platform = await startPlatform(await freePorts(), dataDir);
  try {
    const [admin, staff, shopper] = await Promise.all(
      ['admin', 'staff', 'shopper'].map((user) => platform.token(user)),
    );
    // A product for the behaviour events the positive cases send (an event must name one).
    const seeded = await fetch(`${platform.gateway}/api/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ name: 'Fuzz seed', description: '', price: 1 }),
    });
    t.is(seeded.status, 201);
    const { id: productId } = (await seeded.json()) as { id: string };

    const args = [
      '--config-file',
      join(fuzzDir, 'schemathesis.toml'),
      'run',
      `${platform.gateway}/api/openapi.json`,
      // Every check runs by default; `--checks all` would also re-enable the ones the config turns
      // off for one operation (use_after_free on getReservation), in every phase.
      '--phases',
      'examples,coverage,fuzzing,stateful',
      '--max-examples',
      String(maxExamples),
      '--seed',
      String(seed),
      '--workers',
      '1',
      '--no-color',
      '--report',
      'ndjson',
      '--report-dir',
      reportDir,
    ];
    const env = {
      PATH: process.env.PATH,
      // An empty home: no settings of the machine's user are read, and hypothesis keeps its
      // example database out of the work tree.
      HOME: reportDir,
      SCHEMATHESIS_HOOKS: 'hooks',
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONPATH: fuzzDir,
      SHOP_FUZZ_TOKENS: JSON.stringify({ 'catalog-admin': admin, 'inventory-staff': staff }),
      // For each group, valid tokens of local users outside it, which must get a 403.
      SHOP_FUZZ_OUTSIDERS: JSON.stringify({ 'catalog-admin': [staff, shopper], 'inventory-staff': [shopper] }),
      SHOP_FUZZ_PRODUCT_ID: productId,
    };
    const result = await run(st, args, { env, cwd: reportDir, timeout: 7 * 60_000, maxBuffer: 64 * 1024 * 1024 }).then(
      ({ stdout }) => ({ exitCode: 0, stdout }),
      (error: { code?: number | string; stdout?: string; stderr?: string }) => {
        if (error.code === 'ENOENT') throw new Error('test/.venv has no schemathesis; `npm install` makes it');
        return { exitCode: error.code, stdout: `${error.stdout ?? ''}\n${error.stderr ?? ''}` };
      },
    );
    const [report] = (await readdir(reportDir)).filter((file) => file.endsWith('.ndjson'));
    t.truthy(report, `schemathesis wrote no report:\n${result.stdout}`);
    const summary = summarise(report ? await readFile(join(reportDir, report), 'utf8') : '');

    t.log(
      `schemathesis ran ${summary.cases} cases (${Object.entries(summary.phases)
        .map(([phase, cases]) => `${phase} ${cases}`)
        .join(', ')}) in ${Math.round((Date.now() - started) / 1000)} s, seed ${seed}`,
    );
    t.log(`answers by status: ${JSON.stringify(summary.statuses)}`);
    t.deepEqual(summary.failedChecks, [], result.stdout);
    t.is(result.exitCode, 0, result.stdout);
    // Every phase ran, and the operations were reached, not only refused.
    t.deepEqual(Object.keys(summary.phases).sort(), ['coverage', 'examples', 'fuzzing', 'stateful']);
    for (const status of ['200', '201', '204', '401', '404', '422']) {
      t.true((summary.statuses[status] ?? 0) > 0, `some answers were ${status}`);
    }
    // The auth checks ran: without a token or with a forged one (ignored_auth), and with a valid
    // token outside the group (group_is_enforced, in hooks.py).
    for (const check of ['ignored_auth', 'group_is_enforced', 'response_schema_conformance', 'use_after_free']) {
      t.true((summary.checks[check] ?? 0) > 0, `${check} ran`);
    }
  } finally {
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(reportDir, { recursive: true, force: true });
  }
});
