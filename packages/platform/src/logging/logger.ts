import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Creates the JSON logger every process uses; credentials (headers, tokens, passwords) are redacted. */
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
        paths: [
          'authorization',
          'cookie',
          'password',
          'token',
          'accessToken',
          'idToken',
          'refreshToken',
          '*.authorization',
          '*.cookie',
          '*.password',
          '*.token',
          '*.accessToken',
          '*.idToken',
          '*.refreshToken',
          '*.headers.authorization',
          '*.headers.cookie',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination(options.fd ?? 1),
  );
}
