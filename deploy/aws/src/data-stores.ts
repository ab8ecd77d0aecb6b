import { tableDefinition, tableKeys } from '@shop/platform';
import {
  Aws,
  Duration,
  aws_dynamodb as dynamodb,
  aws_iam as iam,
  aws_kinesis as kinesis,
  aws_kms as kms,
  RemovalPolicy,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { DataStoreRefs } from './contracts.js';
import type { EnvironmentSettings } from './environments.js';

// The SDK's CreateTable shapes, named through tableDefinition so this workspace needs no SDK dependency.
type TableDefinition = ReturnType<typeof tableDefinition>;
type AttributeDefinition = NonNullable<TableDefinition['AttributeDefinitions']>[number];
type KeySchemaElement = NonNullable<TableDefinition['KeySchema']>[number];
type Projection = NonNullable<NonNullable<TableDefinition['GlobalSecondaryIndexes']>[number]['Projection']>;

export interface DataStoresProps {
  settings: EnvironmentSettings;
}

/** The table name the services are configured with (`TABLE_NAME`). */
export const tableName = 'shop';
export const streamName = 'shop-events';
export const alertsTopicName = 'low-stock-alerts';

/**
 * The shared table, the event stream and the low-stock alert topic, all encrypted with one
 * customer-managed key, which also encrypts the stack's log groups. The table's keys and indexes come from `tableDefinition` in
 * `@shop/platform`, the same definition the local stack creates its table from, so the two
 * cannot drift apart.
 */
export class DataStores extends Construct implements DataStoreRefs {
  readonly key: kms.Key;
  readonly table: dynamodb.Table;
  readonly stream: kinesis.Stream;
  readonly alertsTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: DataStoresProps) {
    super(scope, id);
    const { settings } = props;
    const removalPolicy = settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new kms.Key(this, 'Key', {
      description: `shop-platform ${settings.name}: table, event stream, topics, audit trail and log groups`,
      enableKeyRotation: true,
      removalPolicy,
    });
    // CloudWatch Logs encrypts each log group under an encryption context naming the group: the
    // statement as AWS documents it, held to this account's log groups in this region. Whoever
    // writes or reads the logs needs no grant of their own; the service uses the key for them.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogs',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
          },
        },
      }),
    );

    const definition = tableDefinition(tableName);
    const attributes = definition.AttributeDefinitions ?? [];
    const keySchema = definition.KeySchema ?? [];
    this.table = new dynamodb.Table(this, 'Table', {
      tableName,
      partitionKey: keyAttribute(keySchema, 'HASH', attributes, tableName),
      sortKey: keyAttribute(keySchema, 'RANGE', attributes, tableName),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      deletionProtection: settings.retainData,
      timeToLiveAttribute: tableKeys.ttlAttribute,
      removalPolicy,
    });
    for (const index of definition.GlobalSecondaryIndexes ?? []) {
      const indexName = required(index.IndexName, 'a global secondary index without a name');
      const indexKeys = index.KeySchema ?? [];
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: keyAttribute(indexKeys, 'HASH', attributes, indexName),
        sortKey: keyAttribute(indexKeys, 'RANGE', attributes, indexName),
        ...projectionOf(index.Projection),
      });
    }

    this.stream = new kinesis.Stream(this, 'Events', {
      streamName,
      streamMode: kinesis.StreamMode.ON_DEMAND,
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: this.key,
      retentionPeriod: settings.name === 'prod' ? Duration.days(7) : Duration.hours(24),
      removalPolicy,
    });

    this.alertsTopic = new sns.Topic(this, 'LowStockAlerts', {
      topicName: alertsTopicName,
      displayName: 'Low-stock alerts to suppliers',
      masterKey: this.key,
      enforceSSL: true,
    });
  }
}

function required<T>(value: T | undefined, problem: string): T {
  if (value === undefined) throw new Error(`tableDefinition has ${problem}`);
  return value;
}

function keyAttribute(
  keySchema: KeySchemaElement[],
  keyType: 'HASH' | 'RANGE',
  attributes: AttributeDefinition[],
  owner: string,
): dynamodb.Attribute {
  const name = required(
    keySchema.find((element) => element.KeyType === keyType)?.AttributeName,
    `no ${keyType} key in ${owner}`,
  );
  const type = required(
    attributes.find((attribute) => attribute.AttributeName === name)?.AttributeType,
    `no attribute definition for ${name}`,
  );
  // ScalarAttributeType and dynamodb.AttributeType share their values: 'S', 'N', 'B'.
  return { name, type: type as dynamodb.AttributeType };
}

function projectionOf(
  projection: Projection | undefined,
): Pick<dynamodb.GlobalSecondaryIndexProps, 'projectionType' | 'nonKeyAttributes'> {
  switch (projection?.ProjectionType) {
    case undefined:
    case 'ALL':
      return { projectionType: dynamodb.ProjectionType.ALL };
    case 'KEYS_ONLY':
      return { projectionType: dynamodb.ProjectionType.KEYS_ONLY };
    case 'INCLUDE':
      return { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: projection.NonKeyAttributes ?? [] };
    default:
      throw new Error(`tableDefinition has an unknown projection type ${String(projection?.ProjectionType)}`);
  }
}
