import { type Logger, pino } from 'pino';
import { redactSecrets } from './secret-redaction.js';

export type { Logger } from 'pino';

const redactRecord = (record: Record<string, unknown>) => redactSecrets(record) as Record<string, unknown>;

/**
 * Creates the JSON logger every process uses. Credentials (authorization and cookie headers,
 * tokens, passwords, bearer values, JWTs) are redacted at any depth of what is logged, errors and
 * child bindings included, since pino's path-based `redact` cannot reach an error's
 * `response.headers.authorization`.
 */
export function createLogger(options: {
  name: string;
  level?: string;
  /** 2 for stderr; stdout by default. */
  fd?: number;
}): Logger {
  const logger = pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      base: { service: options.name },
      formatters: { log: redactRecord, bindings: redactRecord },
    },
    pino.destination(options.fd ?? 1),
  );
  // pino applies the bindings formatter to the root only; children (which inherit this) redact here.
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, childOptions) {
    return child.call(this, redactRecord(bindings), childOptions);
  } as Logger['child'];
  return logger;
}
