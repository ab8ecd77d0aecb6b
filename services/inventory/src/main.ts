import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  awsClientConfig,
  ConfigError,
  loadConfig,
  measureAwsClient,
  startService,
  traceAwsClient,
} from '@shop/platform';
import { httpServices } from '@shop/topology';
import { createApp } from './app.js';
import { inventoryConfig } from './inventory.config.js';

function loadInventoryConfig() {
  try {
    return loadConfig(inventoryConfig);
  } catch (error) {
    // As for the shared keys: one message naming the bad variables, no stack trace.
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

const config = loadInventoryConfig();

const spec = httpServices.inventory;

startService({
  name: spec.name,
  portEnv: spec.port.env,
  defaultPort: spec.port.default,
  defaultMetricsPort: spec.metricsPort.default,
  // Built here rather than at the top: tracing is configured by then, and the process metrics exist.
  createApp: (deps) => {
    const client = new CloudWatchClient(
      awsClientConfig({
        region: config.region,
        ...(config.cloudWatchEndpoint ? { endpoint: config.cloudWatchEndpoint } : {}),
      }),
    );
    const cloudWatch = traceAwsClient(deps.metrics ? measureAwsClient(client, deps.metrics, 'CloudWatch') : client);
    return createApp({
      ...deps,
      dashboard: { cloudWatch, namespace: config.metricsNamespace, cacheSeconds: config.dashboardCacheSeconds },
    });
  },
});
