// The dedup tests' common check: a cartridge reads back block by block as written, whatever its chunks became.
import assert from 'node:assert/strict';
import type { DedupMediaStore } from '../../src/media/dedup/dedup-media-store.js';
import type { CartridgeDescriptor } from '../../src/media/tape-medium.js';

export async function readsBack(store: DedupMediaStore, descriptor: CartridgeDescriptor, blocks: readonly Buffer[]): Promise<void> {
  const medium = await store.open(descriptor);
  try {
    for (const [n, block] of blocks.entries()) {
      const read = await medium.read();
      assert.ok(read.kind === 'block' && read.data.equals(block), `${descriptor.barcode} block ${n}`);
    }
  } finally {
    await medium.close();
  }
}
