import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { apiDocument, contractFiles, readContract } from '../src/index.js';

const run = promisify(execFile);

/** Every `$ref` in a document. */
function references(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(references);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === '$ref' && typeof item === 'string' ? [item] : references(item),
  );
}

function resolvePointer(document: unknown, pointer: string): unknown {
  return pointer
    .replace(/^#\//, '')
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], document);
}

test('when the contract files are merged, then the document holds every path of each and refers only to itself', (t) => {
  const document = apiDocument();
  for (const file of contractFiles) {
    for (const path of Object.keys(readContract(file).paths)) t.truthy(document.paths[path], `${file}: ${path}`);
  }
  const refs = references(document);
  t.true(refs.length > 0);
  t.deepEqual(
    refs.filter((ref) => !ref.startsWith('#/')),
    [],
    'no reference leads out of the document',
  );
  t.deepEqual(
    refs.filter((ref) => resolvePointer(document, ref) === undefined),
    [],
    'every reference resolves',
  );
  t.is(document.openapi, '3.1.0');
  t.is(document.info.title, 'Shop platform API');
});

test('when the merged document is linted with Redocly, then it has no error and no warning', async (t) => {
  const folder = await mkdtemp(join(tmpdir(), 'shop-openapi-'));
  try {
    const file = join(folder, 'openapi.json');
    await writeFile(file, JSON.stringify(apiDocument()));
    const { stdout } = await run('redocly', ['lint', file, '--extends', 'recommended', '--format', 'json'], {
      cwd: folder,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
    t.deepEqual(report.totals, { ...report.totals, errors: 0, warnings: 0 }, JSON.stringify(report.problems, null, 2));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
