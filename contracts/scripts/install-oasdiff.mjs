#!/usr/bin/env node
// Builds oasdiff (the OpenAPI breaking-change checker) from the Go module proxy into
// contracts/.tools/bin, for the contract compatibility test. Runs as part of the root
// `postinstall`. Idempotent: skipped when that version is already built. Needs Go; installs
// Debian's golang-go when it is missing and we are root (GOTOOLCHAIN=auto then fetches the Go
// release oasdiff asks for, from the same proxy).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const oasdiff = 'github.com/oasdiff/oasdiff@v1.39.0';
const tools = join(dirname(fileURLToPath(import.meta.url)), '..', '.tools');
const bin = join(tools, 'bin');
const stamp = join(tools, '.installed');

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`install: "${command} ${args.join(' ')}" failed (exit ${result.status})`);
    process.exit(1);
  }
}

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === oasdiff && existsSync(join(bin, 'oasdiff'))) {
  console.log('install: oasdiff is up to date (contracts/.tools)');
} else {
  if (!has('go')) {
    if (process.getuid?.() !== 0 || !has('apt-get')) {
      console.error('install: the contract compatibility check needs Go (go on PATH) to build oasdiff');
      process.exit(1);
    }
    console.log('install: installing Go with apt-get');
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'golang-go']);
  }
  console.log(`install: building ${oasdiff} from the Go module proxy`);
  mkdirSync(bin, { recursive: true });
  run('go', ['install', oasdiff], { ...process.env, GOBIN: bin, GOTOOLCHAIN: 'auto', GOFLAGS: '-mod=mod' });
  writeFileSync(stamp, oasdiff);
}
