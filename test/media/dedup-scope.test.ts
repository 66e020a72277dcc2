// Deduplication scope (FORMAT.md "Deduplication / Scope"): a library with scope library has its own chunk store,
// the libraries with scope global share one; a recipe names its store, so a cartridge reads its chunks from there
// wherever it moves, and each store is collected from the recipes that name it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/log.js';
import { DedupMediaStore } from '../../src/media/dedup/dedup-media-store.js';
import { DedupPass } from '../../src/media/dedup/dedup-pass.js';
import { MediaFormatError, type CartridgeDescriptor } from '../../src/media/tape-medium.js';
import { cartridge } from './cartridge-fixture.js';
import { readsBack } from './dedup-read-back.js';

const DATA = Array.from({ length: 16 }, () => randomBytes(64 * 1024));
const OWN = cartridge({ barcode: 'L00001L8' }); // library lib0, scope library
const SHARED = [cartridge({ barcode: 'G00001L8' }), cartridge({ barcode: 'H00001L8' })]; // two libraries with scope global

/** lib0's cartridges (barcodes L...) go to its own store; every other one to the global store. */
const byLibrary = (barcode: string): string => (barcode.startsWith('L') ? 'lib0' : 'global');

async function writeSet(store: DedupMediaStore, descriptor: CartridgeDescriptor): Promise<void> {
  await store.create(descriptor);
  const medium = await store.open(descriptor);
  for (const block of DATA) await medium.write(block, { compress: true });
  await medium.close();
}

test('scope library keeps its own chunk store, scope global shares one, and each is collected from the recipes naming it', async () => {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-dedup-scope-'));
  try {
    const store = new DedupMediaStore({ directory, log: silentLogger(), storeOf: byLibrary, storeNames: ['lib0'] });
    const pass = new DedupPass(store, silentLogger());
    for (const descriptor of [OWN, ...SHARED]) {
      await writeSet(store, descriptor);
      await pass.absorb(descriptor);
    }
    const own = (await store.chunks('lib0')).stats();
    const shared = (await store.chunks('global')).stats();
    assert.ok(own.uniqueChunks > 0);
    assert.equal(shared.uniqueChunks, own.uniqueChunks, 'the two global cartridges share their chunks; lib0 stores its own copy');
    assert.equal(shared.storedBytes, own.storedBytes);
    assert.deepEqual(await readdir(path.join(directory, '.dedup', 'lib0')), ['00000000.vtchunk']);
    assert.ok((await readdir(path.join(directory, '.dedup'))).includes('00000000.vtchunk'));
    const usage = await store.usage(SHARED[1]?.barcode ?? '');
    assert.ok(usage.storedBytes < 4096, `the second global cartridge costs its recipe: ${usage.storedBytes}`);
    for (const descriptor of [OWN, ...SHARED]) await readsBack(store, descriptor, DATA);

    // lib0's cartridge moved to a library with scope global: its recipe still names lib0's store.
    const moved = new DedupMediaStore({ directory, log: silentLogger(), storeOf: () => 'global', storeNames: ['lib0'] });
    await readsBack(moved, OWN, DATA);
    // With no library of scope library named lib0 configured any more, its recipe's store is unknown: refused, not guessed.
    const unknown = new DedupMediaStore({ directory, log: silentLogger() });
    await assert.rejects(unknown.open(OWN), (error: unknown) => error instanceof MediaFormatError && /chunk store/.test(error.message));

    // Collection, per store (the containers written before this reopen are closed now).
    const reopened = new DedupMediaStore({ directory, log: silentLogger(), storeOf: byLibrary, storeNames: ['lib0'] });
    const collector = new DedupPass(reopened, silentLogger());
    await reopened.delete(SHARED[0]?.barcode ?? '');
    assert.deepEqual(await collector.collect(), [], 'the other global cartridge still references the global container');
    await reopened.delete(OWN.barcode);
    assert.deepEqual(await collector.collect(), [0], "lib0's container goes with its last cartridge");
    assert.deepEqual(await readdir(path.join(directory, '.dedup', 'lib0')), []);
    await readsBack(reopened, SHARED[1] ?? OWN, DATA);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});
