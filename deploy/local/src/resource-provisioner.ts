import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig, tableDefinition, tableKeys } from '@shop/platform';
import { createSearchClient, ProductSearchRepository } from '@shop/product-index';

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
  if (!created) await addMissingIndexes(client, tableName);
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

// A table made by an older version may lack indexes added since. DynamoDB adds them online;
// dynalite cannot, and then the message says how to start afresh.
async function addMissingIndexes(client: DynamoDBClient, tableName: string): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const wanted = tableDefinition(tableName);
  const missing = (wanted.GlobalSecondaryIndexes ?? []).filter((index) => !present.has(index.IndexName));
  for (const index of missing) {
    const attributes = new Set(index.KeySchema?.map((key) => key.AttributeName));
    try {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: wanted.AttributeDefinitions?.filter((definition) =>
            attributes.has(definition.AttributeName),
          ),
          GlobalSecondaryIndexUpdates: [{ Create: index }],
        }),
      );
    } catch (error) {
      throw new Error(
        `table ${tableName} lacks the index ${index.IndexName} and it could not be added ` +
          `(${(error as Error).message}); it was made by an older version: remove its data directory to start afresh`,
        { cause: error },
      );
    }
  }
  const { Table: updated } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const stillMissing = missing.filter(
    (index) => !(updated?.GlobalSecondaryIndexes ?? []).some((present) => present.IndexName === index.IndexName),
  );
  if (stillMissing.length > 0) {
    throw new Error(
      `table ${tableName} lacks the indexes ${stillMissing.map((index) => index.IndexName).join(', ')}, which this ` +
        'stand-in cannot add to an existing table; it was made by an older version: remove its data directory to start afresh',
    );
  }
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

/**
 * Makes the product index behind `alias` (a first generation) unless the alias points at one, and
 * waits until its shards are allocated, so searches are answered from the first request. In AWS the
 * search indexer makes it; locally the stack provisions it with the table and the stream.
 */
export async function ensureProductIndex(endpoint: string, alias: string): Promise<string> {
  const client = createSearchClient({ endpoint, timeoutMs: 60_000 });
  try {
    const repository = new ProductSearchRepository({ client, alias });
    await repository.ensureIndex();
    await client.cluster.health(
      { index: alias, wait_for_status: 'yellow', timeout: '60s' },
      { requestTimeout: 70_000 },
    );
    return `product index ${alias} (${(await repository.indicesOfAlias()).join(', ')})`;
  } finally {
    await client.close();
  }
}

/** The local upload and media buckets in moto (what CDK makes in AWS). */
export const localMediaBuckets = { upload: 'shop-uploads', media: 'shop-media' } as const;

/** Creates the upload and media buckets in moto's S3 if they are missing. */
export async function ensureMediaBuckets(endpoint: string, region: string): Promise<string> {
  const s3 = new S3Client({ ...awsClientConfig({ region, endpoint }), forcePathStyle: true });
  try {
    for (const Bucket of Object.values(localMediaBuckets)) {
      await s3.send(new CreateBucketCommand({ Bucket })).catch((error: unknown) => {
        const name = (error as { name?: string }).name;
        if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
      });
    }
    return `buckets ${Object.values(localMediaBuckets).join(', ')}`;
  } finally {
    s3.destroy();
  }
}
