import { defineConfig } from '@shop/platform';
import Joi from 'joi';
import type { SearchSigning } from './search-client.js';

/** Where the product index is: read by catalog's search, written by the search indexer. */
export const searchConfig = defineConfig({
  searchEndpoint: {
    env: 'SEARCH_ENDPOINT',
    doc: 'The OpenSearch endpoint of the product index (the local node, or the domain in AWS); search answers 503 without it',
    schema: Joi.string()
      .uri({ scheme: ['http', 'https'] })
      .allow(''),
    default: '',
  },
  searchIndex: {
    env: 'SEARCH_INDEX',
    doc: 'The alias of the product index',
    schema: Joi.string().pattern(/^[a-z0-9][a-z0-9_-]*$/),
    default: 'products',
  },
  searchReplicas: {
    env: 'SEARCH_REPLICAS',
    doc: "Replicas of each product index the writer makes: 0 on one node; in AWS, enough for the domain's zones (2 with standby over three)",
    schema: Joi.number().integer().min(0).max(5),
    default: 0,
  },
  searchSigning: {
    env: 'SEARCH_SIGNING',
    doc: 'How requests to the engine are signed: none (the local node) or sigv4 (an Amazon OpenSearch Service domain)',
    schema: Joi.string<SearchSigning>().valid('none', 'sigv4'),
    default: 'none' as SearchSigning,
  },
});
