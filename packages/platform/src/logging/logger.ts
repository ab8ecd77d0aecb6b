import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Creates the JSON logger every process uses; secrets in headers are redacted. */
export function createLogger(options: {
  name: string;
  level?: string /** 2 for stderr; stdout by default. */;
  fd?: number;
}): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      base: { service: options.name },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.accessToken', '*.idToken'],
        censor: '[redacted]',
      },
    },
    pino.destination(options.fd ?? 1),
  );
}
