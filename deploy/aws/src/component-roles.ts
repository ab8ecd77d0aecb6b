import { analyticsNamespace } from '@shop/platform';
import { searchIndexer } from '@shop/topology';
import { aws_iam as iam, type aws_logs as logs, Stack, type aws_s3_assets as s3Assets } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { kclApplicationName } from './analytics-fleet.js';
import type { ComponentLogs } from './component-logs.js';
import { type ComponentName, componentTitle, type ServiceName } from './component-names.js';
import type { DataStoreRefs, MediaRefs, SearchRefs } from './contracts.js';
import { catalogMediaAccess } from './media-buckets.js';
import { catalogAccess, indexerAccess } from './search-domain.js';

export interface ComponentRolesProps {
  data: DataStoreRefs;
  /** The app bundle the instances download at boot. */
  bundle: s3Assets.Asset;
  /** The log groups each component's CloudWatch agent writes to. */
  logs: ComponentLogs;
  /** The search domain catalog reads and the search indexer writes. */
  search: Pick<SearchRefs, 'domainArn'>;
  /** The product media buckets, which catalog alone uses. */
  media: MediaRefs;
}

/**
 * The role of each component's instances (`<Title>Role` in `scope`), each least-privilege: the
 * services read and write the table and put events, inventory also reads the analytics metrics,
 * catalog searches the product index and handles the product images' objects; the analytics
 * workers read the stream, run the KCL's lease tables and publish alerts; the search indexer reads
 * the stream, runs its own lease tables and writes the product index.
 */
export function componentRoles(
  scope: Construct,
  props: ComponentRolesProps,
): Readonly<Record<ComponentName, iam.Role>> {
  const roles = {
    catalog: catalogRole(scope, props),
    inventory: inventoryRole(scope, props),
    analytics: analyticsRole(scope, props),
    'search-indexer': searchIndexerRole(scope, props),
  };
  for (const [name, role] of Object.entries(roles) as [ComponentName, iam.Role][]) {
    grantAgent(role, [props.logs.components[name], props.logs.metrics]);
  }
  return roles;
}

/** Statements every component needs: its launch bundle, the encryption key, X-Ray; Session Manager. */
function baseRole(scope: Construct, name: ComponentName, props: ComponentRolesProps): iam.Role {
  const { data, bundle } = props;
  const role = new iam.Role(scope, `${componentTitle(name)}Role`, {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    description: `shop-platform ${name} instances`,
    // Session Manager replaces SSH: no key pair, no port 22.
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
  });
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'AppBundle',
      actions: ['s3:GetObject'],
      resources: [bundle.bucket.arnForObjects(bundle.s3ObjectKey)],
    }),
  );
  // The table, the stream and the topic are encrypted with this key (DynamoDB and SNS call it on the caller's behalf).
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'DataKey',
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: [data.key.keyArn],
    }),
  );
  // X-Ray has no resource-level permissions: its actions take only '*'.
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'Traces',
      actions: [
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
      ],
      resources: ['*'],
    }),
  );
  return role;
}

function serviceRole(scope: Construct, name: ServiceName, props: ComponentRolesProps): iam.Role {
  const { data } = props;
  const role = baseRole(scope, name, props);
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'Table',
      actions: [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        // `/readyz` checks the table.
        'dynamodb:DescribeTable',
      ],
      resources: [data.table.tableArn, `${data.table.tableArn}/index/*`],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'Events',
      actions: ['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:DescribeStreamSummary'],
      resources: [data.stream.streamArn],
    }),
  );
  return role;
}

function catalogRole(scope: Construct, props: ComponentRolesProps): iam.Role {
  const role = serviceRole(scope, 'catalog', props);
  // Read only: searches and the alias lookup; what the role may do in the engine is its role mapping.
  role.addToPolicy(new iam.PolicyStatement({ sid: 'SearchReads', ...catalogAccess(props.search.domainArn) }));
  // Product images: uploads under uploads/, the checked sizes under media/; nothing else of either bucket.
  const media = catalogMediaAccess(props.media);
  role.addToPolicy(new iam.PolicyStatement({ sid: 'MediaUploads', ...media.uploads }));
  role.addToPolicy(new iam.PolicyStatement({ sid: 'MediaObjects', ...media.media }));
  return role;
}

function inventoryRole(scope: Construct, props: ComponentRolesProps): iam.Role {
  const role = serviceRole(scope, 'inventory', props);
  // The staff dashboard's reads of the analytics metrics. Neither action has resource-level
  // permissions, and the cloudwatch:namespace key applies to PutMetricData only, so the
  // statement is held to the stack's region instead.
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ReadMetrics',
      actions: ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': Stack.of(scope).region } },
    }),
  );
  return role;
}

function analyticsRole(scope: Construct, props: ComponentRolesProps): iam.Role {
  const { data } = props;
  const role = baseRole(scope, 'analytics', props);
  // Low-stock alert claims and the product lookups behind them.
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'Table',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [data.table.tableArn],
    }),
  );
  role.addToPolicy(kclLeasesStatement(scope, kclApplicationName));
  role.addToPolicy(readEventsStatement(data));
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'LowStockAlerts',
      actions: ['sns:Publish'],
      resources: [data.alertsTopic.topicArn],
    }),
  );
  // PutMetricData takes no resource; the namespace condition scopes it to the worker's metrics
  // and the KCL's own (published under the application name).
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'Metrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': [analyticsNamespace, kclApplicationName] } },
    }),
  );
  return role;
}

function searchIndexerRole(scope: Construct, props: ComponentRolesProps): iam.Role {
  const { data } = props;
  const role = baseRole(scope, 'search-indexer', props);
  role.addToPolicy(kclLeasesStatement(scope, searchIndexer.applicationName));
  role.addToPolicy(readEventsStatement(data));
  role.addToPolicy(new iam.PolicyStatement({ sid: 'SearchWrites', ...indexerAccess(props.search.domainArn) }));
  // The KCL's own metrics only, published under the application name.
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'Metrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': [searchIndexer.applicationName] } },
    }),
  );
  return role;
}

/** A KCL application's reads of the stream, polling or enhanced fan-out. */
function readEventsStatement(data: DataStoreRefs): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ReadEvents',
    actions: [
      'kinesis:DescribeStream',
      'kinesis:DescribeStreamSummary',
      'kinesis:DescribeStreamConsumer',
      'kinesis:GetRecords',
      'kinesis:GetShardIterator',
      'kinesis:ListShards',
      'kinesis:RegisterStreamConsumer',
      'kinesis:SubscribeToShard',
    ],
    resources: [data.stream.streamArn, `${data.stream.streamArn}/consumer/*`],
  });
}

/** The KCL creates and runs its lease table (and, in KCL 3, its coordinator tables) under its application name. */
function kclLeasesStatement(scope: Construct, applicationName: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'KclLeases',
    actions: [
      'dynamodb:CreateTable',
      'dynamodb:DescribeTable',
      'dynamodb:UpdateTable',
      'dynamodb:DescribeContinuousBackups',
      'dynamodb:UpdateContinuousBackups',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:UpdateTimeToLive',
      'dynamodb:TagResource',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Scan',
      'dynamodb:Query',
    ],
    resources: [
      Stack.of(scope).formatArn({ service: 'dynamodb', resource: 'table', resourceName: `${applicationName}*` }),
    ],
  });
}

/** The CloudWatch agent writes the process's log and the scraped metrics to these groups. */
function grantAgent(role: iam.Role, groups: logs.LogGroup[]): void {
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'AgentLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: groups.map((group) => group.logGroupArn),
    }),
  );
}
