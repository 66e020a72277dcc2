// FORMAT.md "Partitions": a child process formats a cartridge again and again (one partition, then two, ...) and
// writes into every partition of each new layout; we SIGKILL it at seeded random moments and reopen. The cartridge
// must be in one whole layout, the old one or the new one: the partitions that layout says, each holding only its
// own blocks, never a mix of two layouts, and the files of every other layout gone after the open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cartridge, seededRandom, tempStore } from './cartridge-fixture.js';
import { runCrashRound } from './crash-round.js';
import { fillOf, FORMAT_CRASH_CAPACITY, layoutNumber, partitionsOfLayout } from './format-crash-worker.js';

const here = fileURLToPath(import.meta.url);
const worker = path.join(path.dirname(here), `format-crash-worker${path.extname(here)}`);
const ROUNDS = 10;

test('a FORMAT MEDIUM killed at any moment leaves the old layout or the new one, whole', { timeout: 120_000 }, async (t) => {
  const fixture = await tempStore();
  try {
    const descriptor = cartridge({ barcode: 'FMTCRSL8', capacityBytes: FORMAT_CRASH_CAPACITY });
    await fixture.store.create(descriptor);
    const random = seededRandom(20261205);
    const layouts = new Set<number>();
    for (let round = 0; round < ROUNDS; round++) {
      const { flushed } = await runCrashRound(worker, [fixture.directory, descriptor.barcode], 'VTL_FORMAT_CRASH_WORKER', 20 + Math.floor(random() * 150));
      const medium = await fixture.store.open(descriptor);
      try {
        const layout = await layoutNumber(fixture.directory, descriptor.barcode);
        layouts.add(layout);
        assert.ok(layout >= flushed, `round ${round}: layout ${layout} is at least the last one written and flushed (${flushed})`);
        const expected = partitionsOfLayout(layout);
        assert.deepEqual(medium.partitionCapacities().map((c) => c.capacityBytes), expected.length === 0 ? [FORMAT_CRASH_CAPACITY] : expected, `round ${round}: layout ${layout}`);
        for (let partition = 0; partition < medium.partitionCapacities().length; partition++) {
          await medium.changePartition(partition);
          for (;;) {
            const outcome = await medium.read();
            if (outcome.kind === 'end-of-data') break;
            assert.equal(outcome.kind, 'block');
            if (outcome.kind === 'block') assert.ok(outcome.data.every((byte) => byte === fillOf(layout, partition)), `round ${round}: partition ${partition} holds only layout ${layout}'s blocks`);
          }
        }
        const files = (await readdir(path.join(fixture.directory, descriptor.barcode))).filter((name) => /\.(vtape|vtidx)$/.test(name));
        const own = new Set(Array.from({ length: Math.max(1, expected.length) }, (_, p) => [`data-${layout}-${p}.vtape`, `index-${layout}-${p}.vtidx`]).flat());
        assert.deepEqual(files.filter((name) => !own.has(name)), [], `round ${round}: no file of another layout is left`);
      } finally {
        await medium.close();
      }
    }
    t.diagnostic(`${ROUNDS} kills, layouts seen after them: ${[...layouts].join(', ')}`);
    assert.ok(layouts.size > 1, 'the kills came at different formats');
  } finally {
    await fixture.cleanup();
  }
});
