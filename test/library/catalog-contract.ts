// The catalog's behaviour, one suite for every implementation of its SQL connection (catalog-contract.test.ts runs
// it on SQLite and on PostgreSQL). A backend opens catalogs on one storage: opening again sees what was committed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog, CATALOG_SCHEMA_VERSION } from '../../src/library/catalog.js';
import type { NewCartridgeRow } from '../../src/library/catalog.js';
import { MIGRATIONS } from '../../src/library/catalog-migrations.js';
import { runAndKillMover, verifyAfterCrash } from './catalog-crash.js';

export interface CatalogBackend {
  readonly name: string;
  /** Prepare an empty storage; `open` then opens catalogs on it. */
  setUp(): Promise<{ open(): Catalog; crashTarget: { kind: 'sqlite'; dir: string } | { kind: 'postgres'; url: string; dir: string }; tearDown(): void }>;
}

const cartridge = (barcode: string, index: number | null, extra: Partial<NewCartridgeRow> = {}): NewCartridgeRow => ({
  barcode, generation: 8, worm: false, cleaning: false, capacityBytes: 12_000_000_000_000, library: 'lib0',
  elementType: index === null ? null : 'storage', elementIndex: index, placedByOperator: false, ...extra,
});

export function catalogContract(backend: CatalogBackend): void {
  describe(`the catalog on ${backend.name}`, () => {
    let storage: Awaited<ReturnType<CatalogBackend['setUp']>>;
    let catalog: Catalog;
    before(async () => {
      storage = await backend.setUp();
      catalog = storage.open();
      catalog.putLibrary({ name: 'lib0', storageCount: 10, importExportCount: 2, dataTransferCount: 2 });
    });
    after(() => {
      catalog.close();
      storage.tearDown();
    });

    test('a new catalog is at the newest schema version, and opening it again applies no migration', () => {
      const version = (c: Catalog): string | undefined => c.sql.get<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'")?.value;
      assert.equal(version(catalog), String(CATALOG_SCHEMA_VERSION));
      assert.equal(CATALOG_SCHEMA_VERSION, MIGRATIONS.length);
      const again = storage.open();
      try {
        assert.equal(version(again), String(CATALOG_SCHEMA_VERSION));
        assert.deepEqual(again.libraries().map((l) => l.name), ['lib0']);
      } finally {
        again.close();
      }
    });

    test('a cartridge reads back with the types it was written with, 64-bit capacity included', () => {
      catalog.insertCartridge(cartridge('R00001L8', 0, { worm: true, writeProtected: true }));
      const row = catalog.cartridge('R00001L8');
      assert.ok(row);
      assert.deepEqual({ ...row, createdAt: '', updatedAt: '' }, {
        barcode: 'R00001L8', generation: 8, worm: true, cleaning: false, capacityBytes: 12_000_000_000_000, writeProtected: true,
        library: 'lib0', elementType: 'storage', elementIndex: 0, sourceType: null, sourceIndex: null, placedByOperator: false,
        mediaMissing: false, createdAt: '', updatedAt: '',
      });
      assert.equal(catalog.cartridgeAt('lib0', 'storage', 0)?.barcode, 'R00001L8');
      assert.equal(catalog.cartridgeAt('lib0', 'storage', 9), undefined);
    });

    test('a second cartridge in an occupied element is refused and nothing changes', () => {
      catalog.insertCartridge(cartridge('R00002L8', 1));
      assert.throws(() => catalog.insertCartridge(cartridge('R00003L8', 1)));
      assert.equal(catalog.cartridge('R00003L8'), undefined);
      assert.throws(() => catalog.relocate('R00002L8', { library: 'lib0', type: 'storage', index: 0 }, null, false));
      assert.equal(catalog.cartridge('R00002L8')?.elementIndex, 1);
    });

    test('a transaction that throws leaves no trace of its statements', () => {
      const intentsBefore = catalog.intents().length;
      assert.throws(() => catalog.transaction(() => {
        catalog.addIntent('move', 'R00002L8', { to: 5 });
        catalog.relocate('R00002L8', { library: 'lib0', type: 'storage', index: 5 }, { library: 'lib0', type: 'storage', index: 1 }, true);
        throw new Error('changed my mind');
      }), /changed my mind/);
      assert.equal(catalog.cartridge('R00002L8')?.elementIndex, 1);
      assert.equal(catalog.intents().length, intentsBefore);
    });

    test('an exchange parks one cartridge off-element and commits both places at once', () => {
      catalog.transaction(() => {
        catalog.relocate('R00001L8', { library: 'lib0', type: null, index: null }, null, false);
        catalog.relocate('R00002L8', { library: 'lib0', type: 'storage', index: 0 }, { library: 'lib0', type: 'storage', index: 1 }, false);
        catalog.relocate('R00001L8', { library: 'lib0', type: 'storage', index: 1 }, { library: 'lib0', type: 'storage', index: 0 }, false);
      });
      assert.equal(catalog.cartridgeAt('lib0', 'storage', 0)?.barcode, 'R00002L8');
      assert.equal(catalog.cartridgeAt('lib0', 'storage', 1)?.barcode, 'R00001L8');
      assert.equal(catalog.cartridge('R00001L8')?.sourceIndex, 0);
    });

    test('a nested transaction that throws rolls back only its own statements', () => {
      catalog.transaction(() => {
        catalog.setWriteProtected('R00002L8', true);
        assert.throws(() => catalog.transaction(() => {
          catalog.setMediaMissing('R00002L8', true);
          throw new Error('inner');
        }));
      });
      assert.equal(catalog.cartridge('R00002L8')?.writeProtected, true);
      assert.equal(catalog.cartridge('R00002L8')?.mediaMissing, false);
    });

    test('intents keep their order, kind and payload until removed', () => {
      const a = catalog.addIntent('create', 'R00009L8', { n: 1 });
      const b = catalog.addIntent('delete', 'R00009L8', { nested: { list: [1, 'x'] } });
      assert.ok(b > a);
      const mine = catalog.intents().filter((i) => i.barcode === 'R00009L8');
      assert.deepEqual(mine.map((i) => [i.id, i.kind, i.payload]), [[a, 'create', { n: 1 }], [b, 'delete', { nested: { list: [1, 'x'] } }]]);
      catalog.removeIntent(a);
      catalog.removeIntent(b);
      assert.deepEqual(catalog.intents().filter((i) => i.barcode === 'R00009L8'), []);
    });

    test('a shelved cartridge is in no element and a deleted one is gone, with its retention rows', () => {
      catalog.insertCartridge(cartridge('R00004L8', null));
      assert.deepEqual(catalog.cartridgesIn('lib0').map((c) => c.barcode).includes('R00004L8'), false);
      assert.ok(catalog.allCartridges().some((c) => c.barcode === 'R00004L8'));
      catalog.sql.run("INSERT INTO cartridge_times (barcode, first_write_at) VALUES ('R00004L8', 'then')");
      catalog.deleteCartridge('R00004L8');
      assert.equal(catalog.cartridge('R00004L8'), undefined);
      assert.equal(catalog.sql.get<{ n: number }>("SELECT count(*) AS n FROM cartridge_times WHERE barcode = 'R00004L8'")?.n, 0);
    });

    test('what one catalog committed, another opened on the same storage reads', () => {
      const other = storage.open();
      try {
        assert.equal(other.cartridgeAt('lib0', 'storage', 0)?.barcode, 'R00002L8');
        other.relocate('R00002L8', { library: 'lib0', type: 'storage', index: 7 }, null, true);
        assert.equal(catalog.cartridgeAt('lib0', 'storage', 7)?.barcode, 'R00002L8');
      } finally {
        other.close();
      }
    });

    test('a process killed in the middle of moves and exchanges loses and duplicates no cartridge', async () => {
      for (let round = 0; round < 3; round++) {
        await runAndKillMover(storage.crashTarget, 30 + Math.floor(Math.random() * 250));
        await verifyAfterCrash(storage.crashTarget);
      }
    });
  });
}
