// Structured logging for every layer: one pino logger, children per component.
import { pino } from 'pino';

export type Logger = pino.Logger;

export interface LoggerOptions {
  readonly level?: string;
  /** Write to this file descriptor (default stdout). */
  readonly destination?: number;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env['VTL_LOG_LEVEL'] ?? 'info',
      base: { app: 'vtl' },
      // Secrets never reach a log line, whatever a caller passes.
      redact: { paths: ['secret', '*.secret', '*.*.secret', 'password', '*.password', 'token', '*.token'], censor: '[redacted]' },
    },
    pino.destination({ dest: options.destination ?? 1, sync: false }),
  );
}

/** A logger that drops everything: for unit tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
