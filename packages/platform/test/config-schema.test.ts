import test from 'ava';
import Joi from 'joi';
import { ConfigError, defineConfig, describeConfig, loadConfig, port } from '../src/index.js';

const spec = defineConfig({
  port: { env: 'TEST_PORT', doc: 'where to listen', schema: port(), default: 3000 },
  name: { env: 'TEST_NAME', doc: 'a required name', schema: Joi.string() },
});

test('when the environment is valid, then values are parsed and defaults fill gaps', (t) => {
  t.deepEqual(loadConfig(spec, { TEST_NAME: 'shop' }), { port: 3000, name: 'shop' });
  t.deepEqual(loadConfig(spec, { TEST_NAME: 'shop', TEST_PORT: '8080' }), { port: 8080, name: 'shop' });
  t.deepEqual(loadConfig(spec, { TEST_NAME: 'env' }, { name: 'override' }), { port: 3000, name: 'override' });
});

test('when a variable is missing or invalid, then the error names each variable', (t) => {
  const error = t.throws(() => loadConfig(spec, { TEST_PORT: 'eighty' }), { instanceOf: ConfigError });
  t.regex(error?.message ?? '', /TEST_PORT is invalid/);
  t.regex(error?.message ?? '', /"eighty"/);
  t.regex(error?.message ?? '', /TEST_NAME is required/);
});

test('when a spec is described, then every key lists its env name, default and doc', (t) => {
  t.deepEqual(describeConfig(spec), [
    { env: 'TEST_PORT', default: '3000', doc: 'where to listen' },
    { env: 'TEST_NAME', default: '', doc: 'a required name' },
  ]);
});
