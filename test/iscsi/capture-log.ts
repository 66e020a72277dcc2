// A pino logger that keeps its JSON lines in memory, so tests can assert on what was logged (and what was not).
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../src/log.js';

export interface CapturedLog {
  readonly log: Logger;
  readonly lines: string[];
  records(): Record<string, unknown>[];
}

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done): void {
      for (const l of chunk.toString('utf8').split('\n')) if (l.length > 0) lines.push(l);
      done();
    },
  });
  const log = pino({ level: 'debug' }, stream);
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
