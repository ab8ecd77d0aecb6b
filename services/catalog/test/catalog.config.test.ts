import { ConfigError, loadConfig } from '@shop/platform';
import test from 'ava';
import { catalogConfig, defaultEventsRateLimit } from '../src/catalog.config.js';

test('when no events rate limit is configured, then it is 10 per second with a burst of 20', (t) => {
  const config = loadConfig(catalogConfig, {});
  t.deepEqual(defaultEventsRateLimit, { perSecond: 10, burst: 20 });
  t.deepEqual(config, { eventsRateLimitPerSecond: 10, eventsRateLimitBurst: 20 });
});

test('when the events rate limit comes from the environment, then it is read as numbers', (t) => {
  const config = loadConfig(catalogConfig, { EVENTS_RATE_LIMIT_PER_SECOND: '2.5', EVENTS_RATE_LIMIT_BURST: '7' });
  t.deepEqual(config, { eventsRateLimitPerSecond: 2.5, eventsRateLimitBurst: 7 });
});

test('when the events rate limit is zero or not a number, then loading fails naming each variable', (t) => {
  const error = t.throws(
    () => loadConfig(catalogConfig, { EVENTS_RATE_LIMIT_PER_SECOND: '0', EVENTS_RATE_LIMIT_BURST: 'many' }),
    { instanceOf: ConfigError },
  );
  t.regex(error?.message ?? '', /EVENTS_RATE_LIMIT_PER_SECOND is invalid/);
  t.regex(error?.message ?? '', /EVENTS_RATE_LIMIT_BURST is invalid/);
});
