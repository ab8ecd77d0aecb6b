import { analyticsNamespace } from '@shop/platform';
import { analyticsWorker } from '@shop/topology';
import {
  type aws_autoscaling as autoscaling,
  Duration,
  aws_ec2 as ec2,
  type aws_iam as iam,
  type aws_logs as logs,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DataStoreRefs } from './contracts.js';
import { type FleetContext, fleetGroup, sharedBoot } from './fleet-group.js';
import { componentUserData } from './user-data.js';

/** The KCL application name: also the name of the lease table the daemon creates in DynamoDB. */
export const kclApplicationName = analyticsWorker.applicationName;

const analyticsMetrics = [
  '^analytics_records_processed_total$',
  '^analytics_events_counted_total$',
  '^analytics_checkpoint_lag_seconds$',
  '^aws_calls_total$',
  '^process_resident_memory_bytes$',
];

export interface AnalyticsFleetProps {
  context: FleetContext;
  role: iam.Role;
  /** The log group of the workers' process output. */
  logGroup: logs.LogGroup;
  data: DataStoreRefs;
}

/**
 * The KCL analytics workers in `scope`: no inbound traffic (they pull from Kinesis), scaled on
 * the stream's iterator age.
 */
export function analyticsFleet(scope: Construct, props: AnalyticsFleetProps): autoscaling.AutoScalingGroup {
  const { context, role, data } = props;
  const securityGroup = new ec2.SecurityGroup(scope, 'AnalyticsSecurityGroup', {
    vpc: context.vpc,
    description: 'shop-platform analytics workers: no inbound traffic',
    allowAllOutbound: true,
  });
  const userData = analyticsUserData(scope, props);
  const group = fleetGroup(scope, 'Analytics', context, { role, securityGroup, userData, behindLoadBalancer: false });
  // One lease per shard: workers beyond the shard count idle until a reshard, so the group's
  // maximum is worth keeping near the stream's shard count.
  group.scaleToTrackMetric('IteratorAge', {
    metric: data.stream.metricGetRecordsIteratorAgeMilliseconds({
      statistic: 'Maximum',
      period: Duration.minutes(1),
    }),
    targetValue: 30_000,
  });
  return group;
}

function analyticsUserData(scope: Construct, props: AnalyticsFleetProps): ec2.UserData {
  const { context, data } = props;
  const boot = sharedBoot(scope, context);
  const metricsPort = analyticsWorker.metricsPort.default;
  return componentUserData({
    ...boot,
    name: analyticsWorker.name,
    entryPoint: analyticsWorker.entryPoint,
    environment: {
      AWS_REGION: boot.region,
      TABLE_NAME: data.table.tableName,
      STREAM_NAME: data.stream.streamName,
      LOW_STOCK_TOPIC_ARN: data.alertsTopic.topicArn,
      KCL_APPLICATION_NAME: kclApplicationName,
      METRICS_NAMESPACE: analyticsNamespace,
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'info',
      // Traced in AWS, where the daemon (the CloudWatch agent) listens; see README on its cost.
      TRACING_ENABLED: 'true',
      XRAY_SAMPLING_RATE: context.settings.name === 'prod' ? '0.05' : '0.2',
    },
    metricsPort,
    metricSelectors: analyticsMetrics,
    logGroupName: props.logGroup.logGroupName,
    readinessUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    kclDaemon: true,
  });
}
