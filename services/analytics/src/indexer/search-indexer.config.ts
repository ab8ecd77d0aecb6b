import { type ConfigOf, defineConfig } from '@shop/platform';
import { searchConfig } from '@shop/product-index';
import Joi from 'joi';
import { analyticsConfig } from '../analytics.config.js';

/** Configuration of the search indexer's record processors: the worker's, plus where the index is. */
export const searchIndexerConfig = defineConfig({
  ...analyticsConfig,
  ...searchConfig,
  searchWriteTimeoutMs: {
    env: 'SEARCH_WRITE_TIMEOUT_MS',
    doc: 'How long one bulk write to the index may take before it is retried',
    schema: Joi.number().integer().min(100).max(120_000),
    default: 10_000,
  },
  checkpointSeconds: {
    env: 'SEARCH_INDEXER_CHECKPOINT_SECONDS',
    doc: 'The longest a shard goes between checkpoints while records arrive (a restart re-reads at most this much, harmlessly)',
    schema: Joi.number().min(0).max(300),
    default: 5,
  },
});

export type SearchIndexerConfig = ConfigOf<typeof searchIndexerConfig>;
