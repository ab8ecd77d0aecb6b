// Run by the KCL MultiLangDaemon of the search indexer, one process per shard lease. stdout is the
// daemon's protocol channel: logs go to stderr.
import { createLogger, loadConfig } from '@shop/platform';
import { createSearchClient, ProductIndexProjector, ProductSearchRepository } from '@shop/product-index';
import kcl from 'aws-kcl';
import { kclCallbacks, metricsPusher } from '../processor/kcl-callbacks.js';
import { IndexShardProcessor } from './index-shard-processor.js';
import { IndexerMetrics } from './indexer-metrics.js';
import { searchIndexerConfig } from './search-indexer.config.js';

const config = loadConfig(searchIndexerConfig);
const logger = createLogger({ name: 'search-indexer', level: config.logLevel, fd: 2 });
if (!config.searchEndpoint) {
  logger.fatal('SEARCH_ENDPOINT is not set: the search indexer has no index to write');
  process.exit(1);
}
const repository = new ProductSearchRepository({
  client: createSearchClient({
    endpoint: config.searchEndpoint,
    timeoutMs: config.searchWriteTimeoutMs,
    signing: config.searchSigning,
    region: config.region,
  }),
  alias: config.searchIndex,
  replicas: config.searchReplicas,
});
const observer = new IndexerMetrics();
const processor = new IndexShardProcessor({
  projector: new ProductIndexProjector(repository),
  prepare: () => repository.ensureIndex(),
  observer,
  logger,
  checkpointIntervalMs: config.checkpointSeconds * 1000,
});
const pushMetrics = metricsPusher(config.metricsPushUrl, logger, () => observer.snapshot());
setInterval(() => void pushMetrics(), 5_000).unref();
kcl(kclCallbacks(processor, logger, pushMetrics)).run();
