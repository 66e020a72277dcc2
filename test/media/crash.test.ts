// FORMAT.md "Crash safety": a child process appends and flushes; we SIGKILL it at seeded random moments, reopen,
// and check that every flushed object reads back identically and that everything up to the recovered end of
// data is intact (a torn record is cut, never half-read).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cartridge, crashObject, seededRandom, tempStore } from './cartridge-fixture.js';
import type { TapeMedium } from '../../src/media/tape-medium.js';

const here = fileURLToPath(import.meta.url);
const worker = path.join(path.dirname(here), `crash-worker${path.extname(here)}`);
const ROUNDS = 10;

interface RoundResult {
  readonly flushed: number;
  readonly startedAt: number;
}

/** Run the worker for one round and kill it after a random delay; returns the last flushed end of data. */
function runRound(directory: string, barcode: string, round: number, delayMs: number): Promise<RoundResult> {
  return new Promise((resolve, reject) => {
    const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--test'));
    const child = spawn(process.execPath, [...execArgv, worker, directory, barcode, String(round)], {
      env: { ...process.env, VTL_CRASH_WORKER: '1' },
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

/** Read from object `from` to end of data, checking each object; returns the end of data. */
async function verify(medium: TapeMedium, roundOf: (objectNumber: number) => number, from: number): Promise<number> {
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

test('a writer killed at random moments loses nothing it flushed and leaves a clean tail', { timeout: 120_000 }, async (t) => {
  const fixture = await tempStore();
  try {
    const descriptor = cartridge({ barcode: 'CRASH1L8', capacityBytes: 1024 ** 3 });
    await fixture.store.create(descriptor);
    const random = seededRandom(20261126);
    const roundStarts: number[] = [];
    let torn = 0;
    const roundOf = (objectNumber: number): number => {
      let round = 0;
      while (round + 1 < roundStarts.length && roundStarts[round + 1] <= objectNumber) round++;
      return round;
    };
    for (let round = 0; round < ROUNDS; round++) {
      const { flushed, startedAt } = await runRound(fixture.directory, descriptor.barcode, round, 30 + Math.floor(random() * 200));
      roundStarts.push(startedAt);
      const medium = await fixture.store.open(descriptor);
      // Objects before the previous round's start were verified already and nothing writes there any more;
      // the last round reads the whole cartridge again.
      const from = round === ROUNDS - 1 ? 0 : (roundStarts.at(-2) ?? 0);
      const endOfData = await verify(medium, roundOf, from);
      assert.ok(endOfData >= flushed, `round ${round}: end of data ${endOfData} keeps every flushed object (${flushed})`);
      assert.equal(medium.position().atEndOfData, true);
      torn += fixture.lines.filter((line) => line.msg === 'cut a torn tail off the cartridge').length;
      fixture.lines.length = 0;
      await medium.close();
    }
    assert.ok(roundStarts.at(-1)! > 0, 'the rounds wrote something');
    t.diagnostic(`${ROUNDS} kills, ${roundStarts.at(-1)} objects at the last start, ${torn} torn tails cut`);
  } finally {
    await fixture.cleanup();
  }
});
