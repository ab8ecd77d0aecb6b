import { ConfigError, loadConfig } from '@shop/platform';
import test from 'ava';
import { catalogConfig, defaultEventsRateLimit } from '../src/catalog.config.js';

test('when no events rate limit is configured, then it is 10 per second with a burst of 20', (t) => {
  const config = loadConfig(catalogConfig, {});
  t.deepEqual(defaultEventsRateLimit, { perSecond: 10, burst: 20 });
  t.like(config, { eventsRateLimitPerSecond: 10, eventsRateLimitBurst: 20 });
});

test('when the events rate limit comes from the environment, then it is read as numbers', (t) => {
  const config = loadConfig(catalogConfig, { EVENTS_RATE_LIMIT_PER_SECOND: '2.5', EVENTS_RATE_LIMIT_BURST: '7' });
  t.like(config, { eventsRateLimitPerSecond: 2.5, eventsRateLimitBurst: 7 });
});

test('when the events rate limit is zero or not a number, then loading fails naming each variable', (t) => {
  const error = t.throws(
    () => loadConfig(catalogConfig, { EVENTS_RATE_LIMIT_PER_SECOND: '0', EVENTS_RATE_LIMIT_BURST: 'many' }),
    { instanceOf: ConfigError },
  );
  t.regex(error?.message ?? '', /EVENTS_RATE_LIMIT_PER_SECOND is invalid/);
  t.regex(error?.message ?? '', /EVENTS_RATE_LIMIT_BURST is invalid/);
});

test('when no search engine is configured, then search has no endpoint, the products alias and a 1 s timeout', (t) => {
  const config = loadConfig(catalogConfig, {});
  t.like(config, { searchEndpoint: '', searchIndex: 'products', searchTimeoutMs: 1000 });
});

test('when the search settings come from the environment, then they are read; bad ones fail naming each variable', (t) => {
  const config = loadConfig(catalogConfig, {
    SEARCH_ENDPOINT: 'https://search.example.test',
    SEARCH_INDEX: 'products-eu',
    SEARCH_TIMEOUT_MS: '250',
  });
  t.like(config, { searchEndpoint: 'https://search.example.test', searchIndex: 'products-eu', searchTimeoutMs: 250 });
  const error = t.throws(
    () =>
      loadConfig(catalogConfig, {
        SEARCH_ENDPOINT: 'ftp://search',
        SEARCH_INDEX: 'Products!',
        SEARCH_TIMEOUT_MS: '10',
      }),
    { instanceOf: ConfigError },
  );
  for (const name of ['SEARCH_ENDPOINT', 'SEARCH_INDEX', 'SEARCH_TIMEOUT_MS']) {
    t.regex(error?.message ?? '', new RegExp(`${name} is invalid`));
  }
});
