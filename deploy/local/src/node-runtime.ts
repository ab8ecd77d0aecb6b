import { pinnedNodeVersion } from '@shop/platform';

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
