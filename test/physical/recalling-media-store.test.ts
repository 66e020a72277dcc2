// RecallingMediaStore over an in-memory store: stubs before deletes, open cartridges never released, recalls that
// fail leave the stub and nothing else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CartridgeDescriptor } from '../../src/media/tape-medium.js';
import { MemoryMediaStore } from '../../src/scsi/ssc/testing/memory-media-store.js';
import { CartridgeInUseError, RecallingMediaStore } from '../../src/physical/recalling-media-store.js';
import { ReleasedStore, type ReleasedStub } from '../../src/physical/released-store.js';

const CART: CartridgeDescriptor = { barcode: 'R00001L8', generation: 8, worm: false, capacityBytes: 1 << 30 };
const STUB: ReleasedStub = { barcode: 'R00001L8', physicalLibrary: 'archive', objects: 2, bytes: 5, jobId: 'j1', releasedAt: '2026-12-05T00:00:00.000Z' };

function files(): { readFile(name: string): Promise<Buffer | undefined>; writeFileAtomic(name: string, b: Buffer): Promise<void>; saved: Map<string, Buffer> } {
  const saved = new Map<string, Buffer>();
  return { saved, readFile: (n) => Promise.resolve(saved.get(n)), writeFileAtomic: (n, b) => Promise.resolve(void saved.set(n, b)) };
}

async function setup(): Promise<{ store: RecallingMediaStore; inner: MemoryMediaStore; releasedTo: Map<string, string>; file: ReturnType<typeof files> }> {
  const inner = new MemoryMediaStore();
  const file = files();
  const store = new RecallingMediaStore(inner, new ReleasedStore(file));
  const releasedTo = new Map<string, string>();
  store.bind(releasedTo, async (_stub, medium) => {
    await medium.write(Buffer.from('hello'), { compress: false });
    await medium.writeFilemarks(1);
    await medium.flush();
  });
  await inner.create(CART);
  return { store, inner, releasedTo, file };
}

test('a release deletes the disk copy after saving the stub; the barcode still exists and is listed', async () => {
  const { store, inner, releasedTo, file } = await setup();
  await store.release(STUB);
  assert.equal(await inner.exists(CART.barcode), false);
  assert.equal(await store.exists(CART.barcode), true);
  assert.deepEqual(await store.list(), [CART.barcode]);
  assert.equal(releasedTo.get(CART.barcode), 'archive');
  assert.match(file.saved.get('released.json')?.toString() ?? '', /R00001L8/);
});

test('a release of a cartridge that is open (in a drive or a copy) is refused, and allowed once it is closed', async () => {
  const { store, inner } = await setup();
  const medium = await store.open(CART);
  await assert.rejects(store.release(STUB), CartridgeInUseError);
  assert.equal(await inner.exists(CART.barcode), true);
  await medium.close();
  await store.release(STUB);
  assert.equal(await inner.exists(CART.barcode), false);
});

test('opening a released cartridge recalls it first, then forgets the stub', async () => {
  const { store, releasedTo } = await setup();
  await store.release(STUB);
  const medium = await store.open(CART);
  const first = await medium.read();
  assert.ok(first.kind === 'block' && first.data.toString() === 'hello');
  assert.equal((await medium.read()).kind, 'filemark');
  await medium.close();
  assert.equal(store.stubs.get(CART.barcode), undefined);
  assert.equal(releasedTo.has(CART.barcode), false);
});

test('a recall that fails keeps the stub, leaves no disk copy, and the open fails with its reason', async () => {
  const { store, inner, releasedTo } = await setup();
  await store.release(STUB);
  store.bind(releasedTo, async (_stub, medium) => {
    await medium.write(Buffer.from('part'), { compress: false });
    throw new Error('READ failed: MEDIUM ERROR: UNRECOVERED READ ERROR (03 11/00)');
  });
  await assert.rejects(store.open(CART), /UNRECOVERED READ ERROR/);
  assert.deepEqual(store.stubs.get(CART.barcode), STUB);
  assert.equal(releasedTo.get(CART.barcode), 'archive');
  assert.equal(await inner.exists(CART.barcode), false);
});
