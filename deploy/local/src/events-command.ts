// `npm run events -- <command>`: operations on the event stream and the outboxes.
//   replay --from <time> [--to <time>]   republish archived events of a time range (ids kept)
//   pending                              products whose events are not on the stream yet
// Against the local stack (ports from the environment, as `npm start` uses them) unless --aws is
// given, which uses the AWS configuration of the environment (AWS_REGION, TABLE_NAME, STREAM_NAME).
import { parseArgs } from 'node:util';
import {
  ConfigError,
  commonConfig,
  createDocumentClient,
  createDynamoDbClient,
  createKinesisClient,
  createLogger,
  KinesisEventPublisher,
  loadConfig,
  type OutboxOwner,
  OutboxRelay,
  replayEvents,
} from '@shop/platform';
import { localStackConfig } from './local-stack.config.js';

const usage = `usage: npm run events -- replay --from <ISO time> [--to <ISO time>] [--aws]
       npm run events -- pending [--aws]`;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

function parseTime(value: string | undefined, name: string, fallback?: Date): Date {
  if (value === undefined) {
    if (fallback) return fallback;
    fail(`--${name} is required\n${usage}`);
  }
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) fail(`--${name} must be a time such as 2026-11-25T08:00:00Z (got "${value}")`);
  return time;
}

function settings(aws: boolean) {
  try {
    const common = loadConfig(commonConfig);
    if (aws) return common;
    const local = loadConfig(localStackConfig);
    return {
      ...common,
      dynamoDbEndpoint: common.dynamoDbEndpoint || `http://127.0.0.1:${local.dynamoDbPort}`,
      kinesisEndpoint: common.kinesisEndpoint || `http://127.0.0.1:${local.kinesisPort}`,
    };
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { from: { type: 'string' }, to: { type: 'string' }, aws: { type: 'boolean', default: false } },
  });
  const command = positionals[0];
  if (command !== 'replay' && command !== 'pending') fail(usage);
  const config = settings(values.aws);
  const dynamoDb = createDynamoDbClient({ region: config.region, endpoint: config.dynamoDbEndpoint });
  const documentClient = createDocumentClient(dynamoDb);
  const logger = createLogger({ name: 'events', level: 'warn', fd: 2 });
  try {
    if (command === 'pending') {
      for (const owner of ['catalog', 'inventory'] as OutboxOwner[]) {
        const relay = new OutboxRelay({
          documentClient,
          tableName: config.tableName,
          owner,
          flush: async () => {},
          logger,
        });
        const products = await relay.pendingProducts(0);
        console.log(
          `${owner}: ${products.length} product(s) with unpublished events${products.length ? `: ${products.slice(0, 20).join(', ')}` : ''}`,
        );
      }
      return;
    }
    const from = parseTime(values.from, 'from');
    const to = parseTime(values.to, 'to', new Date());
    if (to < from) fail('--to is before --from');
    const kinesis = createKinesisClient({ region: config.region, endpoint: config.kinesisEndpoint });
    try {
      const publisher = new KinesisEventPublisher({ client: kinesis, streamName: config.streamName, logger });
      const started = Date.now();
      const result = await replayEvents({ documentClient, tableName: config.tableName, publisher, from, to });
      console.log(
        `replayed ${result.events} event(s) of ${result.products} product(s) from ${from.toISOString()} to ${to.toISOString()} onto ${config.streamName} in ${Date.now() - started} ms`,
      );
    } finally {
      kinesis.destroy();
    }
  } finally {
    dynamoDb.destroy();
  }
}

main().catch((error: unknown) => fail(`events: ${(error as Error).message}`));
