import { searchIndexer } from '@shop/topology';
import {
  type aws_autoscaling as autoscaling,
  Duration,
  aws_ec2 as ec2,
  type aws_iam as iam,
  type aws_logs as logs,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DataStoreRefs, SearchRefs } from './contracts.js';
import { type FleetContext, fleetGroup, sharedBoot } from './fleet-group.js';
import { productIndexAlias } from './search-domain.js';
import { componentUserData } from './user-data.js';

const indexerMetrics = [
  '^search_indexer_records_processed_total$',
  '^search_indexer_records_rejected_total$',
  '^search_indexer_writes_total$',
  '^search_indexer_index_lag_seconds_(sum|count)$',
  '^search_indexer_stream_behind_seconds$',
  '^process_resident_memory_bytes$',
];

/** How catalog and the search indexer find the product index: the domain, signed with SigV4. */
export function searchEnvironment(search: Pick<SearchRefs, 'domainEndpoint'>): Record<string, string> {
  return {
    SEARCH_ENDPOINT: `https://${search.domainEndpoint}`,
    SEARCH_SIGNING: 'sigv4',
    SEARCH_INDEX: productIndexAlias,
  };
}

export interface SearchIndexerFleetProps {
  context: FleetContext;
  role: iam.Role;
  /** The log group of the workers' process output. */
  logGroup: logs.LogGroup;
  data: DataStoreRefs;
  search: SearchRefs;
}

export interface SearchIndexerFleet {
  group: autoscaling.AutoScalingGroup;
  securityGroup: ec2.SecurityGroup;
}

/**
 * The search indexer's workers in `scope`: a KCL application of its own on the stream (its lease
 * table `shop-search-indexer`), on a group of its own, so neither it nor analytics can starve the
 * other of memory or hold its shards back. No inbound traffic; HTTPS out to the domain.
 */
export function searchIndexerFleet(scope: Construct, props: SearchIndexerFleetProps): SearchIndexerFleet {
  const { context, role, data } = props;
  const securityGroup = new ec2.SecurityGroup(scope, 'SearchIndexerSecurityGroup', {
    vpc: context.vpc,
    description: 'shop-platform search indexer workers: no inbound traffic',
    allowAllOutbound: true,
  });
  const userData = searchIndexerUserData(scope, props);
  const group = fleetGroup(scope, 'SearchIndexer', context, {
    role,
    securityGroup,
    userData,
    behindLoadBalancer: false,
    capacity: context.settings.searchIndexerCapacity,
  });
  // The stream's iterator age is the oldest read of either application: the per-application lag
  // (the KCL's MillisBehindLatest) exists per shard only, which target tracking cannot follow.
  group.scaleToTrackMetric('IteratorAge', {
    metric: data.stream.metricGetRecordsIteratorAgeMilliseconds({
      statistic: 'Maximum',
      period: Duration.minutes(1),
    }),
    targetValue: 30_000,
  });
  return { group, securityGroup };
}

function searchIndexerUserData(scope: Construct, props: SearchIndexerFleetProps): ec2.UserData {
  const { context, data } = props;
  const boot = sharedBoot(scope, context);
  const metricsPort = searchIndexer.metricsPort.default;
  return componentUserData({
    ...boot,
    name: searchIndexer.name,
    entryPoint: searchIndexer.entryPoint,
    environment: {
      AWS_REGION: boot.region,
      TABLE_NAME: data.table.tableName,
      STREAM_NAME: data.stream.streamName,
      KCL_APPLICATION_NAME: searchIndexer.applicationName,
      ...searchEnvironment(props.search),
      // Standby over three zones needs every shard's copies to be a multiple of three.
      SEARCH_REPLICAS: context.settings.name === 'prod' ? '2' : '0',
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'info',
      TRACING_ENABLED: 'true',
      XRAY_SAMPLING_RATE: context.settings.name === 'prod' ? '0.05' : '0.2',
    },
    metricsPort,
    metricSelectors: indexerMetrics,
    logGroupName: props.logGroup.logGroupName,
    readinessUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    kclDaemon: true,
  });
}
