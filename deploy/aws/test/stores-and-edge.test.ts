import { accessGroups, tableDefinition, tableKeys } from '@shop/platform';
import test from 'ava';
import {
  App,
  aws_certificatemanager as acm,
  aws_autoscaling as autoscaling,
  CfnElement,
  aws_cloudfront as cloudfront,
  aws_ec2 as ec2,
  aws_elasticloadbalancingv2 as elbv2,
  Stack,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { Audit, securityEventPatterns, securityMetricNamespace } from '../src/audit.js';
import type { ComputeRefs, ServiceFleet } from '../src/contracts.js';
import { DataStores, tableName } from '../src/data-stores.js';
import { Edge, managedRuleGroups } from '../src/edge.js';
import { environmentSettings } from '../src/environments.js';
import { Identity } from '../src/identity.js';
import { MediaBuckets } from '../src/media-buckets.js';
import { Monitoring } from '../src/monitoring.js';
import { SearchDomain } from '../src/search-domain.js';

/** A stand-in for the compute layer: an ALB routing to two service groups, and an analytics group. */
function computeStandIn(stack: Stack): ComputeRefs {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
  const listener = alb.addListener('Http', {
    port: 80,
    open: false,
    defaultAction: elbv2.ListenerAction.fixedResponse(404),
  });
  const group = (id: string) =>
    new autoscaling.AutoScalingGroup(stack, id, {
      vpc,
      instanceType: new ec2.InstanceType('t3.small'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    });
  const services = (['catalog', 'inventory'] as const).map((name, index): ServiceFleet => {
    const fleetGroup = group(`${name}Group`);
    const targetGroup = new elbv2.ApplicationTargetGroup(stack, `${name}Targets`, {
      vpc,
      port: 3001 + index,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [fleetGroup],
    });
    listener.addTargetGroups(name, {
      targetGroups: [targetGroup],
      priority: 10 + index,
      conditions: [elbv2.ListenerCondition.pathPatterns([`/api/${name === 'catalog' ? 'products' : name}*`])],
    });
    const securityGroup = new ec2.SecurityGroup(stack, `${name}SecurityGroup`, { vpc });
    return { name, group: fleetGroup, targetGroup, securityGroup };
  });
  return { vpc, alb, services, analyticsGroup: group('analyticsGroup') };
}

function buildStack(environment: 'dev' | 'prod', options: { region?: string; opsEmail?: string } = {}) {
  // Template validation runs on the whole stacks (stack.test.ts); these partial ones skip its cost.
  const app = new App({
    context: { environment, ...(options.opsEmail ? { opsEmail: options.opsEmail } : {}) },
    builtinCloudFormationValidation: false,
  });
  const settings = environmentSettings(app);
  const stack = new Stack(app, `Stores-${environment}`, {
    ...(options.region ? { env: { account: '111111111111', region: options.region } } : {}),
  });
  const data = new DataStores(stack, 'Data', { settings });
  const identity = new Identity(stack, 'Identity', { settings });
  const compute = computeStandIn(stack);
  const media = new MediaBuckets(stack, 'Media');
  const edge = new Edge(stack, 'Edge', { settings, alb: compute.alb, mediaBucket: media.mediaBucket });
  media.logTo(edge.logBucket);
  // The stand-in VPC has no NAT gateway, so its private subnets are isolated ones.
  const search = new SearchDomain(stack, 'Search', {
    settings,
    vpc: compute.vpc,
    key: data.key,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  });
  const monitoring = new Monitoring(stack, 'Monitoring', { settings, compute, data, search });
  const audit = new Audit(stack, 'Audit', { settings, key: data.key, opsTopic: monitoring.opsTopic });
  const template = Template.fromStack(stack);
  /** The logical id of a construct's CloudFormation resource, as references to it name it. */
  const id = (construct: IConstruct) => {
    const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
    if (!(element instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
    return stack.getLogicalId(element);
  };
  return { stack, settings, template, data, identity, compute, edge, monitoring, audit, search, id };
}

const dev = buildStack('dev', { opsEmail: 'ops@example.com' });
const prod = buildStack('prod');

function onlyResource(template: Template, type: string): Record<string, unknown> {
  const found = Object.values(template.findResources(type));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return (found[0] as { Properties: Record<string, unknown> }).Properties;
}

const keyArn = (built: typeof dev) => ({ 'Fn::GetAtt': [built.id(built.data.key), 'Arn'] });

test('when the table is synthesized, then it is on-demand, recoverable to a point in time and encrypted with the customer key', (t) => {
  dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn(dev) },
    TimeToLiveSpecification: { AttributeName: tableKeys.ttlAttribute, Enabled: true },
  });
  t.pass();
});

test('when prod is synthesized, then the table has deletion protection and the key is retained; dev has neither', (t) => {
  prod.template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
  prod.template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
  dev.template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  dev.template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: { EnableKeyRotation: true } });
  t.pass();
});

test('when the table is synthesized, then its keys and indexes are exactly those of tableDefinition', (t) => {
  const definition = tableDefinition(tableName);
  const table = onlyResource(dev.template, 'AWS::DynamoDB::Table') as {
    KeySchema: unknown;
    AttributeDefinitions: { AttributeName: string }[];
    GlobalSecondaryIndexes: { IndexName: string; KeySchema: unknown; Projection: unknown }[];
  };
  const byName = <T extends { IndexName?: string }>(indexes: T[]) =>
    [...indexes].sort((a, b) => String(a.IndexName).localeCompare(String(b.IndexName)));
  const expected = byName(definition.GlobalSecondaryIndexes ?? []).map((index) => ({
    IndexName: index.IndexName,
    KeySchema: index.KeySchema,
    Projection: index.Projection,
  }));
  const actual = byName(table.GlobalSecondaryIndexes).map((index) => ({
    IndexName: index.IndexName,
    KeySchema: index.KeySchema,
    Projection: index.Projection,
  }));
  t.true(expected.length > 0);
  t.deepEqual(actual, expected);
  t.deepEqual(table.KeySchema, definition.KeySchema);
  const names = (attributes: { AttributeName?: string }[]) => attributes.map((a) => a.AttributeName).sort();
  t.deepEqual(names(table.AttributeDefinitions), names(definition.AttributeDefinitions ?? []));
});

test('when the stream is synthesized, then it is on-demand, KMS-encrypted and keeps 24 h in dev and 7 days in prod', (t) => {
  for (const [built, hours] of [
    [dev, 24],
    [prod, 168],
  ] as const) {
    built.template.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: 'shop-events',
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: keyArn(built) },
      RetentionPeriodHours: hours,
    });
  }
  t.pass();
});

test('when the topics are synthesized, then each is encrypted with the customer key and refuses plain HTTP', (t) => {
  const topics = dev.template.findResources('AWS::SNS::Topic');
  t.is(Object.keys(topics).length, 2, 'the low-stock alerts and the ops topic');
  for (const [id, topic] of Object.entries(topics)) {
    t.deepEqual(topic.Properties.KmsMasterKeyId, keyArn(dev), id);
    dev.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: id }],
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
  }
  dev.template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'low-stock-alerts' });
});

test('when an ops e-mail is set, then the ops topic mails it; without one there is no subscription', (t) => {
  dev.template.hasResourceProperties('AWS::SNS::Subscription', {
    Protocol: 'email',
    Endpoint: 'ops@example.com',
    TopicArn: { Ref: dev.id(dev.monitoring.opsTopic) },
  });
  prod.template.resourceCountIs('AWS::SNS::Subscription', 0);
  t.pass();
});

test('when CloudWatch alarms publish to the encrypted ops topic, then the key lets CloudWatch use it', (t) => {
  dev.template.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: Match.objectLike({
      Statement: Match.arrayWith([
        Match.objectLike({
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      ]),
    }),
  });
  t.pass();
});

test('when the user pool is synthesized, then its groups are exactly the access groups', (t) => {
  const groups = Object.values(dev.template.findResources('AWS::Cognito::UserPoolGroup')).map(
    (group) => group.Properties.GroupName as string,
  );
  t.deepEqual(groups.sort(), Object.values(accessGroups).sort());
});

test('when the user pool is synthesized, then sign-up is admin-only, passwords are strong and threat protection enforces', (t) => {
  dev.template.hasResourceProperties('AWS::Cognito::UserPool', {
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    Policies: {
      PasswordPolicy: Match.objectLike({
        MinimumLength: 8,
        RequireUppercase: true,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
      }),
    },
    MfaConfiguration: 'OPTIONAL',
    EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    UserPoolTier: 'PLUS',
    UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
  });
  prod.template.hasResource('AWS::Cognito::UserPool', {
    DeletionPolicy: 'Retain',
    Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }),
  });
  t.pass();
});

test('when the app client is synthesized, then it is public, uses SRP, password and code flows, and hides unknown users', (t) => {
  const client = onlyResource(dev.template, 'AWS::Cognito::UserPoolClient') as {
    ClientName: string;
    GenerateSecret: boolean;
    ExplicitAuthFlows: string[];
    AllowedOAuthFlows: string[];
    PreventUserExistenceErrors: string;
    EnableTokenRevocation: boolean;
    AccessTokenValidity: number;
    TokenValidityUnits: { AccessToken: string };
  };
  t.is(client.ClientName, 'shop-web');
  t.false(client.GenerateSecret);
  t.deepEqual(
    [...client.ExplicitAuthFlows].sort(),
    ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH'].sort(),
  );
  t.deepEqual(client.AllowedOAuthFlows, ['code']);
  t.is(client.PreventUserExistenceErrors, 'ENABLED');
  t.true(client.EnableTokenRevocation);
  t.deepEqual([client.AccessTokenValidity, client.TokenValidityUnits.AccessToken], [60, 'minutes']);
});

test('when the buckets are synthesized, then every one blocks public access and refuses plain HTTP', (t) => {
  const buckets = dev.template.findResources('AWS::S3::Bucket');
  t.is(Object.keys(buckets).length, 6, 'web, edge logs, upload, media, trail and trail access logs buckets');
  for (const [id, bucket] of Object.entries(buckets)) {
    t.deepEqual(
      bucket.Properties.PublicAccessBlockConfiguration,
      { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      id,
    );
    dev.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
  }
  dev.template.hasResourceProperties('AWS::S3::Bucket', {
    VersioningConfiguration: { Status: 'Enabled' },
    LoggingConfiguration: { DestinationBucketName: { Ref: dev.id(dev.edge.logBucket) } },
  });
});

test('when the distribution is synthesized, then the bucket is reached through origin access control', (t) => {
  // The web bucket's and the media bucket's (media.test.ts checks /media/*).
  dev.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 2);
  const distribution = onlyResource(dev.template, 'AWS::CloudFront::Distribution') as {
    DistributionConfig: {
      Origins: { Id: string; S3OriginConfig?: unknown; OriginAccessControlId?: unknown }[];
      DefaultCacheBehavior: { TargetOriginId: string; ViewerProtocolPolicy: string; CachePolicyId: string };
    };
  };
  const config = distribution.DistributionConfig;
  const s3Origin = config.Origins.find((origin) => origin.S3OriginConfig);
  if (!s3Origin) return t.fail('no S3 origin');
  t.truthy(s3Origin.OriginAccessControlId);
  t.is(config.DefaultCacheBehavior.TargetOriginId, s3Origin.Id);
  t.is(config.DefaultCacheBehavior.ViewerProtocolPolicy, 'redirect-to-https');
  t.is(config.DefaultCacheBehavior.CachePolicyId, cloudfront.CachePolicy.CACHING_OPTIMIZED.cachePolicyId);
});

test('when the distribution is synthesized, then /api/* goes uncached to the ALB over HTTPS with every method', (t) => {
  const distribution = onlyResource(dev.template, 'AWS::CloudFront::Distribution') as {
    DistributionConfig: {
      Origins: { Id: string; DomainName: unknown; CustomOriginConfig?: { OriginProtocolPolicy: string } }[];
      CacheBehaviors: {
        PathPattern: string;
        TargetOriginId: string;
        AllowedMethods: string[];
        CachePolicyId: string;
        OriginRequestPolicyId: string;
        ViewerProtocolPolicy: string;
      }[];
      Logging?: unknown;
      WebACLId: unknown;
    };
  };
  const config = distribution.DistributionConfig;
  const api = config.CacheBehaviors.find((behavior) => behavior.PathPattern === '/api/*');
  if (!api) return t.fail('no /api/* behaviour');
  const origin = config.Origins.find((candidate) => candidate.Id === api.TargetOriginId);
  t.deepEqual(origin?.DomainName, { 'Fn::GetAtt': [dev.id(dev.compute.alb), 'DNSName'] });
  t.is(origin?.CustomOriginConfig?.OriginProtocolPolicy, 'https-only');
  t.deepEqual([...api.AllowedMethods].sort(), ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
  t.is(api.CachePolicyId, cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId);
  t.is(api.OriginRequestPolicyId, cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId);
  t.is(api.ViewerProtocolPolicy, 'https-only');
  t.truthy(config.Logging);
});

test('when the storefront has its own certificate, then viewers need TLS 1.2 and the API origin is called by its name', (t) => {
  const app = new App({ context: { environment: 'prod' }, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'EdgeWithDomain');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const certificate = acm.Certificate.fromCertificateArn(
    stack,
    'Certificate',
    'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000',
  );
  new Edge(stack, 'Edge', {
    settings: environmentSettings(app),
    alb,
    mediaBucket: new s3.Bucket(stack, 'MediaBucket'),
    certificate,
    domainNames: ['shop.example.com'],
    apiOriginDomain: 'api.shop.example.com',
  });
  Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::Distribution', {
    DistributionConfig: Match.objectLike({
      Aliases: ['shop.example.com'],
      ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' }),
      Origins: Match.arrayWith([
        Match.objectLike({
          DomainName: 'api.shop.example.com',
          CustomOriginConfig: Match.objectLike({ OriginProtocolPolicy: 'https-only' }),
        }),
      ]),
    }),
  });
  t.pass();
});

test('when the web ACLs are synthesized, then both run the three managed groups and a blocking rate rule', (t) => {
  const acls = Object.values(dev.template.findResources('AWS::WAFv2::WebACL')).map(
    (acl) =>
      acl.Properties as {
        Scope: string;
        Rules: {
          Name: string;
          Action?: unknown;
          Statement: {
            ManagedRuleGroupStatement?: { VendorName: string; Name: string };
            RateBasedStatement?: { Limit: number; EvaluationWindowSec: number };
          };
          VisibilityConfig: { CloudWatchMetricsEnabled: boolean };
        }[];
        VisibilityConfig: { CloudWatchMetricsEnabled: boolean };
      },
  );
  t.deepEqual(acls.map((acl) => acl.Scope).sort(), ['CLOUDFRONT', 'REGIONAL']);
  for (const acl of acls) {
    const managed = acl.Rules.flatMap((rule) => rule.Statement.ManagedRuleGroupStatement ?? []);
    t.deepEqual(
      managed.map((group) => `${group.VendorName}/${group.Name}`),
      managedRuleGroups.map((name) => `AWS/${name}`),
      acl.Scope,
    );
    const rate = acl.Rules.filter((rule) => rule.Statement.RateBasedStatement);
    t.is(rate.length, 1, acl.Scope);
    t.is(rate[0]?.Statement.RateBasedStatement?.Limit, dev.settings.wafRateLimit);
    t.is(rate[0]?.Statement.RateBasedStatement?.EvaluationWindowSec, 300);
    t.deepEqual(rate[0]?.Action, { Block: {} });
    t.true(acl.VisibilityConfig.CloudWatchMetricsEnabled);
    t.true(acl.Rules.every((rule) => rule.VisibilityConfig.CloudWatchMetricsEnabled));
  }
});

test('when the web ACLs are synthesized, then the regional one guards the ALB and the CloudFront one the distribution', (t) => {
  dev.template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
    ResourceArn: { Ref: dev.id(dev.compute.alb) },
    WebACLArn: { 'Fn::GetAtt': [dev.id(dev.edge.albAcl), 'Arn'] },
  });
  dev.template.hasResourceProperties('AWS::CloudFront::Distribution', {
    DistributionConfig: Match.objectLike({ WebACLId: { 'Fn::GetAtt': [dev.id(dev.edge.cloudFrontAcl), 'Arn'] } }),
  });
  dev.template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL', Name: 'shop-dev-alb' });
  dev.template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT', Name: 'shop-dev-cloudfront' });
  t.pass();
});

test('when the edge deploys outside us-east-1, then synthesis reports that the CloudFront ACL cannot be created there', (t) => {
  const elsewhere = buildStack('dev', { region: 'eu-west-1' });
  const errors = Annotations.fromStack(elsewhere.stack).findError('*', Match.stringLikeRegexp('us-east-1'));
  t.is(errors.length, 1);
  const inUsEast1 = buildStack('dev', { region: 'us-east-1' });
  t.is(Annotations.fromStack(inUsEast1.stack).findError('*', Match.stringLikeRegexp('us-east-1')).length, 0);
});

test('when the trail is synthesized, then it covers every region with validated, KMS-encrypted logs copied to CloudWatch', (t) => {
  dev.template.hasResourceProperties('AWS::CloudTrail::Trail', {
    IsMultiRegionTrail: true,
    IncludeGlobalServiceEvents: true,
    EnableLogFileValidation: true,
    KMSKeyId: keyArn(dev),
    S3BucketName: { Ref: dev.id(dev.audit.trailBucket) },
    CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [dev.id(dev.audit.logGroup), 'Arn'] },
  });
  dev.template.hasResourceProperties('AWS::S3::Bucket', {
    LoggingConfiguration: { DestinationBucketName: { Ref: dev.id(dev.audit.accessLogsBucket) } },
  });
  prod.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  dev.template.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: Match.objectLike({
      Statement: Match.arrayWith([
        Match.objectLike({ Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:GenerateDataKey*' }),
      ]),
    }),
  });
  t.pass();
});

test('when the trail is synthesized, then four CIS metric filters each alarm on the ops topic', (t) => {
  const filters = Object.values(dev.template.findResources('AWS::Logs::MetricFilter')).map(
    (filter) =>
      filter.Properties as {
        FilterPattern: string;
        MetricTransformations: { MetricName: string; MetricNamespace: string }[];
      },
  );
  t.is(filters.length, 4);
  t.deepEqual(
    filters.map((filter) => filter.FilterPattern).sort(),
    Object.values(securityEventPatterns)
      .map((pattern) => pattern as string)
      .sort(),
  );
  t.true(filters.some((filter) => filter.FilterPattern.includes('$.errorCode = "*UnauthorizedOperation"')));
  for (const filter of filters) {
    const transformation = filter.MetricTransformations[0];
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: securityMetricNamespace,
      MetricName: transformation?.MetricName,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: dev.id(dev.monitoring.opsTopic) }],
    });
  }
});

/** The one alarm of that name in the dev stack. */
function alarmNamed(name: string): Record<string, unknown> {
  const found = Object.values(
    dev.template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: `shop-dev-${name}` } }),
  );
  if (found.length !== 1) throw new Error(`expected one alarm shop-dev-${name}, found ${found.length}`);
  return (found[0] as { Properties: Record<string, unknown> }).Properties;
}

for (const service of ['catalog', 'inventory']) {
  test(`when ${service} answers with any 5xx in five minutes, then an alarm fires`, (t) => {
    const alarm = alarmNamed(`${service}-5xx`);
    t.like(alarm, {
      MetricName: 'HTTPCode_Target_5XX_Count',
      Namespace: 'AWS/ApplicationELB',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test(`when more than 1 % of ${service}'s answers are 4xx, then an alarm fires`, (t) => {
    const alarm = alarmNamed(`${service}-4xx-rate`) as {
      Threshold: number;
      ComparisonOperator: string;
      Metrics: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string }; Stat: string } }[];
    };
    t.is(alarm.Threshold, 1);
    t.is(alarm.ComparisonOperator, 'GreaterThanThreshold');
    const expression = alarm.Metrics.find((metric) => metric.Expression)?.Expression ?? '';
    t.regex(expression, /100 \* FILL\(errors, 0\) \/ requests/);
    t.deepEqual(alarm.Metrics.flatMap((metric) => metric.MetricStat?.Metric.MetricName ?? []).sort(), [
      'HTTPCode_Target_4XX_Count',
      'RequestCount',
    ]);
  });

  test(`when ${service}'s p99 response time reaches 1 s, then an alarm fires`, (t) => {
    t.like(alarmNamed(`${service}-p99-latency`), {
      MetricName: 'TargetResponseTime',
      ExtendedStatistic: 'p99',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
}

test('when the table throttles or fails a request, then an alarm fires', (t) => {
  for (const [name, metricName] of [
    ['table-throttles', 'ThrottledRequests'],
    ['table-system-errors', 'SystemErrors'],
  ] as const) {
    const alarm = alarmNamed(name) as {
      Threshold: number;
      ComparisonOperator: string;
      Metrics: { MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string }[] } } }[];
    };
    t.is(alarm.Threshold, 0, name);
    t.is(alarm.ComparisonOperator, 'GreaterThanThreshold', name);
    const stats = alarm.Metrics.flatMap((metric) => metric.MetricStat ?? []);
    t.true(stats.length > 0 && stats.length <= 10, `${name}: an alarm's math reads at most 10 metrics`);
    t.true(
      stats.every((stat) => stat.Metric.MetricName === metricName),
      name,
    );
  }
});

test('when the analytics fleet falls a minute behind the stream, then an alarm fires', (t) => {
  t.like(alarmNamed('stream-iterator-age'), {
    Namespace: 'AWS/Kinesis',
    MetricName: 'GetRecords.IteratorAgeMilliseconds',
    Statistic: 'Maximum',
    Threshold: 60_000,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  });
});

test('when the analytics fleet skips a poison event, then an alarm fires, and quiet windows do not', (t) => {
  t.like(alarmNamed('poison-events'), {
    Namespace: 'Shop',
    MetricName: 'PoisonEvents',
    Statistic: 'Sum',
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching',
  });
});

test('when an alarm changes state, then the ops topic hears of it', (t) => {
  const alarms = Object.values(dev.template.findResources('AWS::CloudWatch::Alarm'));
  t.is(alarms.length, Object.keys(dev.monitoring.alarms).length + Object.keys(securityEventPatterns).length);
  for (const alarm of alarms) {
    t.deepEqual(alarm.Properties.AlarmActions, [{ Ref: dev.id(dev.monitoring.opsTopic) }], alarm.Properties.AlarmName);
  }
});

test('when the dashboard is synthesized, then it charts services, table, stream and analytics metrics', (t) => {
  const dashboard = onlyResource(dev.template, 'AWS::CloudWatch::Dashboard') as { DashboardName: string };
  t.is(dashboard.DashboardName, 'shop-dev');
  const body = JSON.stringify(dashboard);
  for (const expected of [
    'RequestCount',
    'HTTPCode_Target_4XX_Count',
    'HTTPCode_Target_5XX_Count',
    'TargetResponseTime',
    '"p50"',
    '"p99"',
    'ConsumedReadCapacityUnits',
    'ConsumedWriteCapacityUnits',
    'ThrottledRequests',
    'SystemErrors',
    'IncomingRecords',
    'GetRecords.IteratorAgeMilliseconds',
    '"Shop"',
    'UnitsSold',
    '"Revenue"',
    '"Currency"',
    '"USD"',
    'LowStockAlerts',
    'EventsProcessed',
    'PoisonEvents',
    'EventLagMs',
    '"p95"',
    'DuplicateEvents',
    'ProductViews',
  ]) {
    t.true(body.includes(expected.replaceAll('"', '\\"')), expected);
  }
});

test('when the dashboard is synthesized, then a graph charts the total of product views', (t) => {
  const dashboard = onlyResource(dev.template, 'AWS::CloudWatch::Dashboard') as {
    DashboardBody: { 'Fn::Join': [string, unknown[]] };
  };
  // The body is JSON joined around tokens (region, alarm ARNs), each inside a JSON string.
  const text = dashboard.DashboardBody['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : 'token'))
    .join('');
  const body = JSON.parse(text) as { widgets: { properties: { title?: string; metrics?: unknown[][] } }[] };
  const graph = body.widgets.find((widget) => widget.properties.title === 'Product views');
  if (!graph) return t.fail('no Product views graph');
  t.deepEqual(graph.properties.metrics, [
    ['Shop', 'ProductViews', { label: 'Product views (all categories)', period: 60, stat: 'Sum' }],
  ]);
});
