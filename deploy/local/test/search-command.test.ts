// `npm run search -- check|reindex` as an operator runs it, against a real node and dynalite.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  createDocumentClient,
  createDynamoDbClient,
  fromMinorUnits,
  itemKeys,
  newId,
  type ProductRecord,
  productToItem,
} from '@shop/platform';
import { createSearchClient, ProductSearchRepository } from '@shop/product-index';
import test from 'ava';
import { type StandIns, startStandIns } from '../src/index.js';

const run = promisify(execFile);
const command = fileURLToPath(new URL('../src/search-command.ts', import.meta.url));

let dataDir = '';
let standIns: StandIns;

test.before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'search-command-test-'));
  standIns = await startStandIns({ dataDir, search: true });
});

test.after.always(async () => {
  await standIns?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function search(args: string[], alias: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', command, ...args], {
      env: {
        ...process.env,
        AWS_REGION: standIns.region,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        DYNAMODB_ENDPOINT: standIns.dynamoDbEndpoint,
        SEARCH_ENDPOINT: standIns.searchEndpoint,
        TABLE_NAME: standIns.tableName,
        SEARCH_INDEX: alias,
      },
      timeout: 120_000,
    });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

function product(name: string, version: number): ProductRecord {
  const id = newId();
  return {
    id,
    name,
    description: `${name}, as sold`,
    priceMinor: 4500,
    currency: 'USD',
    sku: `SKU-${id}`,
    category: `search-command-${version}`,
    version,
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
  };
}

const viewOf = ({ priceMinor, ...record }: ProductRecord) => ({
  ...record,
  price: fromMinorUnits(priceMinor, record.currency),
});

test('when the index has drifted from the table, then check names what is missing, stale and extra; reindex rebuilds it behind the alias, keeps deletions and check is clean', async (t) => {
  t.timeout(240_000);
  const alias = `products-command-${Date.now()}`;
  const documentClient = createDocumentClient(
    createDynamoDbClient({ region: standIns.region, endpoint: standIns.dynamoDbEndpoint }),
  );
  const index = new ProductSearchRepository({
    client: createSearchClient({ endpoint: standIns.searchEndpoint as string, timeoutMs: 30_000 }),
    alias,
  });
  t.teardown(() => documentClient.destroy());

  // The table: a product the index holds at an older version, one it lacks, one it lacks with stock.
  const updated = product('Trail runner', 2);
  const unindexed = product('Rain shell', 1);
  const stocked = product('Head torch', 1);
  for (const record of [updated, unindexed, stocked]) {
    await documentClient.send(new PutCommand({ TableName: standIns.tableName, Item: productToItem(record) }));
  }
  await documentClient.send(
    new PutCommand({
      TableName: standIns.tableName,
      Item: { ...itemKeys.stock(stocked.id), productId: stocked.id, onHand: 5, reserved: 0, available: 5, version: 3 },
    }),
  );
  // The index: the older version, a deletion, and a product the table no longer has.
  const deletedId = newId();
  const gone = product('Old lantern', 1);
  await index.ensureIndex();
  await index.applyProduct(viewOf({ ...updated, version: 1, name: 'Trail walker' }));
  await index.applyDelete(deletedId, 4);
  await index.applyProduct(viewOf(gone));
  const [first] = await index.indicesOfAlias();

  const drifted = await search(['check'], alias);
  t.is(drifted.code, 1, drifted.output);
  t.regex(drifted.output, /3 product\(s\) in the table/);
  t.regex(drifted.output, new RegExp(`missing 2: (${unindexed.id}|${stocked.id}), (${unindexed.id}|${stocked.id})`));
  t.regex(drifted.output, new RegExp(`stale 1: ${updated.id}`));
  t.regex(drifted.output, new RegExp(`extra 1: ${gone.id}`));

  const rebuilt = await search(['reindex'], alias);
  t.is(rebuilt.code, 0, rebuilt.output);
  t.regex(rebuilt.output, /first pass: 3 product\(s\) written/);
  t.regex(rebuilt.output, new RegExp(`alias ${alias} now points at ${alias}-v\\d+`));
  t.regex(rebuilt.output, /reindexed 3 product\(s\) into .* \(1 deletion\(s\) kept\)/);
  const generations = await index.indicesOfAlias();
  t.is(generations.length, 1);
  t.not(generations[0], first, 'the alias moved to a new generation; the old one is removed');

  await index.refresh();
  const found = await index.search({ text: 'trail', sort: 'relevance', limit: 10 });
  t.deepEqual(
    found.hits.map(({ id, name, version }) => ({ id, name, version })),
    [{ id: updated.id, name: 'Trail runner', version: 2 }],
  );
  const torch = await index.search({ text: 'torch', sort: 'relevance', limit: 10 });
  t.is(torch.hits[0]?.available, 5);
  // The kept deletion still refuses a late update older than it.
  await index.applyProduct(viewOf({ ...product('Late lantern', 3), id: deletedId }));
  await index.refresh();
  t.is((await index.search({ text: 'lantern', sort: 'relevance', limit: 10 })).total, 0);

  const clean = await search(['check'], alias);
  t.is(clean.code, 0, clean.output);
  t.regex(clean.output, /missing 0\nstale 0\nextra 0/);
});

test('when the command is unknown, then it prints the usage and exits 1', async (t) => {
  const result = await search(['rebuild'], 'products');
  t.is(result.code, 1);
  t.regex(result.output, /usage: npm run search -- reindex\|check/);
});
