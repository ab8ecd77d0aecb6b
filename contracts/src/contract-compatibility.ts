import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OpenApiDocument } from './api-document.js';

const run = promisify(execFile);

/** The oasdiff binary `npm install` builds (contracts/scripts/install-oasdiff.mjs). */
export const oasdiffPath = new URL('../.tools/bin/oasdiff', import.meta.url).pathname;

/** The contract as last released; `npm run release -w @shop/contracts` replaces it. */
export const releasedContractUrl = new URL('../released/shop-api.json', import.meta.url);

/** One change oasdiff judges to break clients of the earlier document. */
export interface BreakingChange {
  id: string;
  text: string;
  /** 3 = error (breaks clients), 2 = warning (may break them). */
  level: number;
  operation?: string;
  path?: string;
}

/** The released contract. */
export async function releasedContract(): Promise<OpenApiDocument> {
  return JSON.parse(await readFile(releasedContractUrl, 'utf8')) as OpenApiDocument;
}

/** The changes from `base` to `revision` that break or may break a client of `base`, by oasdiff. */
export async function breakingChanges(base: object, revision: object): Promise<BreakingChange[]> {
  const folder = await mkdtemp(join(tmpdir(), 'shop-contract-diff-'));
  try {
    const basePath = join(folder, 'base.json');
    const revisionPath = join(folder, 'revision.json');
    await writeFile(basePath, JSON.stringify(base));
    await writeFile(revisionPath, JSON.stringify(revision));
    const { stdout } = await run(
      oasdiffPath,
      ['breaking', basePath, revisionPath, '--format', 'json', '--flatten-allof'],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const changes = JSON.parse(stdout || '[]') as BreakingChange[];
    return changes.filter((change) => change.level >= 2);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** The major of a semantic version (`1.4.0` → 1). */
export function majorVersion(version: unknown): number {
  return Number(String(version).split('.')[0]);
}
