// One analytics worker: metrics and supplier alerts from the stream. `npm start` runs ANALYTICS_WORKERS of these.
import { analyticsWorker } from '@shop/topology';
import { runKclWorker } from './kcl-worker.js';

await runKclWorker({
  name: 'analytics-worker',
  processor: '../processor/record-processor-main.ts',
  applicationName: analyticsWorker.applicationName,
});
