import { commonConfig, defineConfig, port } from '@shop/platform';
import { analyticsWorker, httpServices, searchIndexer } from '@shop/topology';
import Joi from 'joi';

const listenPort = (env: string, what: string, fallback: number) => ({
  env,
  doc: `Port ${what} listens on (127.0.0.1)`,
  schema: port().min(1),
  default: fallback,
});

const { catalog, inventory } = httpServices;

/** What `npm start` reads from the environment; every key has a default. */
export const localStackConfig = defineConfig({
  gatewayPort: listenPort('GATEWAY_PORT', 'the gateway (API and web, like the ALB)', 8080),
  catalogPort: listenPort(catalog.port.env, 'the catalog service', catalog.port.default),
  inventoryPort: listenPort(inventory.port.env, 'the inventory service', inventory.port.default),
  catalogMetricsPort: listenPort(
    catalog.metricsPort.localEnv,
    "the catalog service's /metrics",
    catalog.metricsPort.default,
  ),
  inventoryMetricsPort: listenPort(
    inventory.metricsPort.localEnv,
    "the inventory service's /metrics",
    inventory.metricsPort.default,
  ),
  analyticsMetricsPort: listenPort(
    analyticsWorker.metricsPort.localEnv,
    "the first analytics worker's /metrics (the next ones count up)",
    analyticsWorker.metricsPort.default,
  ),
  searchIndexerMetricsPort: listenPort(
    searchIndexer.metricsPort.localEnv,
    "the first search indexer's /metrics (the next ones count up)",
    searchIndexer.metricsPort.default,
  ),
  dynamoDbPort: listenPort('DYNAMODB_PORT', 'dynalite (DynamoDB)', 8000),
  kinesisPort: listenPort('KINESIS_PORT', 'kinesalite (Kinesis)', 4567),
  motoPort: listenPort('MOTO_PORT', 'moto server (CloudWatch, SNS, Cognito)', 5000),
  searchPort: listenPort('SEARCH_PORT', 'the OpenSearch node (HTTP API)', 9200),
  searchTransportPort: listenPort('SEARCH_TRANSPORT_PORT', "the OpenSearch node's transport", 9300),
  searchHeap: {
    env: 'SEARCH_HEAP',
    doc: 'Maximum JVM heap of the OpenSearch node, e.g. 512m or 1g (it starts at 256m, or at this if smaller)',
    schema: Joi.string().pattern(/^[1-9]\d*[mg]$/),
    default: '512m',
  },
  dataDir: {
    env: 'DATA_DIR',
    doc: 'Directory for all local state and logs; relative paths start at the repository root',
    schema: Joi.string(),
    default: '.data',
  },
  analyticsWorkers: {
    env: 'ANALYTICS_WORKERS',
    doc: 'Analytics workers (KCL daemons) to run; they share the stream shards through leases',
    schema: Joi.number().integer().min(0).max(8),
    default: 1,
  },
  searchIndexers: {
    env: 'SEARCH_INDEXERS',
    doc: 'Search indexers (KCL daemons of the application shop-search-indexer) to run; they keep the product index up to date from the stream',
    schema: Joi.number().integer().min(0).max(8),
    default: 1,
  },
  contractCheck: {
    env: 'CONTRACT_CHECK',
    doc: 'Check every answer the gateway passes on against the OpenAPI contract and print each violation (the tests turn it on)',
    schema: Joi.boolean(),
    default: false,
  },
  region: commonConfig.region,
  tableName: commonConfig.tableName,
  streamName: commonConfig.streamName,
  logLevel: commonConfig.logLevel,
});
