#!/usr/bin/env node
// Installs what `npm start` and `npm test` need from outside npm, into git-ignored folders of
// the project: a Python venv with moto server. Runs as the root `postinstall`, so a fresh
// `npm install` is the only setup step. Idempotent: a finished install is detected and skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const venv = join(root, '.venv');
const requirements = join(root, 'deploy', 'local', 'requirements.txt');
const stamp = join(venv, '.installed-requirements');

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    console.error(`install: "${command} ${args.join(' ')}" failed (exit ${result.status})`);
    process.exit(1);
  }
}

function installMoto() {
  const wanted = readFileSync(requirements, 'utf8');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) {
    console.log('install: moto server venv is up to date (.venv)');
    return;
  }
  console.log('install: creating the Python venv for moto server in .venv');
  rmSync(venv, { recursive: true, force: true });
  const python = process.env.PYTHON ?? 'python3';
  run(python, ['-m', 'venv', venv]);
  const pip = join(venv, 'bin', 'pip');
  run(pip, ['install', '--quiet', '--disable-pip-version-check', '-r', requirements]);
  writeFileSync(stamp, wanted);
}

installMoto();
