// The background pass's scheduler (src/media/dedup/dedup-scheduler.ts): a round stops early at shutdown, and the
// figures it keeps (progress, backlog, the cartridge in hand) are the API's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { silentLogger } from '../../src/log.js';
import { DedupMediaStore } from '../../src/media/dedup/dedup-media-store.js';
import { DedupPass } from '../../src/media/dedup/dedup-pass.js';
import { DedupScheduler } from '../../src/media/dedup/dedup-scheduler.js';
import { MemoryStorage } from '../../src/storage/memory-storage.js';
import { cartridge } from './cartridge-fixture.js';

const CARTRIDGES = [cartridge({ barcode: 'D00001L8' }), cartridge({ barcode: 'D00002L8' })];
const BLOCK = 64 * 1024;

test('stop() during a round stops the cartridge in hand before its switch and starts no other, and nothing is lost', async () => {
  const store = new DedupMediaStore({ directory: '/unused', log: silentLogger(), storage: new MemoryStorage() });
  const data = Array.from({ length: 8 }, () => randomBytes(BLOCK));
  for (const descriptor of CARTRIDGES) {
    await store.create(descriptor);
    const medium = await store.open(descriptor);
    for (const block of data) await medium.write(block, { compress: true });
    await medium.close();
  }
  const seen: { barcode: string | undefined; running: boolean }[] = [];
  let stopped: Promise<void> | undefined;
  // At the first cartridge's step "chunked" (all its chunks stored, not yet synced nor switched), the server shuts down.
  const pass = new DedupPass(store, silentLogger(), undefined, (step) => {
    if (step !== 'chunked' || stopped !== undefined) return;
    seen.push({ barcode: scheduler.status.cartridge?.barcode, running: scheduler.status.running });
    stopped = scheduler.stop();
  });
  const scheduler = new DedupScheduler({ store, pass, idle: () => true, log: silentLogger(), describe: (barcode) => CARTRIDGES.find((c) => c.barcode === barcode) });
  const progress = await scheduler.runNow();
  await stopped;
  assert.deepEqual(seen, [{ barcode: 'D00001L8', running: true }], 'the status named the cartridge in hand');
  assert.equal(progress.movedBytes, 0, 'nothing was switched');
  assert.equal(progress.running, false);
  assert.equal(progress.cartridge, undefined);
  assert.equal(progress.backlogBytes, 2 * (8 * BLOCK + 8 * 28), 'both cartridges are still backlog');
  for (const descriptor of CARTRIDGES) {
    assert.equal((await store.readRecipe(descriptor.barcode)).objectCount, 0, `${descriptor.barcode} has no recipe`);
    const medium = await store.open(descriptor);
    for (const block of data) {
      const read = await medium.read();
      assert.ok(read.kind === 'block' && read.data.equals(block));
    }
    await medium.close();
  }
});

test('a WORM cartridge stays in its data file, opens and reads as written, and the round goes on to the next cartridge', async () => {
  const store = new DedupMediaStore({ directory: '/unused', log: silentLogger(), storage: new MemoryStorage() });
  const worm = cartridge({ barcode: 'W00001LY', worm: true });
  const plain = cartridge({ barcode: 'X00001L8' });
  const data = Array.from({ length: 4 }, () => randomBytes(BLOCK));
  for (const descriptor of [worm, plain]) {
    await store.create(descriptor);
    const medium = await store.open(descriptor);
    for (const block of data) await medium.write(block, { compress: true });
    await medium.writeFilemarks(1);
    await medium.close();
  }
  const scheduler = new DedupScheduler({ store, pass: new DedupPass(store, silentLogger()), idle: () => true, log: silentLogger(), describe: (barcode) => [worm, plain].find((c) => c.barcode === barcode) });
  const progress = await scheduler.runNow();
  assert.equal(progress.movedBytes, 4 * BLOCK, 'the rewritable cartridge moved');
  assert.equal((await store.readRecipe(worm.barcode)).objectCount, 0, 'the WORM one has no recipe');
  assert.ok((await store.usage(worm.barcode)).backlogBytes > 4 * BLOCK);
  const medium = await store.open(worm);
  for (const block of data) {
    const read = await medium.read();
    assert.ok(read.kind === 'block' && read.data.equals(block));
  }
  assert.equal((await medium.read()).kind, 'filemark');
  await medium.close();
});
