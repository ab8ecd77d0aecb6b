#!/usr/bin/env node
// Resolves the local OpenSearch node's jars from Maven Central into deploy/local/.opensearch/lib,
// from deploy/local/opensearch/pom.xml, and compiles the launcher (OpenSearchLauncher.java) beside
// them, so the node never downloads anything at run time. Runs as part of the root `postinstall`.
// Idempotent: skipped when neither the pom nor the launcher has changed.
// Needs Java 17 (a JDK: javac) and Maven; installs them with apt-get when they are missing and we are root.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const local = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = join(local, 'opensearch');
const pomPath = join(sources, 'pom.xml');
const launcherPath = join(sources, 'OpenSearchLauncher.java');
const lib = join(local, '.opensearch', 'lib');
const stamp = join(lib, '.installed-from');

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: local });
  if (result.status !== 0) {
    console.error(`install: "${command} ${args.join(' ')}" failed (exit ${result.status})`);
    process.exit(1);
  }
}

function ensureJdkAndMaven() {
  if (has('java') && has('javac') && has('mvn')) return;
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    console.error('install: the local OpenSearch node needs a Java 17+ JDK and Maven (java, javac, mvn on PATH)');
    process.exit(1);
  }
  console.log('install: installing Java 17 (JDK) and Maven with apt-get');
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'openjdk-17-jdk-headless', 'maven']);
}

// What the installed folder was made from: both inputs, so a change to either reinstalls.
const inputs = `${readFileSync(pomPath, 'utf8')}\n--- OpenSearchLauncher.java\n${readFileSync(launcherPath, 'utf8')}`;
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === inputs) {
  console.log('install: OpenSearch jars and launcher are up to date (deploy/local/.opensearch/lib)');
} else {
  ensureJdkAndMaven();
  console.log('install: resolving the OpenSearch node jars from Maven Central');
  rmSync(lib, { recursive: true, force: true });
  mkdirSync(lib, { recursive: true });
  run('mvn', [
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    pomPath,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${lib}`,
  ]);
  console.log('install: compiling the OpenSearch launcher');
  run('javac', ['--release', '17', '-cp', join(lib, '*'), '-d', lib, launcherPath]);
  writeFileSync(stamp, inputs);
}
