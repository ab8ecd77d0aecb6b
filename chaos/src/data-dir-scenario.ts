import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isListening } from '@shop/local-stack';
import { freePorts, startPlatform } from '../../test/e2e/local-platform.js';
import { resultWithoutLoad, type ScenarioResult } from './summary-table.js';

/** How long `npm start` may take to give up on a data directory it cannot use. */
const failWithinMs = 30_000;

function digest(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * `npm start` with a DATA_DIR it cannot write: the path lies under a regular file, so every mkdir
 * fails with ENOTDIR. (The run is as root here, and for root `chmod` does not stop writes; a path
 * under a file fails for every user.) It must exit non-zero soon with a message naming the cause
 * and the path, leave the file in the way untouched, and leave nothing running on its ports.
 */
export async function runUnwritableDataDir(): Promise<ScenarioResult> {
  const began = Date.now();
  const problems: string[] = [];
  const scratch = await mkdtemp(join(tmpdir(), 'shop-chaos-data-dir-'));
  try {
    const blocker = join(scratch, 'not-a-directory');
    const content = Buffer.from(`not a directory, written at ${new Date().toISOString()}\n`);
    await writeFile(blocker, content);
    const dataDir = join(blocker, 'data');
    const ports = await freePorts();
    let message = '';
    let startedAnyway = false;
    try {
      const platform = await startPlatform(ports, dataDir);
      startedAnyway = true;
      await platform.stop();
    } catch (error) {
      message = (error as Error).message;
    }
    const tookMs = Date.now() - began;
    if (startedAnyway) problems.push(`npm start became ready with DATA_DIR=${dataDir}`);
    else if (!/exited with [1-9]/.test(message)) problems.push(`npm start did not exit with an error: ${message}`);
    if (!startedAnyway && !(message.includes('ENOTDIR') && message.includes(dataDir))) {
      problems.push(`the error does not name the cause (ENOTDIR) and the path: ${message.slice(-400)}`);
    }
    if (tookMs > failWithinMs) problems.push(`it took ${tookMs} ms to fail`);
    if (digest(await readFile(blocker)) !== digest(content)) problems.push('the file in the way was changed');
    for (const [name, port] of Object.entries(ports)) {
      if (await isListening(port)) problems.push(`${name} ${port} still has a listener after the failed start`);
    }
    return resultWithoutLoad('unwritable-data-dir', Date.now() - began, problems);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
