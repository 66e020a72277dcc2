// Property: whatever sequence of operations (and failures, and restarts) is applied, no cartridge is ever lost,
// duplicated or stranded, the catalog agrees with the media files and with what the drives hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LibraryStateError } from '../../src/library/library-state-error.js';
import { harness } from './harness.js';
import type { Harness } from './harness.js';
import { checkInvariants } from './invariants.js';

const ADDRESSES = [0x0000, 0x0010, 0x0011, 0x0100, 0x0101, 0x1000, 0x1001, 0x1002, 0x1003, 0x1004, 0x1005, 0x2000];
const POOL = ['A00001L8', 'A00002L8', 'A00003L8', 'T00001L8', 'T00002L8', 'T00003L7', 'W00001LY', 'CLN001CU'];

type Op =
  | { kind: 'move'; from: number; to: number }
  | { kind: 'exchange'; source: number; first: number; second: number }
  | { kind: 'create'; barcode: string; into: 'storage' | 'importExport' }
  | { kind: 'delete' | 'import' | 'export' | 'shelve' | 'unshelve' | 'protect' | 'unload'; barcode: string }
  | { kind: 'prevent' | 'failLoad'; drive: number; on: boolean }
  | { kind: 'restart' };

const address = fc.constantFrom(...ADDRESSES);
const barcode = fc.constantFrom(...POOL);
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('move' as const), from: address, to: address }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('exchange' as const), source: address, first: address, second: address }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('create' as const), barcode, into: fc.constantFrom('storage' as const, 'importExport' as const) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constantFrom('delete' as const, 'import' as const, 'export' as const, 'shelve' as const, 'unshelve' as const, 'protect' as const, 'unload' as const), barcode }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constantFrom('prevent' as const, 'failLoad' as const), drive: fc.constantFrom(0, 1), on: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('restart' as const) }), weight: 1 },
);

async function apply(h: Harness, o: Op): Promise<void> {
  const m = h.manager;
  switch (o.kind) {
    case 'move': await m.move('lib0', o.from, o.to, { actor: 'host' }); return;
    case 'exchange': await m.exchange('lib0', o.source, o.first, o.second, { actor: 'host' }); return;
    case 'create': await m.createCartridges({ library: 'lib0', barcodes: [o.barcode], into: o.into, capacityBytes: 1 << 20 }); return;
    case 'delete': await m.deleteCartridge(o.barcode); return;
    case 'import': await m.importCartridge(o.barcode); return;
    case 'export': await m.exportCartridge(o.barcode); return;
    case 'shelve': await m.shelveCartridge(o.barcode, { direct: true }); return;
    case 'unshelve': await m.unshelveCartridge(o.barcode); return;
    case 'protect': await m.setWriteProtected(o.barcode, !m.cartridge(o.barcode).writeProtected); return;
    case 'unload': {
      const c = m.cartridge(o.barcode);
      if (c.location.kind === 'element' && c.location.type === 'dataTransfer') await m.unloadDrive('lib0', c.location.index);
      return;
    }
    case 'prevent': if (h.drives[o.drive]) h.drives[o.drive].removalPrevented = o.on; return;
    case 'failLoad': if (h.drives[o.drive]) h.drives[o.drive].failLoad = o.on; return;
    case 'restart': await h.restart(); return;
  }
}

test('random operations and restarts never lose, duplicate or strand a cartridge', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
      const h = await harness();
      try {
        const expected = new Set(['A00001L8', 'A00002L8', 'A00003L8']);
        for (const o of ops) {
          try {
            await apply(h, o);
            if (o.kind === 'create') expected.add(o.barcode);
            if (o.kind === 'delete') expected.delete(o.barcode);
          } catch (err) {
            // Refusals are fine; anything that is not a LibraryStateError is a bug.
            if (!(err instanceof LibraryStateError)) throw err;
          }
          assert.deepEqual(h.manager.cartridges().map((c) => c.barcode).sort(), [...expected].sort());
          await checkInvariants(h.manager, h.store, h.drives);
        }
      } finally {
        h.cleanup();
      }
    }),
    { numRuns: 40 },
  );
});
