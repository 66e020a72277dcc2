// FORMAT.md "Deduplication / The background pass": a child process appends, flushes, moves the data file into the
// recipe, writes, deletes and collects a sibling, in a loop; we SIGKILL it at seeded random moments (so at every step
// of chunking, container writing, the recipe switch, the erase and collection), reopen the store, and check that
// every flushed object reads back identically through the recipe and the data file, and nothing after it is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/log.js';
import { DedupMediaStore } from '../../src/media/dedup/dedup-media-store.js';
import { DedupPass } from '../../src/media/dedup/dedup-pass.js';
import { cartridge, seededRandom, tempStore } from './cartridge-fixture.js';
import { runCrashRound } from './crash-round.js';
import { CRASH_SIZES, dedupCrashObject } from './dedup-crash-worker.js';

const here = fileURLToPath(import.meta.url);
const worker = path.join(path.dirname(here), `dedup-crash-worker${path.extname(here)}`);
const ROUNDS = 6;

test('a pass, a collection or a write killed at random moments loses nothing flushed and returns no wrong byte', async () => {
  const fixture = await tempStore();
  try {
    const descriptor = cartridge({ barcode: 'C00001L8', capacityBytes: 1024 ** 3 });
    await fixture.store.create(descriptor);
    const random = seededRandom(20261205);
    let flushed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      flushed = Math.max(flushed, (await runCrashRound(worker, [fixture.directory], 'VTL_DEDUP_CRASH_WORKER', 100 + Math.floor(random() * 900))).flushed);
      const store = new DedupMediaStore({ directory: fixture.directory, log: silentLogger() });
      const medium = await store.open(descriptor);
      let n = 0;
      for (;; n++) {
        const outcome = await medium.read();
        if (outcome.kind === 'end-of-data') break;
        const expected = dedupCrashObject(n);
        if (expected === 'F') assert.equal(outcome.kind, 'filemark', `round ${round}, object ${n}`);
        else assert.ok(outcome.kind === 'block' && outcome.data.equals(expected), `round ${round}, object ${n}`);
      }
      assert.ok(n >= flushed, `round ${round}: end of data ${n}, flushed ${flushed}`);
      await medium.close();
      // What the killed pass left is finished or collected by the next one, never read as data.
      await new DedupPass(store, silentLogger(), CRASH_SIZES).collect();
    }
    assert.ok(flushed > 0, 'the worker flushed something before its kills');
    const recipe = await new DedupMediaStore({ directory: fixture.directory, log: silentLogger() }).readRecipe(descriptor.barcode);
    assert.ok(recipe.objectCount > 0, 'the passes moved data into the recipe between the kills');
  } finally {
    await fixture.cleanup();
  }
});
