import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { tableDefinition, tableKeys } from '@shop/platform';

// Stand-ins finish creating in milliseconds; the SDK defaults (20 s between polls) suit AWS.
const waiterTimings = { minDelay: 0.1, maxDelay: 1, maxWaitTime: 30 };

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

// Looks before creating, so a restart does not log a failed create in the stand-in; a create
// that loses a race with another starter still counts as "exists".
async function createUnlessExists(describe: () => Promise<unknown>, create: () => Promise<unknown>): Promise<boolean> {
  try {
    await describe();
    return false;
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw error;
  }
  try {
    await create();
    return true;
  } catch (error) {
    if (errorName(error) !== 'ResourceInUseException') throw error;
    return false;
  }
}

export interface TableProvisioning {
  created: boolean;
  /** 'enabled', or 'unsupported' when the endpoint has no UpdateTimeToLive (dynalite). */
  ttl: 'enabled' | 'unsupported';
}

/** Creates the shared table unless it exists, waits until it is ACTIVE and enables TTL where possible. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<TableProvisioning> {
  const created = await createUnlessExists(
    () => client.send(new DescribeTableCommand({ TableName: tableName })),
    () => client.send(new CreateTableCommand(tableDefinition(tableName))),
  );
  await waitUntilTableExists({ client, ...waiterTimings }, { TableName: tableName });
  let ttl: TableProvisioning['ttl'] = 'enabled';
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: tableKeys.ttlAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    if (errorName(error) === 'UnknownOperationException') {
      ttl = 'unsupported';
    } else if (!(errorName(error) === 'ValidationException' && /already enabled/i.test(String(error)))) {
      throw error;
    }
  }
  return { created, ttl };
}

/** Creates the event stream unless it exists and waits until it is ACTIVE. */
export async function ensureStream(
  client: KinesisClient,
  streamName: string,
  shardCount: number,
): Promise<{ created: boolean }> {
  const created = await createUnlessExists(
    () => client.send(new DescribeStreamSummaryCommand({ StreamName: streamName })),
    () =>
      client.send(
        new CreateStreamCommand({
          StreamName: streamName,
          ShardCount: shardCount,
          StreamModeDetails: { StreamMode: 'PROVISIONED' },
        }),
      ),
  );
  await waitUntilStreamExists({ client, ...waiterTimings }, { StreamName: streamName });
  return { created };
}
