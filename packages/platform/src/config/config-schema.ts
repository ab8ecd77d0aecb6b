import Joi from 'joi';
import { ConfigError } from '../errors/app-error.js';

/** One configuration key: where it comes from, what it means, its default and its schema. */
export interface ConfigKey<T> {
  env: string;
  doc: string;
  schema: Joi.Schema<T>;
  default?: T;
}

// biome-ignore lint/suspicious/noExplicitAny: a spec maps keys to ConfigKey of any value type
export type ConfigSpec = Record<string, ConfigKey<any>>;
export type ConfigOf<S extends ConfigSpec> = { [K in keyof S]: S[K] extends ConfigKey<infer T> ? T : never };

/** Defines a config spec with its types kept. */
export function defineConfig<S extends ConfigSpec>(spec: S): S {
  return spec;
}

/**
 * Reads and validates configuration; explicit `overrides` win over the environment, which wins
 * over defaults. Fails with one message naming every bad variable.
 */
export function loadConfig<S extends ConfigSpec>(
  spec: S,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<ConfigOf<S>> = {},
): ConfigOf<S> {
  const problems: string[] = [];
  const result: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(spec)) {
    const raw = name in overrides ? (overrides as Record<string, unknown>)[name] : env[key.env];
    const value = raw === undefined || raw === '' ? key.default : raw;
    if (value === undefined) {
      problems.push(`${key.env} is required (${key.doc})`);
      continue;
    }
    const { error, value: parsed } = key.schema.validate(value, { convert: true });
    if (error) {
      problems.push(
        `${key.env} is invalid: ${error.message.replace(/^"value" /, '')} (got ${JSON.stringify(value)}; ${key.doc})`,
      );
      continue;
    }
    result[name] = parsed;
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return result as ConfigOf<S>;
}

/** Lists a spec as rows for documentation: env name, default, doc. */
export function describeConfig(spec: ConfigSpec): Array<{ env: string; default: string; doc: string }> {
  return Object.values(spec).map((key) => ({
    env: key.env,
    default: key.default === undefined ? '' : String(key.default),
    doc: key.doc,
  }));
}

export const port = () => Joi.number().integer().min(0).max(65535);
export const url = () => Joi.string().uri({ scheme: ['http', 'https'] });
