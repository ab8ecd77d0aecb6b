import { commonConfig, defineConfig, port } from '@shop/platform';
import Joi from 'joi';

const listenPort = (env: string, what: string, fallback: number) => ({
  env,
  doc: `Port ${what} listens on (127.0.0.1)`,
  schema: port().min(1),
  default: fallback,
});

/** What `npm start` reads from the environment; every key has a default. */
export const localStackConfig = defineConfig({
  gatewayPort: listenPort('GATEWAY_PORT', 'the gateway (API and web, like the ALB)', 8080),
  catalogPort: listenPort('CATALOG_PORT', 'the catalog service', 3001),
  inventoryPort: listenPort('INVENTORY_PORT', 'the inventory service', 3002),
  catalogMetricsPort: listenPort('CATALOG_METRICS_PORT', "the catalog service's /metrics", 9101),
  inventoryMetricsPort: listenPort('INVENTORY_METRICS_PORT', "the inventory service's /metrics", 9102),
  analyticsMetricsPort: listenPort(
    'ANALYTICS_METRICS_PORT',
    "the first analytics worker's /metrics (the next ones count up)",
    9103,
  ),
  dynamoDbPort: listenPort('DYNAMODB_PORT', 'dynalite (DynamoDB)', 8000),
  kinesisPort: listenPort('KINESIS_PORT', 'kinesalite (Kinesis)', 4567),
  motoPort: listenPort('MOTO_PORT', 'moto server (CloudWatch, SNS, Cognito)', 5000),
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
