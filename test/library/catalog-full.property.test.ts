// Property: whatever the operations, and whichever catalog writes fail for lack of space (and when), an operation
// either happens whole or changes nothing: no cartridge lost, duplicated or stranded, the drives holding what the
// catalog says, and the media files agreeing with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { CatalogWriteError } from '../../src/library/catalog-write-error.js';
import { LibraryManager } from '../../src/library/library-manager.js';
import { LibraryStateError } from '../../src/library/library-state-error.js';
import { silentLogger } from '../../src/log.js';
import { CatalogDisk, EVERY_WRITE } from './catalog-disk.js';
import type { WatchedWrite } from './catalog-disk.js';
import { FakeDrive, FakeMediaStore } from './fakes.js';
import { smallConfig } from './harness.js';
import { checkInvariants } from './invariants.js';

const ADDRESSES = [0x0010, 0x0011, 0x0100, 0x0101, 0x1000, 0x1001, 0x1002, 0x1003, 0x1004, 0x1005];
const POOL = ['A00001L8', 'A00002L8', 'A00003L8', 'T00001L8', 'T00002L8'];

type Op =
  | { kind: 'move'; from: number; to: number }
  | { kind: 'exchange'; source: number; first: number; second: number }
  | { kind: 'create' | 'delete' | 'export' | 'import' | 'protect'; barcode: string }
  | { kind: 'fill'; watched: readonly WatchedWrite[] }
  | { kind: 'free' };

// Drives are where a half-done move would show: they come up as often as all slots together.
const address = fc.oneof(fc.constantFrom(0x0100, 0x0101), fc.constantFrom(...ADDRESSES));
// A commit that fails after the intent was written (only the relocation needs space) is the dangerous case.
const watched: fc.Arbitrary<readonly WatchedWrite[]> = fc.oneof(
  { arbitrary: fc.constant<readonly WatchedWrite[]>(['UPDATE ON cartridges']), weight: 3 },
  { arbitrary: fc.constant([...EVERY_WRITE]), weight: 1 },
  { arbitrary: fc.subarray([...EVERY_WRITE], { minLength: 1 }), weight: 2 },
);
const barcode = fc.constantFrom(...POOL);
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('move' as const), from: address, to: address }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('exchange' as const), source: address, first: address, second: address }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constantFrom('create' as const, 'delete' as const, 'export' as const, 'import' as const, 'protect' as const), barcode }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('fill' as const), watched }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('free' as const) }), weight: 1 },
);

test('with catalog writes failing at random, every operation happens whole or not at all', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
      const dir = mkdtempSync(join(tmpdir(), 'vtl-catalog-full-property-'));
      const db = new Database(join(dir, 'catalog.sqlite'));
      const store = new FakeMediaStore();
      const manager = new LibraryManager({ config: smallConfig(), mediaStore: store, log: silentLogger(), db });
      try {
        await manager.start();
        const drives = [new FakeDrive('lib0/0'), new FakeDrive('lib0/1')];
        for (const [i, d] of drives.entries()) await manager.attachDrive('lib0', i, d);
        const disk = new CatalogDisk(db);
        for (const o of ops) {
          const before = JSON.stringify(manager.cartridges().map((c) => [c.barcode, c.location, c.writeProtected]));
          const loadedBefore = drives.map((d) => d.loaded?.barcode);
          try {
            switch (o.kind) {
              case 'move': await manager.move('lib0', o.from, o.to, { actor: 'host' }); break;
              case 'exchange': await manager.exchange('lib0', o.source, o.first, o.second, { actor: 'host' }); break;
              case 'create': await manager.createCartridges({ library: 'lib0', barcodes: [o.barcode], capacityBytes: 1 << 20 }); break;
              case 'delete': await manager.deleteCartridge(o.barcode); break;
              case 'export': await manager.exportCartridge(o.barcode); break;
              case 'import': await manager.importCartridge(o.barcode); break;
              case 'protect': await manager.setWriteProtected(o.barcode, !manager.cartridge(o.barcode).writeProtected); break;
              case 'fill': disk.fill(o.watched); break;
              case 'free': disk.free(); break;
            }
          } catch (err) {
            if (err instanceof CatalogWriteError) {
              const after = JSON.stringify(manager.cartridges().map((c) => [c.barcode, c.location, c.writeProtected]));
              assert.equal(after, before, `${o.kind} failed to write the catalog but changed it`);
              assert.deepEqual(drives.map((d) => d.loaded?.barcode), loadedBefore, `${o.kind} failed to write the catalog but moved a drive`);
            } else if (!(err instanceof LibraryStateError)) {
              throw err;
            }
          }
          await checkInvariants(manager, store, drives);
        }
      } finally {
        manager.close();
        db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 30 },
  );
});
