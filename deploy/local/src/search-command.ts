// `npm run search -- <command>`: operations on the storefront's product index.
//   reindex   rebuild the index from the table into a new generation behind the alias (no downtime)
//   check     compare index and table: products missing, stale or extra in the index (exit 1 if any)
// Against the local stack (ports from the environment, as `npm start` uses them) unless --aws is
// given, which uses the AWS configuration of the environment (AWS_REGION, TABLE_NAME,
// SEARCH_ENDPOINT, SEARCH_SIGNING=sigv4, SEARCH_INDEX).
import { parseArgs } from 'node:util';
import { ConfigError, commonConfig, createDocumentClient, createDynamoDbClient, loadConfig } from '@shop/platform';
import {
  CatalogTableReader,
  type CheckReport,
  createSearchClient,
  ProductIndexRebuild,
  ProductSearchRepository,
  searchConfig,
} from '@shop/product-index';
import { localStackConfig } from './local-stack.config.js';

const usage = 'usage: npm run search -- reindex|check [--aws]';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

function settings(aws: boolean) {
  try {
    const common = loadConfig(commonConfig);
    const search = loadConfig(searchConfig);
    if (aws) {
      if (!search.searchEndpoint) fail('--aws needs SEARCH_ENDPOINT (the domain endpoint, https://…)');
      return { ...common, ...search };
    }
    const local = loadConfig(localStackConfig);
    return {
      ...common,
      ...search,
      dynamoDbEndpoint: common.dynamoDbEndpoint || `http://127.0.0.1:${local.dynamoDbPort}`,
      searchEndpoint: search.searchEndpoint || `http://127.0.0.1:${local.searchPort}`,
    };
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

const listed = (ids: string[]) =>
  ids.length > 0 ? `: ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ', …' : ''}` : '';

function printCheck(report: CheckReport): boolean {
  console.log(`${report.products} product(s) in the table, ${report.documents} document(s) in the index`);
  console.log(`missing ${report.missing.length}${listed(report.missing)}`);
  console.log(`stale ${report.stale.length}${listed(report.stale)}`);
  console.log(`extra ${report.extra.length}${listed(report.extra)}`);
  return report.missing.length + report.stale.length + report.extra.length === 0;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { aws: { type: 'boolean', default: false } },
  });
  const command = positionals[0];
  if (command !== 'reindex' && command !== 'check') fail(usage);
  const config = settings(values.aws);
  const dynamoDb = createDynamoDbClient({ region: config.region, endpoint: config.dynamoDbEndpoint });
  const client = createSearchClient({
    endpoint: config.searchEndpoint,
    timeoutMs: 60_000,
    signing: config.searchSigning,
    region: config.region,
  });
  const rebuild = new ProductIndexRebuild({
    repository: new ProductSearchRepository({ client, alias: config.searchIndex, replicas: config.searchReplicas }),
    table: new CatalogTableReader({ documentClient: createDocumentClient(dynamoDb), tableName: config.tableName }),
    progress: (line) => console.log(line),
  });
  try {
    const started = Date.now();
    if (command === 'reindex') {
      const report = await rebuild.reindex();
      console.log(
        `reindexed ${report.products} product(s) into ${report.index} (${report.tombstones} deletion(s) kept) in ${Date.now() - started} ms`,
      );
      return;
    }
    if (!printCheck(await rebuild.check())) process.exitCode = 1;
  } finally {
    dynamoDb.destroy();
    await client.close();
  }
}

main().catch((error: unknown) => fail(`search: ${(error as Error).message}`));
