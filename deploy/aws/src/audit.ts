import {
  Aws,
  aws_cloudtrail as cloudtrail,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cloudwatchActions,
  cx_api,
  Duration,
  aws_iam as iam,
  type aws_kms as kms,
  aws_logs as logs,
  RemovalPolicy,
  aws_s3 as s3,
  type aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from './environments.js';

export interface AuditProps {
  settings: EnvironmentSettings;
  /** Encrypts the trail's log files (CloudTrail is allowed to use it here) and its log group copy. */
  key: kms.IKey;
  /** Where the security alarms go. */
  opsTopic: sns.ITopic;
}

/**
 * CloudWatch Logs filter patterns from the CIS AWS Foundations Benchmark monitoring controls,
 * each counted into one metric that alarms on any occurrence.
 */
export const securityEventPatterns = {
  UnauthorizedApiCalls: '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
  RootAccountUsage:
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  ConsoleSignInFailures: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
  IamPolicyChanges: `{ ${[
    'DeleteGroupPolicy',
    'DeleteRolePolicy',
    'DeleteUserPolicy',
    'PutGroupPolicy',
    'PutRolePolicy',
    'PutUserPolicy',
    'CreatePolicy',
    'DeletePolicy',
    'CreatePolicyVersion',
    'DeletePolicyVersion',
    'AttachRolePolicy',
    'DetachRolePolicy',
    'AttachUserPolicy',
    'DetachUserPolicy',
    'AttachGroupPolicy',
    'DetachGroupPolicy',
  ]
    .map((eventName) => `($.eventName = ${eventName})`)
    .join(' || ')} }`,
} as const;

type SecurityEvent = keyof typeof securityEventPatterns;

export const securityMetricNamespace = 'CloudTrailMetrics';

/**
 * An account-wide CloudTrail trail (every region, global services, validated and encrypted log
 * files) with a copy in CloudWatch Logs, where metric filters turn the CIS security events into
 * alarms on the ops topic.
 *
 * The functions below build the parts into this one scope, as Compute does, so every resource's
 * construct path stays `Audit/<id>` (the logical ids, the cdk-nag suppressions and the checkov
 * skips are keyed on it).
 */
export class Audit extends Construct {
  readonly trail: cloudtrail.Trail;
  readonly trailBucket: s3.Bucket;
  /** Server access logs of the trail bucket (CIS: who read the audit records). */
  readonly accessLogsBucket: s3.Bucket;
  readonly logGroup: logs.LogGroup;
  readonly metricFilters: Record<SecurityEvent, logs.MetricFilter>;
  readonly alarms: Record<SecurityEvent, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: AuditProps) {
    super(scope, id);
    const { settings, key, opsTopic } = props;

    // S3 delivers the trail bucket's access logs under a bucket policy (logging.s3.amazonaws.com,
    // held to that bucket and account) instead of the legacy LogDeliveryWrite ACL.
    this.node.setContext(cx_api.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const buckets = trailBuckets(this);
    this.accessLogsBucket = buckets.accessLogs;
    this.trailBucket = buckets.trail;
    this.logGroup = trailLogGroup(this, settings, key);
    allowCloudTrailToUseKey(key);
    this.trail = new cloudtrail.Trail(this, 'Trail', {
      trailName: `shop-${settings.name}`,
      bucket: this.trailBucket,
      encryptionKey: key,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      managementEvents: cloudtrail.ReadWriteType.ALL,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: this.logGroup,
    });
    const alarms = securityEventAlarms(this, { settings, logGroup: this.logGroup, opsTopic });
    this.metricFilters = alarms.filters;
    this.alarms = alarms.alarms;
  }
}

/**
 * The trail's bucket and the bucket of its server access logs, in `scope`. Audit records, and who
 * read them, outlive the stack in every environment. Versions keep a deleted or overwritten log
 * object for a year.
 */
function trailBuckets(scope: Construct): { accessLogs: s3.Bucket; trail: s3.Bucket } {
  const accessLogs = new s3.Bucket(scope, 'TrailAccessLogs', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(365) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const trail = new s3.Bucket(scope, 'TrailBucket', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: 'trail-bucket/',
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return { accessLogs, trail };
}

/** The trail's copy in CloudWatch Logs, in `scope`, where the metric filters read it. */
function trailLogGroup(scope: Construct, settings: EnvironmentSettings, key: kms.IKey): logs.LogGroup {
  return new logs.LogGroup(scope, 'TrailLogs', {
    encryptionKey: key,
    retention: settings.name === 'prod' ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH,
    removalPolicy: settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
}

/**
 * CloudTrail encrypts each log file with a data key it asks KMS for, under an encryption context
 * naming the trail; this account's trails may do so, and nothing else through this grant.
 */
function allowCloudTrailToUseKey(key: kms.IKey): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudTrailToEncryptLogs',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${Aws.PARTITION}:cloudtrail:*:${Aws.ACCOUNT_ID}:trail/*`,
        },
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudTrailToDescribeKey',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
    }),
  );
}

interface SecurityEventAlarmsProps {
  settings: EnvironmentSettings;
  /** The trail's copy in CloudWatch Logs. */
  logGroup: logs.LogGroup;
  opsTopic: sns.ITopic;
}

/** For each CIS security event, in `scope`: a metric filter counting it and an alarm on the ops topic. */
function securityEventAlarms(
  scope: Construct,
  props: SecurityEventAlarmsProps,
): { filters: Record<SecurityEvent, logs.MetricFilter>; alarms: Record<SecurityEvent, cloudwatch.Alarm> } {
  const { settings, logGroup, opsTopic } = props;
  const action = new cloudwatchActions.SnsAction(opsTopic);
  const filters: Partial<Record<SecurityEvent, logs.MetricFilter>> = {};
  const alarms: Partial<Record<SecurityEvent, cloudwatch.Alarm>> = {};
  for (const [metricName, pattern] of Object.entries(securityEventPatterns) as [SecurityEvent, string][]) {
    const filter = new logs.MetricFilter(scope, `${metricName}Filter`, {
      logGroup,
      filterPattern: logs.FilterPattern.literal(pattern),
      metricNamespace: securityMetricNamespace,
      metricName,
      metricValue: '1',
    });
    const alarm = filter
      .metric({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) })
      .createAlarm(scope, `${metricName}Alarm`, {
        alarmName: `shop-${settings.name}-${metricName}`,
        alarmDescription: `CloudTrail recorded ${metricName} (CIS AWS Foundations monitoring control)`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    alarm.addAlarmAction(action);
    filters[metricName] = filter;
    alarms[metricName] = alarm;
  }
  return {
    filters: filters as Record<SecurityEvent, logs.MetricFilter>,
    alarms: alarms as Record<SecurityEvent, cloudwatch.Alarm>,
  };
}
