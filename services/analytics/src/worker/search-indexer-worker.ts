// One search indexer worker: keeps the product index up to date from the stream, as its own KCL
// application (its own leases and checkpoints), so it neither waits for nor holds back analytics.
import { searchIndexer } from '@shop/topology';
import { runKclWorker } from './kcl-worker.js';

await runKclWorker({
  name: 'search-indexer',
  processor: '../indexer/search-indexer-main.ts',
  applicationName: searchIndexer.applicationName,
});
