import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { analyticsWorker, httpServiceSpecs, searchIndexer } from '../src/index.js';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const processes = [...httpServiceSpecs, analyticsWorker, searchIndexer];

test('when a process is started from its spec, then its entry point exists in the repository', (t) => {
  for (const spec of processes) t.true(existsSync(`${repositoryRoot}${spec.entryPoint}`), spec.entryPoint);
});

test('when every process runs on one host with the default ports, then no two ports or variables collide', (t) => {
  const ports = [
    ...httpServiceSpecs.map((spec) => spec.port.default),
    ...processes.map((spec) => spec.metricsPort.default),
  ];
  t.is(new Set(ports).size, ports.length, ports.join(', '));
  const variables = [
    ...httpServiceSpecs.map((spec) => spec.port.env),
    ...processes.map((spec) => spec.metricsPort.localEnv),
  ];
  t.is(new Set(variables).size, variables.length, variables.join(', '));
});
