// Structured logging for every layer: one pino logger, children per component. On a terminal the lines are made
// readable by pino-pretty (time, level, component, message, then the fields on the same line); anywhere else (a
// pipe, a file, journald) they stay one JSON object per line for machines. VTL_LOG_FORMAT=json|pretty overrides.
import { isatty } from 'node:tty';
import { pino } from 'pino';
import { PinoPretty } from 'pino-pretty';

export type Logger = pino.Logger;

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerOptions {
  readonly level?: string;
  /** Write to this file descriptor (default stdout). */
  readonly destination?: number;
  /** Default: $VTL_LOG_FORMAT, else pretty on a terminal and JSON otherwise. */
  readonly format?: LogFormat;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const dest = options.destination ?? 1;
  const requested = process.env['VTL_LOG_FORMAT'];
  const valid = requested === undefined || requested === '' || (LOG_FORMATS as readonly string[]).includes(requested);
  const format = options.format ?? (valid && requested !== undefined && requested !== '' ? (requested as LogFormat) : isatty(dest) ? 'pretty' : 'json');
  const settings: pino.LoggerOptions = {
    level: options.level ?? process.env['VTL_LOG_LEVEL'] ?? 'info',
    base: { app: 'vtl' },
    // Secrets never reach a log line, whatever a caller passes.
    redact: { paths: ['secret', '*.secret', '*.*.secret', 'password', '*.password', 'token', '*.token'], censor: '[redacted]' },
  };
  const log =
    format === 'pretty'
      ? pino(
          settings,
          PinoPretty({
            destination: dest,
            sync: false,
            colorize: isatty(dest),
            translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
            ignore: 'pid,hostname,app,component',
            messageFormat: '{if component}{component}: {end}{msg}',
            singleLine: true,
          }),
        )
      : pino(settings, pino.destination({ dest, sync: false }));
  if (!valid) log.warn({ VTL_LOG_FORMAT: requested }, 'VTL_LOG_FORMAT must be json or pretty; ignored');
  return log;
}

/** A logger that drops everything: for unit tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
