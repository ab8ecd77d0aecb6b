#!/usr/bin/env node
// Resolves the KCL MultiLangDaemon's jars from Maven Central into services/analytics/.kcl-jars,
// from the `aws-kcl` package's own pom.xml, so the daemon never downloads anything at run time.
// Runs as part of the root `postinstall`. Idempotent: skipped when the pom has not changed.
// Needs Java 17+ and Maven; installs them with apt-get when they are missing and we are root.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const analytics = join(dirname(fileURLToPath(import.meta.url)), '..');
const jars = join(analytics, '.kcl-jars');
const stamp = join(jars, '.installed-pom');
const require = createRequire(import.meta.url);
const pomPath = join(dirname(require.resolve('aws-kcl/package.json')), 'pom.xml');

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: analytics });
  if (result.status !== 0) {
    console.error(`install: "${command} ${args.join(' ')}" failed (exit ${result.status})`);
    process.exit(1);
  }
}

function ensureJavaAndMaven() {
  if (has('java') && has('mvn')) return;
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    console.error('install: the analytics workers need Java 17+ and Maven (java, mvn on PATH)');
    process.exit(1);
  }
  console.log('install: installing Java 17 and Maven with apt-get');
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'openjdk-17-jre-headless', 'maven']);
}

const pom = readFileSync(pomPath, 'utf8');
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === pom) {
  console.log('install: KCL jars are up to date (services/analytics/.kcl-jars)');
} else {
  ensureJavaAndMaven();
  console.log('install: resolving the KCL MultiLangDaemon jars from Maven Central');
  rmSync(jars, { recursive: true, force: true });
  mkdirSync(jars, { recursive: true });
  // The package's pom names no project coordinates of its own; Maven needs some to read it.
  const readable = pom.replace(
    '<modelVersion>4.0.0</modelVersion>',
    '<modelVersion>4.0.0</modelVersion><groupId>shop.analytics</groupId><artifactId>kcl-daemon-jars</artifactId><version>1</version><packaging>pom</packaging>',
  );
  const patched = join(jars, 'pom.xml');
  writeFileSync(patched, readable);
  // The pom lists every jar the daemon needs (its own dependency closure), as the package's
  // kcl-bootstrap expects; transitive resolution would add ~60 more that nothing loads.
  run('mvn', [
    '-q',
    '-B',
    '-f',
    patched,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${jars}`,
    '-DexcludeTransitive=true',
  ]);
  rmSync(patched);
  writeFileSync(stamp, pom);
}
