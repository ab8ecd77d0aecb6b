import { analyticsMetricNames, analyticsNamespace } from '@shop/platform';
import { searchIndexer } from '@shop/topology';
import {
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cloudwatchActions,
  Duration,
  aws_dynamodb as dynamodb,
  aws_elasticloadbalancingv2 as elbv2,
  aws_iam as iam,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { ComputeRefs, DataStoreRefs, ServiceFleet } from './contracts.js';
import type { EnvironmentSettings } from './environments.js';
import type { SearchDomain } from './search-domain.js';

export interface MonitoringProps {
  settings: EnvironmentSettings;
  compute: ComputeRefs;
  data: DataStoreRefs;
  search: SearchDomain;
  /** Where alarms go; a topic encrypted with the data key is created when absent. */
  opsTopic?: sns.ITopic;
}

/**
 * The analytics fleet's metrics: namespace and names as services/analytics publishes them
 * (`METRICS_NAMESPACE`, src/aggregation/event-metrics.ts). The totals carry no dimension; Revenue
 * exists only per currency.
 */

/** Revenue is charted in this currency (the catalog's prices are in USD). */
const revenueCurrency = 'USD';

/**
 * The table operations the services call. ThrottledRequests and SystemErrors exist only per
 * operation, and an alarm's metric math may read at most 10 metrics, so the list stays short.
 */
const tableOperations = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.BATCH_GET_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.SCAN,
  dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.DELETE_ITEM,
  dynamodb.Operation.BATCH_WRITE_ITEM,
];

const alarmPeriod = Duration.minutes(5);
/** Consumers more than a minute behind the stream's tip means analytics and alerts run late. */
export const iteratorAgeThresholdMs = 60_000;

/**
 * How far the search indexer is behind the stream's tip: the KCL's MillisBehindLatest, which it
 * publishes (metricsLevel SUMMARY) per shard under the application's name. A Metrics Insights
 * query takes the worst shard, whatever the shards are called after a reshard; the stream's own
 * iterator age would mix in the analytics fleet's reads.
 */
export const indexingLagQuery = `SELECT MAX(MillisBehindLatest) FROM SCHEMA("${searchIndexer.applicationName}", Operation, ShardId) WHERE Operation = 'ProcessTask'`;
/** Searches more than a minute behind the catalog's writes. */
export const indexingLagThresholdMs = 60_000;
/** AWS's recommended alarm: a node's JVM heap this full for three minutes. */
export const jvmPressureThresholdPercent = 95;

/**
 * The ops topic, one dashboard per environment (`shop-<env>`) and the alarms behind it: per
 * service errors and latency, table throttles and errors, stream lag and unreadable events, the
 * search domain's health and the indexing lag.
 */
export class Monitoring extends Construct {
  readonly opsTopic: sns.ITopic;
  readonly dashboard: cloudwatch.Dashboard;
  /** Every alarm, by a stable name such as `catalog-5xx` or `stream-iterator-age`. */
  readonly alarms: Record<string, cloudwatch.Alarm> = {};

  private readonly action: cloudwatchActions.SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { settings, compute, data } = props;
    this.opsTopic = props.opsTopic ?? this.createOpsTopic(settings, data);
    this.action = new cloudwatchActions.SnsAction(this.opsTopic);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `shop-${settings.name}`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# shop-platform ${settings.name}\nServices behind the ALB, the shared table, the event stream and analytics.`,
        width: 24,
        height: 2,
      }),
    );
    this.addLoadBalancer(compute.alb);
    for (const fleet of compute.services) this.addService(settings, fleet);
    this.addTable(settings, data.table);
    this.addStream(settings, data);
    this.addAnalytics(settings);
    this.addSearch(settings, props.search);
  }

  private createOpsTopic(settings: EnvironmentSettings, data: DataStoreRefs): sns.Topic {
    const topic = new sns.Topic(this, 'OpsTopic', {
      topicName: `shop-${settings.name}-ops`,
      displayName: `shop-platform ${settings.name} alarms`,
      masterKey: data.key,
      enforceSSL: true,
    });
    // CloudWatch publishes alarm notifications itself, so it must be able to use the topic's key.
    data.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    if (settings.opsEmail) topic.addSubscription(new subscriptions.EmailSubscription(settings.opsEmail));
    return topic;
  }

  private alarm(name: string, metric: cloudwatch.IMetric, options: Omit<cloudwatch.AlarmProps, 'metric'>) {
    const alarm = new cloudwatch.Alarm(this, `${name}Alarm`, { ...options, metric });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms[name] = alarm;
    return alarm;
  }

  private addLoadBalancer(alb: elbv2.ApplicationLoadBalancer): void {
    const period = Duration.minutes(1);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'ALB requests',
        left: [alb.metrics.requestCount({ period, statistic: cloudwatch.Stats.SUM })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'ALB-generated errors (no healthy target, timeouts)',
        left: [
          alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_4XX_COUNT, { period, statistic: cloudwatch.Stats.SUM }),
          alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period, statistic: cloudwatch.Stats.SUM }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'ALB target response time',
        left: [
          alb.metrics.targetResponseTime({ period, statistic: cloudwatch.Stats.p(50) }),
          alb.metrics.targetResponseTime({ period, statistic: cloudwatch.Stats.p(99) }),
        ],
        width: 8,
      }),
    );
  }

  private addService(settings: EnvironmentSettings, fleet: ServiceFleet): void {
    const { name, targetGroup } = fleet;
    const sum = (metric: 'requests' | elbv2.HttpCodeTarget, period: Duration) =>
      metric === 'requests'
        ? targetGroup.metrics.requestCount({ period, statistic: cloudwatch.Stats.SUM })
        : targetGroup.metrics.httpCodeTarget(metric, { period, statistic: cloudwatch.Stats.SUM });
    const latency = (percentile: number, period: Duration) =>
      targetGroup.metrics.targetResponseTime({ period, statistic: cloudwatch.Stats.p(percentile) });

    const errors5xx = this.alarm(`${name}-5xx`, sum(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, alarmPeriod), {
      alarmName: `shop-${settings.name}-${name}-5xx`,
      alarmDescription: `${name} answered with a 5xx: a bug or a dependency down`,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // No 4xx datum is published in a window without 4xx answers, hence FILL; no requests, no rate.
    const rate4xx = new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
      usingMetrics: {
        requests: sum('requests', alarmPeriod),
        errors: sum(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, alarmPeriod),
      },
      label: `${name} 4xx %`,
      period: alarmPeriod,
    });
    const errors4xx = this.alarm(`${name}-4xx-rate`, rate4xx, {
      alarmName: `shop-${settings.name}-${name}-4xx-rate`,
      alarmDescription: `More than 1 % of ${name}'s answers are 4xx: a broken client or a probe`,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const slow = this.alarm(`${name}-p99-latency`, latency(99, alarmPeriod), {
      alarmName: `shop-${settings.name}-${name}-p99-latency`,
      alarmDescription: `${name}'s p99 response time reached 1 s in two windows running`,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const period = Duration.minutes(1);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `${name}: requests and errors`,
        left: [sum('requests', period)],
        right: [sum(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, period), sum(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period)],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: `${name}: target response time (s)`,
        left: [latency(50, period), latency(99, period)],
        leftAnnotations: [{ value: 1, label: 'p99 alarm' }],
        width: 8,
      }),
      new cloudwatch.AlarmStatusWidget({ title: `${name}: alarms`, alarms: [errors5xx, errors4xx, slow], width: 8 }),
    );
  }

  private addTable(settings: EnvironmentSettings, table: dynamodb.ITable): void {
    const throttles = table.metricThrottledRequestsForOperations({ operations: tableOperations, period: alarmPeriod });
    const systemErrors = table.metricSystemErrorsForOperations({ operations: tableOperations, period: alarmPeriod });
    const throttled = this.alarm('table-throttles', throttles, {
      alarmName: `shop-${settings.name}-table-throttles`,
      alarmDescription: 'DynamoDB throttled requests to the shop table (a hot partition?)',
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const failed = this.alarm('table-system-errors', systemErrors, {
      alarmName: `shop-${settings.name}-table-system-errors`,
      alarmDescription: 'DynamoDB answered requests to the shop table with a 500',
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const period = Duration.minutes(1);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Table: consumed capacity units',
        left: [
          table.metricConsumedReadCapacityUnits({ period, statistic: cloudwatch.Stats.SUM }),
          table.metricConsumedWriteCapacityUnits({ period, statistic: cloudwatch.Stats.SUM }),
        ],
        width: 6,
      }),
      // Two graphs: both expressions name their per-operation metrics alike, which one graph refuses.
      new cloudwatch.GraphWidget({ title: 'Table: throttled requests', left: [throttles], width: 6 }),
      new cloudwatch.GraphWidget({ title: 'Table: system errors', left: [systemErrors], width: 6 }),
      new cloudwatch.AlarmStatusWidget({ title: 'Table: alarms', alarms: [throttled, failed], width: 6 }),
    );
  }

  private addStream(settings: EnvironmentSettings, data: DataStoreRefs): void {
    const iteratorAge = (period: Duration) =>
      data.stream.metricGetRecordsIteratorAgeMilliseconds({ period, statistic: cloudwatch.Stats.MAXIMUM });
    const lagging = this.alarm('stream-iterator-age', iteratorAge(alarmPeriod), {
      alarmName: `shop-${settings.name}-stream-iterator-age`,
      alarmDescription: 'The analytics fleet is a minute or more behind the event stream',
      threshold: iteratorAgeThresholdMs,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // KCL workers poll even an idle stream, so no datum at all means no worker is reading.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    const period = Duration.minutes(1);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Stream: incoming records',
        left: [data.stream.metricIncomingRecords({ period, statistic: cloudwatch.Stats.SUM })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Stream: GetRecords iterator age (ms)',
        left: [iteratorAge(period)],
        leftAnnotations: [{ value: iteratorAgeThresholdMs, label: 'alarm' }],
        width: 8,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Stream: alarms', alarms: [lagging], width: 8 }),
    );
  }

  /**
   * The domain's alarms as AWS recommends them for OpenSearch Service (cluster status, storage,
   * JVM pressure, snapshots), one-minute periods, and the search indexer's lag.
   */
  private addSearch(settings: EnvironmentSettings, search: SearchDomain): void {
    const { domain } = search;
    const minute = Duration.minutes(1);
    const nodes = settings.search;
    const atLeastOnce = {
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // The domain publishes these every minute; a gap is the service's, not a fault to page on.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    const red = this.alarm('search-cluster-red', domain.metricClusterStatusRed({ period: minute }), {
      ...atLeastOnce,
      alarmName: `shop-${settings.name}-search-cluster-red`,
      alarmDescription: 'A primary shard of the search domain is unassigned: searches or index writes fail',
    });
    const yellow = this.alarm('search-cluster-yellow', domain.metricClusterStatusYellow({ period: minute }), {
      ...atLeastOnce,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      alarmName: `shop-${settings.name}-search-cluster-yellow`,
      alarmDescription:
        'Replica shards of the search domain have been unassigned for five minutes: a node or zone lost',
    });
    // A quarter of one node's volume, in MiB (FreeStorageSpace's unit); Minimum is the fullest node.
    const storageThresholdMiB = (nodes.volumeGiB * 1024) / 4;
    const storage = this.alarm(
      'search-free-storage',
      domain.metricFreeStorageSpace({ period: minute, statistic: cloudwatch.Stats.MINIMUM }),
      {
        alarmName: `shop-${settings.name}-search-free-storage`,
        alarmDescription: `A search data node has less than a quarter of its ${nodes.volumeGiB} GiB volume free`,
        threshold: storageThresholdMiB,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    const pressure = (metric: cloudwatch.IMetric, name: string, nodesOf: string) =>
      this.alarm(name, metric, {
        alarmName: `shop-${settings.name}-${name}`,
        alarmDescription: `The JVM heap of a search ${nodesOf} node was ${jvmPressureThresholdPercent} % full for three minutes`,
        threshold: jvmPressureThresholdPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const jvm = pressure(
      domain.metricJVMMemoryPressure({ period: minute, statistic: cloudwatch.Stats.MAXIMUM }),
      'search-jvm-pressure',
      'data',
    );
    const masterJvm =
      nodes.masterNodes > 0
        ? pressure(
            domain.metricMasterJVMMemoryPressure({ period: minute, statistic: cloudwatch.Stats.MAXIMUM }),
            'search-master-jvm-pressure',
            'master',
          )
        : undefined;
    const snapshots = this.alarm(
      'search-snapshot-failure',
      domain.metricAutomatedSnapshotFailure({ period: minute, statistic: cloudwatch.Stats.MAXIMUM }),
      {
        ...atLeastOnce,
        alarmName: `shop-${settings.name}-search-snapshot-failure`,
        alarmDescription: "The search domain's automated (hourly) snapshot failed",
      },
    );
    const indexingLag = (period: Duration) =>
      new cloudwatch.MathExpression({
        expression: indexingLagQuery,
        usingMetrics: {},
        period,
        label: 'Search indexer: ms behind the stream (worst shard)',
      });
    const lagging = this.alarm('search-indexing-lag', indexingLag(alarmPeriod), {
      alarmName: `shop-${settings.name}-search-indexing-lag`,
      alarmDescription: 'The search indexer is a minute or more behind the event stream: searches show stale products',
      threshold: indexingLagThresholdMs,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // The KCL publishes the metric on every poll, idle stream included: none means no indexer reads.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    const alarms = [red, yellow, storage, jvm, ...(masterJvm ? [masterJvm] : []), snapshots, lagging];
    this.addSearchWidgets(settings, search, { storageThresholdMiB, indexingLag, alarms });
  }

  private addSearchWidgets(
    settings: EnvironmentSettings,
    search: SearchDomain,
    shown: {
      storageThresholdMiB: number;
      indexingLag: (period: Duration) => cloudwatch.IMetric;
      alarms: cloudwatch.Alarm[];
    },
  ): void {
    const { domain } = search;
    const minute = Duration.minutes(1);
    const nodes = settings.search;
    const { storageThresholdMiB, indexingLag, alarms } = shown;
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Search: cluster status (red, yellow)',
        left: [domain.metricClusterStatusRed({ period: minute }), domain.metricClusterStatusYellow({ period: minute })],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Search: JVM memory pressure (%)',
        left: [
          domain.metricJVMMemoryPressure({ period: minute, statistic: cloudwatch.Stats.MAXIMUM }),
          ...(nodes.masterNodes > 0
            ? [domain.metricMasterJVMMemoryPressure({ period: minute, statistic: cloudwatch.Stats.MAXIMUM })]
            : []),
        ],
        leftAnnotations: [{ value: jvmPressureThresholdPercent, label: 'alarm' }],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Search: free storage, fullest node (MiB)',
        left: [domain.metricFreeStorageSpace({ period: minute, statistic: cloudwatch.Stats.MINIMUM })],
        leftAnnotations: [{ value: storageThresholdMiB, label: 'alarm' }],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Search: latency, p99 (ms)',
        left: [
          domain.metricSearchLatency({ period: minute, statistic: cloudwatch.Stats.p(99) }),
          domain.metricIndexingLatency({ period: minute, statistic: cloudwatch.Stats.p(99) }),
        ],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Search indexer: ms behind the stream',
        left: [indexingLag(minute)],
        leftAnnotations: [{ value: indexingLagThresholdMs, label: 'alarm' }],
        width: 8,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Search: alarms', alarms, width: 16 }),
    );
  }

  private addAnalytics(settings: EnvironmentSettings): void {
    const metric = (metricName: string, options: cloudwatch.MetricOptions = {}) =>
      new cloudwatch.Metric({
        namespace: analyticsNamespace,
        metricName,
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.SUM,
        ...options,
      });
    const names = analyticsMetricNames;
    const poison = this.alarm('poison-events', metric(names.poisonEvents, { period: alarmPeriod }), {
      alarmName: `shop-${settings.name}-poison-events`,
      alarmDescription: 'The analytics fleet read records it could not decode; they were skipped',
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Sales',
        left: [metric(names.unitsSold)],
        right: [
          metric(names.revenue, {
            dimensionsMap: { Currency: revenueCurrency },
            label: `Revenue (${revenueCurrency})`,
          }),
        ],
        width: 6,
      }),
      // The total only: the per-category series have no fixed list of categories to chart.
      new cloudwatch.GraphWidget({
        title: 'Product views',
        left: [metric(names.productViews, { label: 'Product views (all categories)' })],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Events processed, duplicates, poison; low-stock alerts',
        left: [metric(names.eventsProcessed), metric(names.duplicateEvents), metric(names.poisonEvents)],
        right: [metric(names.lowStockAlerts)],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Event lag, p95 (ms)',
        left: [metric(names.eventLagMs, { statistic: cloudwatch.Stats.p(95) })],
        width: 6,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Analytics: alarms', alarms: [poison], width: 24 }),
    );
  }
}
