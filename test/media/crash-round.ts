// Shared by the crash tests of the cartridge format (crash.test.ts), of the S3 storage (test/storage/s3-crash) and of
// deduplication (dedup-crash.test.ts, the round only): the writer their child process runs, the round that starts and
// SIGKILLs that child, and the read-back check.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { TapeMedium } from '../../src/media/tape-medium.js';
import { crashObject, seededRandom } from './cartridge-fixture.js';

export interface CrashRound {
  /** The end of data of the worker's last flush (its start if it flushed nothing). */
  readonly flushed: number;
  /** The end of data it found when it started. */
  readonly startedAt: number;
}

/**
 * The child's loop: from end of data, appends `crashObject(n, round)` in seeded random bursts, flushes after each and
 * prints `ready N` once, then `flushed N` after every flush, until it is killed.
 */
export async function appendUntilKilled(medium: TapeMedium, round: number): Promise<never> {
  await medium.spaceToEndOfData();
  const random = seededRandom(round * 7919 + 1);
  process.stdout.write(`ready ${medium.position().objectNumber}\n`);
  for (;;) {
    const burst = 1 + Math.floor(random() * 40);
    for (let i = 0; i < burst; i++) {
      const objectNumber = medium.position().objectNumber;
      const object = crashObject(objectNumber, round);
      if (object.kind === 'block') {
        await medium.write(object.data, { compress: object.compress });
        continue;
      }
      // Consecutive filemarks go in one command: one run record.
      let count = 1;
      while (crashObject(objectNumber + count, round).kind === 'filemark') count++;
      await medium.writeFilemarks(count);
      i += count - 1;
    }
    await medium.flush();
    process.stdout.write(`flushed ${medium.position().objectNumber}\n`);
  }
}

/**
 * Runs `worker` with `args` (its environment variable `envFlag` set to 1, so its main runs) and kills it `delayMs`
 * after it printed `ready`; a worker that exits by itself or dies before it is ready fails the round.
 */
export function runCrashRound(worker: string, args: readonly string[], envFlag: string, delayMs: number): Promise<CrashRound> {
  return new Promise((resolve, reject) => {
    const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--test'));
    const child = spawn(process.execPath, [...execArgv, worker, ...args], {
      env: { ...process.env, [envFlag]: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let flushed = -1;
    let startedAt = -1;
    let pending = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const [word, value] = line.split(' ');
        if (word === 'ready') {
          startedAt = Number(value);
          flushed = startedAt;
          timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
        } else if (word === 'flushed') flushed = Number(value);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`worker exited with ${code ?? signal}: ${stderr}`));
      else if (startedAt < 0) reject(new Error(`worker was killed before it was ready: ${stderr}`));
      else resolve({ flushed, startedAt });
    });
  });
}

/** Reads from object `from` to end of data, checking each object against the round that wrote it; the end of data. */
export async function verifyCrashObjects(medium: TapeMedium, roundOf: (objectNumber: number) => number, from = 0): Promise<number> {
  await medium.locate(from);
  for (;;) {
    const objectNumber = medium.position().objectNumber;
    const outcome = await medium.read();
    if (outcome.kind === 'end-of-data') return objectNumber;
    const expected = crashObject(objectNumber, roundOf(objectNumber));
    assert.equal(outcome.kind, expected.kind, `object ${objectNumber}`);
    if (outcome.kind === 'block' && expected.kind === 'block') assert.ok(outcome.data.equals(expected.data), `object ${objectNumber} reads back identically`);
  }
}
