import { analyticsNamespace } from '@shop/platform';
import type { HttpServiceSpec } from '@shop/topology';
import {
  Duration,
  aws_ec2 as ec2,
  aws_elasticloadbalancingv2 as elbv2,
  type aws_iam as iam,
  type aws_logs as logs,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { componentTitle, type ServiceName } from './component-names.js';
import type { DataStoreRefs, IdentityRefs, MediaRefs, SearchRefs, ServiceFleet } from './contracts.js';
import { type FleetContext, fleetGroup, sharedBoot } from './fleet-group.js';
import { mediaEnvironment } from './media-buckets.js';
import { searchEnvironment } from './search-indexer-fleet.js';
import { componentUserData } from './user-data.js';

/** Settings only one service reads, beside those every service gets. */
function ownEnvironment(name: ServiceName, search: SearchRefs, media: MediaRefs): Record<string, string> {
  switch (name) {
    // The storefront search reads the product index on the domain; product images go through the buckets.
    case 'catalog':
      return { ...searchEnvironment(search), ...mediaEnvironment(media) };
    // The staff dashboard reads the analytics fleet's metrics.
    case 'inventory':
      return { METRICS_NAMESPACE: analyticsNamespace };
  }
}

/** How long the ALB lets a deregistered target finish: the services' drain deadline (SHUTDOWN_TIMEOUT_MS). */
export const drainDeadline = Duration.seconds(30);

const serviceMetrics = [
  '^http_requests_total$',
  '^http_requests_in_flight$',
  '^aws_calls_total$',
  '^outbox_pending_items$',
  '^outbox_oldest_pending_seconds$',
  '^event_publisher_queue_events$',
  '^process_resident_memory_bytes$',
  '^nodejs_eventloop_lag_p99_seconds$',
];

export interface ServiceFleetProps {
  context: FleetContext;
  role: iam.Role;
  /** The log group of the service's process output. */
  logGroup: logs.LogGroup;
  data: DataStoreRefs;
  identity: IdentityRefs;
  /** Comma-separated browser origins the service answers CORS for; empty when CloudFront serves both. */
  corsOrigin: string;
  /** The ALB's group, the only source admitted to the service port. */
  albSecurityGroup: ec2.SecurityGroup;
  search: SearchRefs;
  media: MediaRefs;
}

/**
 * One service's fleet in `scope`: its security group (the service port from the ALB only), its
 * auto-scaling group, and the target group the ALB checks `/readyz` on and drains for the
 * service's shutdown deadline.
 */
export function serviceFleet(scope: Construct, spec: HttpServiceSpec, props: ServiceFleetProps): ServiceFleet {
  const { context, role } = props;
  const title = componentTitle(spec.name);
  const securityGroup = new ec2.SecurityGroup(scope, `${title}SecurityGroup`, {
    vpc: context.vpc,
    description: `shop-platform ${spec.name} instances: the service port from the ALB only`,
    allowAllOutbound: true,
  });
  const port = spec.port.default;
  securityGroup.addIngressRule(props.albSecurityGroup, ec2.Port.tcp(port), 'The service port from the ALB');
  const userData = serviceUserData(scope, spec, props);
  const group = fleetGroup(scope, title, context, { role, securityGroup, userData, behindLoadBalancer: true });

  const targetGroup = new elbv2.ApplicationTargetGroup(scope, `${title}Targets`, {
    vpc: context.vpc,
    port,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: elbv2.TargetType.INSTANCE,
    deregistrationDelay: drainDeadline,
    healthCheck: {
      path: '/readyz',
      port: String(port),
      interval: Duration.seconds(10),
      timeout: Duration.seconds(5),
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 2,
      healthyHttpCodes: '200',
    },
  });
  group.attachToApplicationTargetGroup(targetGroup);
  return { name: spec.name, group, targetGroup, securityGroup };
}

/** Scales a service's fleet on requests per target; its target group must be on a listener already. */
export function scaleOnRequests(fleet: ServiceFleet): void {
  fleet.group.scaleOnRequestCount('RequestsPerTarget', { targetRequestsPerMinute: 500 });
}

function serviceUserData(scope: Construct, spec: HttpServiceSpec, props: ServiceFleetProps): ec2.UserData {
  const { context, data, identity } = props;
  const boot = sharedBoot(scope, context);
  const port = spec.port.default;
  const metricsPort = spec.metricsPort.default;
  return componentUserData({
    ...boot,
    name: spec.name,
    entryPoint: spec.entryPoint,
    environment: {
      AWS_REGION: boot.region,
      [spec.port.env]: String(port),
      BIND_HOST: '0.0.0.0',
      METRICS_PORT: String(metricsPort),
      TABLE_NAME: data.table.tableName,
      STREAM_NAME: data.stream.streamName,
      COGNITO_USER_POOL_ID: identity.userPool.userPoolId,
      COGNITO_CLIENT_ID: identity.appClient.userPoolClientId,
      // CloudFront, then the ALB, each append one X-Forwarded-For entry.
      TRUSTED_PROXY_HOPS: '2',
      CORS_ALLOWED_ORIGINS: props.corsOrigin,
      LOG_LEVEL: 'info',
      // Traced in AWS, where the daemon (the CloudWatch agent) listens; see README on its cost.
      TRACING_ENABLED: 'true',
      XRAY_SAMPLING_RATE: context.settings.name === 'prod' ? '0.05' : '0.2',
      DRAIN_DELAY_MS: '10000',
      SHUTDOWN_TIMEOUT_MS: String(drainDeadline.toMilliseconds()),
      ...ownEnvironment(spec.name, props.search, props.media),
    },
    metricsPort,
    metricSelectors: serviceMetrics,
    logGroupName: props.logGroup.logGroupName,
    readinessUrl: `http://127.0.0.1:${port}/readyz`,
  });
}
