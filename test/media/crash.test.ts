// FORMAT.md "Crash safety": a child process appends and flushes; we SIGKILL it at seeded random moments, reopen,
// and check that every flushed object reads back identically and that everything up to the recovered end of
// data is intact (a torn record is cut, never half-read).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cartridge, seededRandom, tempStore } from './cartridge-fixture.js';
import { runCrashRound, verifyCrashObjects } from './crash-round.js';

const here = fileURLToPath(import.meta.url);
const worker = path.join(path.dirname(here), `crash-worker${path.extname(here)}`);
const ROUNDS = 10;

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
      const { flushed, startedAt } = await runCrashRound(worker, [fixture.directory, descriptor.barcode, String(round)], 'VTL_CRASH_WORKER', 30 + Math.floor(random() * 200));
      roundStarts.push(startedAt);
      const medium = await fixture.store.open(descriptor);
      // Objects before the previous round's start were verified already and nothing writes there any more;
      // the last round reads the whole cartridge again.
      const from = round === ROUNDS - 1 ? 0 : (roundStarts.at(-2) ?? 0);
      const endOfData = await verifyCrashObjects(medium, roundOf, from);
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
