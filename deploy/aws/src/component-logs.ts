import { type aws_kms as kms, aws_logs as logs, RemovalPolicy } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ComponentName } from './component-names.js';
import type { EnvironmentSettings } from './environments.js';

export interface ComponentLogsProps {
  settings: EnvironmentSettings;
  /** Encrypts every log group; its policy must let CloudWatch Logs use it (DataStores). */
  logsKey: kms.IKey;
}

/** The log groups the CloudWatch agents write to. */
export interface ComponentLogs {
  /** The log group of each component's process output. */
  components: Readonly<Record<ComponentName, logs.LogGroup>>;
  /** The agents' embedded-metric-format records of the scraped Prometheus metrics, all components. */
  metrics: logs.LogGroup;
}

/** The components' log groups in `scope`: kept a year and retained in prod, a month in dev. */
export function componentLogs(scope: Construct, props: ComponentLogsProps): ComponentLogs {
  const { settings, logsKey } = props;
  const logGroup = (name: string) =>
    new logs.LogGroup(scope, name, {
      encryptionKey: logsKey,
      retention: settings.retainData ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH,
      removalPolicy: settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  const components = {
    catalog: logGroup('CatalogLogs'),
    inventory: logGroup('InventoryLogs'),
    analytics: logGroup('AnalyticsLogs'),
    'search-indexer': logGroup('SearchIndexerLogs'),
  };
  return { components, metrics: logGroup('PrometheusMetricLogs') };
}
