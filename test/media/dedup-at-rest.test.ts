// Deduplication with encryption at rest (FORMAT.md "Deduplication / Encryption at rest"): chunk containers are
// sealed under their store's key, which the master key wraps; `vtl key rotate` re-wraps it with the cartridges'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { silentLogger } from '../../src/log.js';
import { MasterKey } from '../../src/media/crypto/master-key.js';
import { rotateMasterKey } from '../../src/media/crypto/rotate-master-key.js';
import { DedupMediaStore } from '../../src/media/dedup/dedup-media-store.js';
import { DedupPass } from '../../src/media/dedup/dedup-pass.js';
import { MemoryStorage } from '../../src/storage/memory-storage.js';
import { cartridge } from './cartridge-fixture.js';
import { readsBack } from './dedup-read-back.js';

const DATA = Array.from({ length: 12 }, (_, n) => (n % 2 === 0 ? randomBytes(64 * 1024) : Buffer.alloc(64 * 1024, n)));
const CARTRIDGES = [cartridge({ barcode: 'E00001L8' }), cartridge({ barcode: 'E00002L8' })];

test('sealed containers deduplicate, verify in a scrub, read back, and read back after vtl key rotate under the new key only', async () => {
  const storage = new MemoryStorage();
  const first = MasterKey.generate();
  const store = new DedupMediaStore({ directory: '/unused', log: silentLogger(), storage, masterKey: first });
  const pass = new DedupPass(store, silentLogger());
  for (const descriptor of CARTRIDGES) {
    await store.create(descriptor);
    const medium = await store.open(descriptor);
    for (const block of DATA) await medium.write(block, { compress: true });
    await medium.close();
    await pass.absorb(descriptor);
  }
  const usage = await store.usage(CARTRIDGES[1]?.barcode ?? '');
  assert.ok(usage.storedBytes < 1024, `the second copy costs its recipe: ${usage.storedBytes}`);
  assert.deepEqual((await pass.scrub()).damaged, []);
  for (const descriptor of CARTRIDGES) await readsBack(store, descriptor, DATA);

  // The store's key is not under the plain master key any more once rotated; a store opened with the old key fails.
  const second = MasterKey.generate();
  const report = await rotateMasterKey(storage, first, second, silentLogger());
  assert.ok(report.rotated.includes('.dedup'), JSON.stringify(report));
  assert.deepEqual(report.failed, []);
  const rotated = new DedupMediaStore({ directory: '/unused', log: silentLogger(), storage, masterKey: second });
  for (const descriptor of CARTRIDGES) await readsBack(rotated, descriptor, DATA);
  const stale = new DedupMediaStore({ directory: '/unused', log: silentLogger(), storage, masterKey: first });
  await assert.rejects(stale.chunks(), /wrapped by master key/);
  // Without any master key the sealed chunks are not offered and read as damaged, never as clear bytes.
  const keyless = new DedupMediaStore({ directory: '/unused', log: silentLogger(), storage });
  const recipe = await keyless.readRecipe(CARTRIDGES[0]?.barcode ?? '');
  const ref = recipe.chunks[0];
  assert.ok(ref);
  await assert.rejects((await keyless.chunks()).get(ref), /sealed and no master key/);
});
