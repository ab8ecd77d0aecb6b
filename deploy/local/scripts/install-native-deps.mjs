#!/usr/bin/env node
// Installs what `npm start` and `npm test` need from outside npm, into git-ignored folders of
// the project: Python venvs for moto server, for the template linters and for the API fuzzer. Runs as the root
// `postinstall`, so a fresh `npm install` is the only setup step. Idempotent: a venv whose
// requirements have not changed since it was installed is left alone.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const venvs = [
  // moto server: the local stack's CloudWatch, SNS and Cognito.
  { what: 'moto server', venv: '.venv', requirements: 'deploy/local/requirements.txt' },
  // cfn-lint and checkov, which the deploy/aws tests run on the synthesized templates. A venv of
  // their own: checkov pins boto3 1.35, whose botocore lacks the JSON protocol of CloudWatch that
  // the SDK speaks, and moto on it answers every CloudWatch call with a 500.
  { what: 'cfn-lint and checkov', venv: 'deploy/aws/.venv', requirements: 'deploy/aws/requirements.txt' },
  // schemathesis, which the API fuzz test (test/e2e/api-fuzz.test.ts) runs against the local
  // stack. A venv of its own, as checkov has: it pins hypothesis, requests and friends, and
  // moto's venv is kept as moto needs it.
  { what: 'schemathesis', venv: 'test/.venv', requirements: 'test/schemathesis/requirements.txt' },
];

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    console.error(`install: "${command} ${args.join(' ')}" failed (exit ${result.status})`);
    process.exit(1);
  }
}

function installVenv({ what, venv, requirements }) {
  const venvPath = join(root, venv);
  const requirementsPath = join(root, requirements);
  const stamp = join(venvPath, '.installed-requirements');
  const wanted = readFileSync(requirementsPath, 'utf8');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) {
    console.log(`install: the ${what} venv is up to date (${venv})`);
    return;
  }
  console.log(`install: creating the Python venv for ${what} in ${venv}`);
  rmSync(venvPath, { recursive: true, force: true });
  const python = process.env.PYTHON ?? 'python3';
  run(python, ['-m', 'venv', venvPath]);
  run(join(venvPath, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', requirementsPath]);
  writeFileSync(stamp, wanted);
}

for (const venv of venvs) installVenv(venv);
