import { nodeBinaryPackages, pinnedNodeVersion } from '@shop/platform';
import { aws_ec2 as ec2 } from 'aws-cdk-lib';

export interface BundledNode {
  /** The registry package `npm ci` installs the binary from (`node_modules/.bin/node`). */
  packageName: string;
  /** The exact version pinned, without the `v` that `node --version` prints. */
  version: string;
}

/** The Node.js binary the app bundle brings for an architecture, as the root package.json pins it. */
export function bundledNode(architecture: ec2.InstanceArchitecture): BundledNode {
  const packageName =
    architecture === ec2.InstanceArchitecture.ARM_64 ? nodeBinaryPackages.arm64 : nodeBinaryPackages.x64;
  return { packageName, version: pinnedNodeVersion() };
}

/** The one CPU architecture of a list of instance types; a fleet cannot mix them (one image, one binary). */
export function architectureOf(instanceTypes: readonly string[]): ec2.InstanceArchitecture {
  const architectures = new Set(instanceTypes.map((type) => new ec2.InstanceType(type).architecture));
  const [architecture] = architectures;
  if (architectures.size !== 1 || architecture === undefined) {
    throw new Error(`the instance types ${instanceTypes.join(', ')} must share one CPU architecture`);
  }
  return architecture;
}
