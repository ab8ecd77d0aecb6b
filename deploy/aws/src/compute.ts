import { fileURLToPath } from 'node:url';
import { analyticsNamespace, problemContentType, type Route, routeTable } from '@shop/platform';
import {
  aws_autoscaling as autoscaling,
  Duration,
  aws_ec2 as ec2,
  aws_elasticloadbalancingv2 as elbv2,
  aws_iam as iam,
  aws_logs as logs,
  RemovalPolicy,
  Stack,
  aws_s3 as s3,
  aws_s3_assets as s3Assets,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { architectureOf, type BundledNode, bundledNode } from './bundled-node.js';
import { CloudFrontPrefixList } from './cloudfront-prefix-list.js';
import type { ComputeRefs, DataStoreRefs, IdentityRefs, ServiceFleet } from './contracts.js';
import type { EnvironmentSettings } from './environments.js';
import { componentUserData } from './user-data.js';

export interface ComputeProps {
  vpc: ec2.IVpc;
  settings: EnvironmentSettings;
  data: DataStoreRefs;
  identity: IdentityRefs;
  /** Comma-separated browser origins the services answer CORS for; empty when CloudFront serves both. */
  corsOrigin: string;
  /** The HTTPS listener's certificate: the stack's own (DomainCertificates), or `certificateArn`. */
  certificate: elbv2.IListenerCertificate;
}

type ServiceName = ServiceFleet['name'];

interface ServiceSpec {
  name: ServiceName;
  port: number;
  portEnv: string;
  metricsPort: number;
  entryPoint: string;
  /** Settings only this service reads, beside those every service gets. */
  environment?: Record<string, string>;
}

const serviceSpecs: readonly ServiceSpec[] = [
  {
    name: 'catalog',
    port: 3001,
    portEnv: 'CATALOG_PORT',
    metricsPort: 9101,
    entryPoint: 'services/catalog/src/main.ts',
  },
  {
    name: 'inventory',
    port: 3002,
    portEnv: 'INVENTORY_PORT',
    metricsPort: 9102,
    entryPoint: 'services/inventory/src/main.ts',
    // The staff dashboard reads the analytics fleet's metrics.
    environment: { METRICS_NAMESPACE: analyticsNamespace },
  },
];

/** The KCL application name: also the name of the lease table the daemon creates in DynamoDB. */
export const kclApplicationName = 'shop-analytics';
/** CloudWatch namespace of the metrics the agents scrape from every process's `/metrics`. */
export const platformNamespace = 'ShopPlatform';
/** How long the ALB lets a deregistered target finish: the services' drain deadline (SHUTDOWN_TIMEOUT_MS). */
export const drainDeadline = Duration.seconds(30);

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
/**
 * What the app bundle leaves out: what .gitignore ignores (installed dependencies, the KCL jars,
 * local data, build and synth output) and the repository's history. Names without a slash match
 * at any depth.
 */
const bundleExcludes = [
  'node_modules',
  '.git',
  '.data',
  '.venv',
  '.tmp',
  'dist',
  'cdk.out',
  '*.log',
  'services/analytics/.kcl-jars',
  'bench/results.json',
];

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
const analyticsMetrics = [
  '^analytics_records_processed_total$',
  '^analytics_events_counted_total$',
  '^analytics_checkpoint_lag_seconds$',
  '^aws_calls_total$',
  '^process_resident_memory_bytes$',
];

/**
 * The compute layer: the internet-facing ALB (HTTPS from CloudFront only, path rules generated from the route table),
 * one auto-scaling group per service behind it, and the KCL analytics fleet. Every group runs an
 * On-Demand base with Spot above it across several instance types, boots Amazon Linux 2023 with
 * IMDSv2 only and no SSH (Session Manager instead), and runs the app bundle (this repository, as an
 * asset) under systemd. Each component has its own least-privilege role.
 */
export class Compute extends Construct implements ComputeRefs {
  readonly vpc: ec2.IVpc;
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly albSecurityGroup: ec2.SecurityGroup;
  /** CloudFront's origin-facing prefix list, the only source the ALB admits. */
  readonly cloudFrontPrefixList: CloudFrontPrefixList;
  readonly httpsListener: elbv2.ApplicationListener;
  readonly accessLogs: s3.Bucket;
  readonly services: ServiceFleet[];
  readonly analyticsGroup: autoscaling.AutoScalingGroup;
  /** The role of each component's instances. */
  readonly roles: Readonly<Record<ServiceName | 'analytics', iam.Role>>;
  /** The log group of each component's process output. */
  readonly logGroups: Readonly<Record<ServiceName | 'analytics', logs.LogGroup>>;

  /** The app bundle (this repository, zipped) every instance downloads at boot. */
  readonly bundle: s3Assets.Asset;
  /** The one CPU architecture of the fleets' instance types, which picks the image and the Node.js binary. */
  readonly architecture: ec2.InstanceArchitecture;
  /** The Node.js binary the bundle installs for that architecture, which every component runs on. */
  readonly nodeRuntime: BundledNode;

  private readonly props: ComputeProps;

  constructor(scope: Construct, id: string, props: ComputeProps) {
    super(scope, id);
    this.props = props;
    const { vpc, settings } = props;
    this.vpc = vpc;

    this.bundle = new s3Assets.Asset(this, 'AppBundle', { path: repositoryRoot, exclude: bundleExcludes });
    this.architecture = architectureOf(settings.instanceTypes);
    this.nodeRuntime = bundledNode(this.architecture);

    this.albSecurityGroup = new ec2.SecurityGroup(this, 'AlbSecurityGroup', {
      vpc,
      description: 'shop-platform ALB: HTTPS from CloudFront origin-facing servers only',
      allowAllOutbound: false,
    });
    // CloudFront is the front door: the services trust the X-Forwarded-For entry CloudFront appends
    // (TRUSTED_PROXY_HOPS=2), which a client calling the ALB directly could forge. No rule admits
    // port 80: CloudFront calls the origin over HTTPS, and the prefix list weighs 55 of a security
    // group's default 60 rules, so it fits once.
    this.cloudFrontPrefixList = new CloudFrontPrefixList(this, 'CloudFrontPrefixList', {
      logsKey: props.data.key,
      retainLogs: settings.retainData,
    });
    this.albSecurityGroup.addIngressRule(
      ec2.Peer.prefixList(this.cloudFrontPrefixList.prefixListId),
      ec2.Port.tcp(443),
      'HTTPS from CloudFront origin-facing servers',
    );

    this.accessLogs = new s3.Bucket(this, 'AlbAccessLogs', {
      // ALB access logs support SSE-S3 only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        { expiration: Duration.days(settings.retainData ? 365 : 30), noncurrentVersionExpiration: Duration.days(30) },
      ],
      // Logs outlive the stack (audit material), also in dev; they expire by the rule above, and a
      // deleted or overwritten one can be restored for 30 days.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: this.albSecurityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection: settings.retainData,
    });
    this.alb.logAccessLogs(this.accessLogs, 'alb');

    this.httpsListener = this.alb.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [props.certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(404, {
        contentType: problemContentType,
        messageBody: JSON.stringify({
          type: 'about:blank',
          title: 'Not Found',
          status: 404,
          detail: 'No service answers this path',
        }),
      }),
    });
    // Plain HTTP is only ever redirected. No ingress rule admits port 80 (see above), so viewers
    // get their redirect from CloudFront; this listener keeps the rule should the port be opened.
    this.alb.addListener('Http', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });

    const logGroup = (name: string) =>
      new logs.LogGroup(this, name, {
        encryptionKey: props.data.key,
        retention: settings.retainData ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH,
        removalPolicy: settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
    this.logGroups = {
      catalog: logGroup('CatalogLogs'),
      inventory: logGroup('InventoryLogs'),
      analytics: logGroup('AnalyticsLogs'),
    };
    // The agents' embedded-metric-format records of the scraped Prometheus metrics, all components.
    const metricsLogs = logGroup('PrometheusMetricLogs');

    this.roles = {
      catalog: this.serviceRole('catalog'),
      inventory: this.inventoryRole(),
      analytics: this.analyticsRole(),
    };
    for (const [name, role] of Object.entries(this.roles) as [ServiceName | 'analytics', iam.Role][]) {
      this.grantAgent(role, [this.logGroups[name], metricsLogs]);
    }

    const targetGroups = new Map<ServiceName, elbv2.ApplicationTargetGroup>();
    this.services = serviceSpecs.map((spec) => {
      const fleet = this.serviceFleet(spec, metricsLogs);
      targetGroups.set(spec.name, fleet.targetGroup);
      return fleet;
    });
    for (const route of routeTable) this.addRoute(route, targetGroups);
    // Request-count scaling needs the target group attached to the listener, so it comes last.
    for (const fleet of this.services) {
      fleet.group.scaleOnRequestCount('RequestsPerTarget', { targetRequestsPerMinute: 500 });
    }

    this.analyticsGroup = this.analyticsFleet(metricsLogs);
  }

  private addRoute(route: Route, targetGroups: Map<ServiceName, elbv2.ApplicationTargetGroup>): void {
    const targetGroup = targetGroups.get(route.service);
    if (!targetGroup) throw new Error(`route ${route.priority} names service "${route.service}", which has no fleet`);
    // An ALB condition takes at most five values.
    if (route.pathPatterns.length > 5) throw new Error(`route ${route.priority} has more than five path patterns`);
    new elbv2.ApplicationListenerRule(this, `Route${route.priority}`, {
      listener: this.httpsListener,
      priority: route.priority,
      conditions: [elbv2.ListenerCondition.pathPatterns(route.pathPatterns)],
      action: elbv2.ListenerAction.forward([targetGroup]),
    });
  }

  private serviceFleet(spec: ServiceSpec, metricsLogs: logs.LogGroup): ServiceFleet {
    const { vpc, settings, data, identity, corsOrigin } = this.props;
    const title = capitalize(spec.name);
    const securityGroup = new ec2.SecurityGroup(this, `${title}SecurityGroup`, {
      vpc,
      description: `shop-platform ${spec.name} instances: the service port from the ALB only`,
      allowAllOutbound: true,
    });
    securityGroup.addIngressRule(this.albSecurityGroup, ec2.Port.tcp(spec.port), 'The service port from the ALB');

    const userData = componentUserData({
      name: spec.name,
      region: Stack.of(this).region,
      bundle: { bucketName: this.bundle.s3BucketName, objectKey: this.bundle.s3ObjectKey },
      entryPoint: spec.entryPoint,
      nodeVersion: this.nodeRuntime.version,
      environment: {
        AWS_REGION: Stack.of(this).region,
        [spec.portEnv]: String(spec.port),
        BIND_HOST: '0.0.0.0',
        METRICS_PORT: String(spec.metricsPort),
        TABLE_NAME: data.table.tableName,
        STREAM_NAME: data.stream.streamName,
        COGNITO_USER_POOL_ID: identity.userPool.userPoolId,
        COGNITO_CLIENT_ID: identity.appClient.userPoolClientId,
        // CloudFront, then the ALB, each append one X-Forwarded-For entry.
        TRUSTED_PROXY_HOPS: '2',
        CORS_ALLOWED_ORIGINS: corsOrigin,
        LOG_LEVEL: 'info',
        // Traced in AWS, where the daemon (the CloudWatch agent) listens; see README on its cost.
        TRACING_ENABLED: 'true',
        XRAY_SAMPLING_RATE: settings.name === 'prod' ? '0.05' : '0.2',
        DRAIN_DELAY_MS: '10000',
        SHUTDOWN_TIMEOUT_MS: String(drainDeadline.toMilliseconds()),
        ...spec.environment,
      },
      metricsPort: spec.metricsPort,
      metricSelectors: serviceMetrics,
      metricNamespace: platformNamespace,
      logGroupName: this.logGroups[spec.name].logGroupName,
      metricsLogGroupName: metricsLogs.logGroupName,
      readinessUrl: `http://127.0.0.1:${spec.port}/readyz`,
    });
    const group = this.autoScalingGroup(title, this.roles[spec.name], securityGroup, userData, true);

    const targetGroup = new elbv2.ApplicationTargetGroup(this, `${title}Targets`, {
      vpc,
      port: spec.port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.INSTANCE,
      deregistrationDelay: drainDeadline,
      healthCheck: {
        path: '/readyz',
        port: String(spec.port),
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
        healthyHttpCodes: '200',
      },
    });
    group.attachToApplicationTargetGroup(targetGroup);
    return { name: spec.name, group, targetGroup };
  }

  private analyticsFleet(metricsLogs: logs.LogGroup): autoscaling.AutoScalingGroup {
    const { vpc, settings, data } = this.props;
    // The workers take no inbound traffic: they pull from Kinesis.
    const securityGroup = new ec2.SecurityGroup(this, 'AnalyticsSecurityGroup', {
      vpc,
      description: 'shop-platform analytics workers: no inbound traffic',
      allowAllOutbound: true,
    });
    const metricsPort = 9103;
    const userData = componentUserData({
      name: 'analytics',
      region: Stack.of(this).region,
      bundle: { bucketName: this.bundle.s3BucketName, objectKey: this.bundle.s3ObjectKey },
      entryPoint: 'services/analytics/src/worker/analytics-worker.ts',
      nodeVersion: this.nodeRuntime.version,
      environment: {
        AWS_REGION: Stack.of(this).region,
        TABLE_NAME: data.table.tableName,
        STREAM_NAME: data.stream.streamName,
        LOW_STOCK_TOPIC_ARN: data.alertsTopic.topicArn,
        KCL_APPLICATION_NAME: kclApplicationName,
        METRICS_NAMESPACE: analyticsNamespace,
        METRICS_PORT: String(metricsPort),
        LOG_LEVEL: 'info',
        // Traced in AWS, where the daemon (the CloudWatch agent) listens; see README on its cost.
        TRACING_ENABLED: 'true',
        XRAY_SAMPLING_RATE: settings.name === 'prod' ? '0.05' : '0.2',
      },
      metricsPort,
      metricSelectors: analyticsMetrics,
      metricNamespace: platformNamespace,
      logGroupName: this.logGroups.analytics.logGroupName,
      metricsLogGroupName: metricsLogs.logGroupName,
      readinessUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      kclDaemon: true,
    });
    const group = this.autoScalingGroup('Analytics', this.roles.analytics, securityGroup, userData, false);
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

  private autoScalingGroup(
    title: string,
    role: iam.Role,
    securityGroup: ec2.SecurityGroup,
    userData: ec2.UserData,
    behindLoadBalancer: boolean,
  ): autoscaling.AutoScalingGroup {
    const { vpc, settings } = this.props;
    const launchTemplate = new ec2.LaunchTemplate(this, `${title}LaunchTemplate`, {
      machineImage: ec2.MachineImage.latestAmazonLinux2023({
        cpuType:
          this.architecture === ec2.InstanceArchitecture.ARM_64
            ? ec2.AmazonLinuxCpuType.ARM_64
            : ec2.AmazonLinuxCpuType.X86_64,
      }),
      role,
      securityGroup,
      userData,
      requireImdsv2: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      httpEndpoint: true,
      httpPutResponseHopLimit: 1,
      detailedMonitoring: settings.name === 'prod',
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(20, {
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            encrypted: true,
            deleteOnTermination: true,
          }),
        },
      ],
    });
    const bootTimeout = Duration.minutes(20);
    const group = new autoscaling.AutoScalingGroup(this, `${title}Group`, {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      minCapacity: settings.capacity.min,
      maxCapacity: settings.capacity.max,
      mixedInstancesPolicy: {
        launchTemplate,
        instancesDistribution: {
          onDemandBaseCapacity: settings.capacity.onDemandBase,
          // Everything above the base is Spot, in every environment.
          onDemandPercentageAboveBaseCapacity: 0,
          spotAllocationStrategy: autoscaling.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED,
        },
        launchTemplateOverrides: settings.instanceTypes.map((type) => ({ instanceType: new ec2.InstanceType(type) })),
      },
      // Replace Spot instances at risk before they are interrupted.
      capacityRebalance: true,
      healthChecks: behindLoadBalancer
        ? autoscaling.HealthChecks.withAdditionalChecks({
            additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
            gracePeriod: bootTimeout,
          })
        : autoscaling.HealthChecks.ec2({ gracePeriod: bootTimeout }),
      defaultInstanceWarmup: Duration.minutes(5),
      groupMetrics: [autoscaling.GroupMetrics.all()],
      // A new bundle or image replaces instances one at a time, each confirmed by its boot signal.
      signals: autoscaling.Signals.waitForMinCapacity({ timeout: bootTimeout }),
      updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({
        maxBatchSize: 1,
        minInstancesInService: settings.capacity.min,
      }),
    });
    userData.addSignalOnExitCommand(group);
    return group;
  }

  /** Statements every component needs: its launch bundle, the encryption key, X-Ray; Session Manager. */
  private baseRole(name: string): iam.Role {
    const { data } = this.props;
    const role = new iam.Role(this, `${capitalize(name)}Role`, {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `shop-platform ${name} instances`,
      // Session Manager replaces SSH: no key pair, no port 22.
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AppBundle',
        actions: ['s3:GetObject'],
        resources: [this.bundle.bucket.arnForObjects(this.bundle.s3ObjectKey)],
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

  private serviceRole(name: ServiceName): iam.Role {
    const { data } = this.props;
    const role = this.baseRole(name);
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

  private inventoryRole(): iam.Role {
    const role = this.serviceRole('inventory');
    // The staff dashboard's reads of the analytics metrics. Neither action has resource-level
    // permissions, and the cloudwatch:namespace key applies to PutMetricData only, so the
    // statement is held to the stack's region instead.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadMetrics',
        actions: ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': Stack.of(this).region } },
      }),
    );
    return role;
  }

  private analyticsRole(): iam.Role {
    const { data } = this.props;
    const role = this.baseRole('analytics');
    // Low-stock alert claims and the product lookups behind them.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'Table',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [data.table.tableArn],
      }),
    );
    // The KCL creates and runs its lease table (and, in KCL 3, its coordinator tables) under this prefix.
    role.addToPolicy(
      new iam.PolicyStatement({
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
          Stack.of(this).formatArn({ service: 'dynamodb', resource: 'table', resourceName: `${kclApplicationName}*` }),
        ],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
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
      }),
    );
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

  /** The CloudWatch agent writes the process's log and the scraped metrics to these groups. */
  private grantAgent(role: iam.Role, groups: logs.LogGroup[]): void {
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AgentLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: groups.map((group) => group.logGroupArn),
      }),
    );
  }
}

function capitalize(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}
