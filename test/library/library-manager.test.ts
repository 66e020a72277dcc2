import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LibraryManager } from '../../src/library/library-manager.js';
import { LibraryStateError } from '../../src/library/library-state-error.js';
import { silentLogger } from '../../src/log.js';
import { FakeMediaStore } from './fakes.js';
import type { LibraryEvent } from '../../src/library/library-event.js';
import { harness, smallConfig } from './harness.js';
import type { Harness } from './harness.js';

const SLOT = (n: number): number => 0x1000 + n - 1;
const MAIL = (n: number): number => 0x10 + n - 1;
const DRIVE = (n: number): number => 0x100 + n - 1;

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof LibraryStateError, `expected LibraryStateError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('LibraryManager', () => {
  let h: Harness;
  afterEach(() => h.cleanup());

  test('a first start reports no repaired operations: creating the initial cartridges is not crash recovery', async () => {
    h = await harness();
    h.manager.close();
    const fresh = new LibraryManager({ config: smallConfig(), mediaStore: new FakeMediaStore(), log: silentLogger(), catalogPath: `${h.dir}/fresh.sqlite` });
    try {
      const report = await fresh.start();
      assert.deepEqual(report.createdLibraries, ['lib0']);
      assert.deepEqual(report.repairedIntents, []);
    } finally {
      fresh.close();
    }
  });

  test('a new library starts with its initial cartridges in the first slots and their media files', async () => {
    h = await harness();
    const info = h.manager.library('lib0');
    assert.equal(info.slots, 6);
    assert.equal(info.cartridges, 3);
    assert.deepEqual(h.manager.elements('lib0', 'storage').map((e) => e.cartridge?.barcode), ['A00001L8', 'A00002L8', 'A00003L8', undefined, undefined, undefined]);
    assert.deepEqual([...h.store.files.keys()].sort(), ['A00001L8', 'A00002L8', 'A00003L8']);
    assert.equal(h.store.files.get('A00001L8')?.capacityBytes, 12_000_000_000_000);
  });

  test('move() into a drive loads it and records the source slot', async () => {
    h = await harness();
    const c = await h.manager.move('lib0', SLOT(2), DRIVE(1), { actor: 'host' });
    assert.deepEqual(c.location, { kind: 'element', library: 'lib0', type: 'dataTransfer', index: 0, address: DRIVE(1) });
    assert.equal(c.source?.address, SLOT(2));
    assert.equal(h.drives[0].loaded?.barcode, 'A00002L8');
  });

  test('move() out of a loaded drive unloads it first, and refuses when removal is prevented', async () => {
    h = await harness();
    await h.manager.move('lib0', SLOT(1), DRIVE(1));
    h.drives[0].removalPrevented = true;
    await rejectsWith(h.manager.move('lib0', DRIVE(1), SLOT(1)), 'removal-prevented', /drive 1 \(0100h\) prevents medium removal/);
    assert.equal(h.manager.element('lib0', DRIVE(1)).cartridge?.barcode, 'A00001L8');
    h.drives[0].removalPrevented = false;
    await h.manager.move('lib0', DRIVE(1), SLOT(1));
    assert.deepEqual(h.drives[0].log, ['load A00001L8', 'unload A00001L8']);
    assert.equal(h.manager.element('lib0', SLOT(1)).cartridge?.barcode, 'A00001L8');
  });

  test('move() refuses an empty source, a full destination and an address that is no element', async () => {
    h = await harness();
    await rejectsWith(h.manager.move('lib0', SLOT(5), SLOT(6)), 'source-empty', /slot 5 \(1004h\): it is empty/);
    await rejectsWith(h.manager.move('lib0', SLOT(1), SLOT(2)), 'destination-full', /^Cannot move cartridge "A00001L8": slot 2 \(1001h\) is full/);
    await rejectsWith(h.manager.move('lib0', SLOT(1), 0x2000), 'invalid-element');
    await rejectsWith(h.manager.move('lib0', SLOT(1), 0x0000), 'invalid-element', /robot/);
  });

  test('a failed drive load leaves the cartridge where it was', async () => {
    h = await harness();
    h.drives[1].failLoad = true;
    await rejectsWith(h.manager.move('lib0', SLOT(1), DRIVE(2)), 'load-failed');
    assert.equal(h.manager.element('lib0', SLOT(1)).cartridge?.barcode, 'A00001L8');
    assert.equal(h.manager.element('lib0', DRIVE(2)).cartridge, undefined);
  });

  test("a failed load's reason stays on the cartridge until a load of it succeeds", async () => {
    h = await harness();
    h.drives[1].failLoad = true;
    await rejectsWith(h.manager.move('lib0', SLOT(1), DRIVE(2)), 'load-failed');
    const reason = h.manager.cartridge('A00001L8').loadError;
    assert.ok(reason !== undefined && reason.length > 0, 'the reason is kept');
    assert.equal(h.manager.cartridge('A00002L8').loadError, undefined);
    await h.manager.move('lib0', SLOT(1), DRIVE(1));
    assert.equal(h.manager.cartridge('A00001L8').loadError, undefined, 'gone after a load that worked');
  });

  test('a released cartridge says which physical library holds it, until the staging layer forgets the release', async () => {
    h = await harness();
    h.manager.releasedTo.set('A00001L8', 'archive');
    assert.equal(h.manager.cartridge('A00001L8').releasedTo, 'archive');
    assert.equal(h.manager.cartridge('A00002L8').releasedTo, undefined);
    h.manager.releasedTo.delete('A00001L8');
    assert.equal(h.manager.cartridge('A00001L8').releasedTo, undefined);
  });

  test('a drive-to-drive move whose load fails puts the cartridge back into the first drive', async () => {
    h = await harness();
    await h.manager.move('lib0', SLOT(1), DRIVE(1));
    h.drives[1].failLoad = true;
    await rejectsWith(h.manager.move('lib0', DRIVE(1), DRIVE(2)), 'load-failed');
    assert.equal(h.drives[0].loaded?.barcode, 'A00001L8');
    assert.deepEqual(h.drives[0].log, ['load A00001L8', 'unload A00001L8', 'load A00001L8']);
    assert.equal(h.manager.element('lib0', DRIVE(1)).cartridge?.barcode, 'A00001L8');
  });

  test('an exchange whose second load fails undoes the drive work done before it', async () => {
    h = await harness();
    await h.manager.move('lib0', SLOT(1), DRIVE(1));
    h.drives[1].failLoad = true;
    await rejectsWith(h.manager.exchange('lib0', SLOT(2), DRIVE(1), DRIVE(2)), 'load-failed');
    assert.equal(h.drives[0].loaded?.barcode, 'A00001L8');
    assert.equal(h.manager.element('lib0', SLOT(2)).cartridge?.barcode, 'A00002L8');
    assert.equal(h.manager.element('lib0', DRIVE(1)).cartridge?.barcode, 'A00001L8');
  });

  test('exchange() swaps two cartridges when the second destination is the source', async () => {
    h = await harness();
    await h.manager.exchange('lib0', SLOT(1), SLOT(2), SLOT(1));
    assert.equal(h.manager.element('lib0', SLOT(1)).cartridge?.barcode, 'A00002L8');
    assert.equal(h.manager.element('lib0', SLOT(2)).cartridge?.barcode, 'A00001L8');
  });

  test('exchange() with a drive unloads the old cartridge and loads the new one', async () => {
    h = await harness();
    await h.manager.move('lib0', SLOT(1), DRIVE(1));
    await h.manager.exchange('lib0', SLOT(2), DRIVE(1), SLOT(5));
    assert.equal(h.drives[0].loaded?.barcode, 'A00002L8');
    assert.equal(h.manager.element('lib0', SLOT(5)).cartridge?.barcode, 'A00001L8');
    await rejectsWith(h.manager.exchange('lib0', SLOT(3), SLOT(6), SLOT(4)), 'source-empty');
    await rejectsWith(h.manager.exchange('lib0', SLOT(3), SLOT(5), DRIVE(1)), 'destination-full');
  });

  test('createCartridges() makes a barcode range in free slots, with media files, all or nothing', async () => {
    h = await harness();
    const made = await h.manager.createCartridges({ library: 'lib0', firstBarcode: 'B00009L7', count: 2, capacityBytes: 64 << 20 });
    assert.deepEqual(made.map((c) => [c.barcode, c.generation, c.location.kind === 'element' ? c.location.address : -1]), [['B00009L7', 7, SLOT(4)], ['B00010L7', 7, SLOT(5)]]);
    assert.equal(h.store.files.get('B00010L7')?.capacityBytes, 64 << 20);
    await rejectsWith(h.manager.createCartridges({ library: 'lib0', firstBarcode: 'C00001L8', count: 2 }), 'no-free-element');
    assert.equal(h.manager.cartridges({ barcode: 'C' }).length, 0);
    await rejectsWith(h.manager.createCartridges({ library: 'lib0', barcodes: ['A00001L8'] }), 'already-exists');
    await rejectsWith(h.manager.createCartridges({ library: 'lib0', barcodes: ['bad'] }), 'invalid-argument');
    h.store.failCreate = true;
    await rejectsWith(h.manager.createCartridges({ library: 'lib0', barcodes: ['D00001L8'] }), 'load-failed');
    assert.throws(() => h.manager.cartridge('D00001L8'), /No cartridge/);
  });

  test('createCartridges() into mail slots marks them placed by the operator; WORM from the suffix', async () => {
    h = await harness();
    const [c] = await h.manager.createCartridges({ library: 'lib0', barcodes: ['W00001LY'], into: 'importExport' });
    assert.equal(c.worm, true);
    assert.equal(c.placedByOperator, true);
    assert.equal(c.location.kind === 'element' && c.location.address, MAIL(1));
  });

  test('import, export, shelve and bring back walk a cartridge out of the library and in again', async () => {
    h = await harness();
    const events: LibraryEvent[] = [];
    h.manager.on((e) => events.push(e));
    let c = await h.manager.exportCartridge('A00002L8');
    assert.equal(c.location.kind === 'element' && c.location.type, 'importExport');
    assert.equal(c.placedByOperator, true);
    await rejectsWith(h.manager.shelveCartridge('A00001L8'), 'wrong-location');
    h.manager.setRemovalPrevented('lib0', 'nexus-1', true);
    await rejectsWith(h.manager.shelveCartridge('A00002L8'), 'removal-prevented');
    h.manager.setRemovalPrevented('lib0', 'nexus-1', false);
    c = await h.manager.shelveCartridge('A00002L8');
    assert.deepEqual(c.location, { kind: 'shelf', library: 'lib0' });
    assert.equal(h.manager.cartridges({ location: 'shelf' }).length, 1);
    c = await h.manager.unshelveCartridge('A00002L8');
    assert.equal(c.location.kind === 'element' && c.location.address, MAIL(1));
    c = await h.manager.importCartridge('A00002L8');
    assert.equal(c.location.kind === 'element' && c.location.address, SLOT(2));
    assert.deepEqual(events.filter((e) => e.type === 'cartridge-moved').map((e) => e.to?.kind === 'element' ? e.to.type : 'shelf'),
      ['importExport', 'shelf', 'importExport', 'storage']);
  });

  test('deleteCartridge() removes the media file and refuses WORM and loaded cartridges', async () => {
    h = await harness();
    await h.manager.createCartridges({ library: 'lib0', barcodes: ['W00001LY'] });
    await rejectsWith(h.manager.deleteCartridge('W00001LY'), 'worm');
    await h.manager.move('lib0', SLOT(1), DRIVE(1));
    await rejectsWith(h.manager.deleteCartridge('A00001L8'), 'wrong-location', /loaded in drive 1/);
    await h.manager.deleteCartridge('A00002L8');
    assert.equal(h.store.files.has('A00002L8'), false);
    await rejectsWith(h.manager.deleteCartridge('A00002L8'), 'not-found');
  });

  test('the catalog survives a restart and the drive is loaded again', async () => {
    h = await harness();
    await h.manager.move('lib0', SLOT(3), DRIVE(2));
    await h.manager.setWriteProtected('A00001L8', true);
    await h.restart();
    assert.equal(h.drives[1].loaded?.barcode, 'A00003L8');
    assert.equal(h.manager.cartridge('A00001L8').writeProtected, true);
    assert.equal(h.manager.library('lib0').cartridges, 3);
  });

  test('start-up marks cartridges without media files and adopts media files without cartridges', async () => {
    h = await harness();
    h.store.files.delete('A00001L8');
    h.store.files.set('Z00001L6', { barcode: 'Z00001L6', generation: 6, worm: false, capacityBytes: 1 });
    h.store.files.set('junk', { barcode: 'junk', generation: 6, worm: false, capacityBytes: 1 });
    await h.restart();
    assert.equal(h.manager.cartridge('A00001L8').mediaMissing, true);
    assert.equal(h.manager.element('lib0', SLOT(1)).exception, 'media-missing');
    await rejectsWith(h.manager.move('lib0', SLOT(1), DRIVE(1)), 'media-missing');
    assert.deepEqual(h.manager.cartridge('Z00001L6').location, { kind: 'shelf', library: 'lib0' });
    assert.throws(() => h.manager.cartridge('junk'));
  });

  test('fewer slots in the config move the cartridges of removed slots to free slots, then to the shelf', async () => {
    h = await harness(smallConfig({ slots: 6, initialCartridges: { count: 6 } }));
    await h.restart(smallConfig({ slots: 4, mailSlots: 1, initialCartridges: { count: 6 } }));
    const info = h.manager.library('lib0');
    assert.equal(info.slots, 4);
    assert.equal(h.manager.cartridges().length, 6);
    assert.equal(h.manager.element('lib0', MAIL(1)).cartridge?.barcode, 'A00005L8');
    assert.deepEqual(h.manager.cartridge('A00006L8').location, { kind: 'shelf', library: 'lib0' });
  });

  test('a library gone from the config sends its cartridges to the shelf; a second library numbers past taken barcodes', async () => {
    h = await harness();
    const two = smallConfig();
    const next = { ...two, libraries: [{ ...two.libraries[0], name: 'lib1' }] };
    await h.restart(next);
    assert.equal(h.manager.cartridges({ location: 'shelf' }).length, 3);
    assert.deepEqual(h.manager.elements('lib1', 'storage').slice(0, 3).map((e) => e.cartridge?.barcode), ['A00004L8', 'A00005L8', 'A00006L8']);
    await h.manager.unshelveCartridge('A00001L8', { library: 'lib1' });
    assert.equal(h.manager.element('lib1', MAIL(1)).cartridge?.barcode, 'A00001L8');
  });

  test('unloadDrive() returns the cartridge to its source slot, forcing past PREVENT when asked', async () => {
    h = await harness();
    await h.manager.move('lib0', SLOT(2), DRIVE(1));
    h.drives[0].removalPrevented = true;
    await rejectsWith(h.manager.unloadDrive('lib0', 0), 'removal-prevented');
    const c = await h.manager.unloadDrive('lib0', 0, { force: true });
    assert.equal(c?.location.kind === 'element' && c.location.address, SLOT(2));
    assert.deepEqual(h.drives[0].log, ['load A00002L8', 'unload A00002L8 forced']);
  });

  test('cartridges() filters by glob, location and element type', async () => {
    h = await harness();
    await h.manager.move('lib0', SLOT(1), DRIVE(1));
    assert.deepEqual(h.manager.cartridges({ barcode: 'A*2L8' }).map((c) => c.barcode), ['A00002L8']);
    assert.deepEqual(h.manager.cartridges({ elementType: 'dataTransfer' }).map((c) => c.barcode), ['A00001L8']);
    assert.equal(h.manager.cartridges({ location: 'shelf' }).length, 0);
  });
});

describe('LibraryManager start-up repair', () => {
  test('an interrupted create whose media file cannot be made is kept for the next start and the cartridge marked missing', async () => {
    const h = await harness();
    try {
      // A create intent committed with its row, then the process died before the media file existed.
      h.manager.close();
      const { Catalog } = await import('../../src/library/catalog.js');
      const catalog = new Catalog(h.catalogPath);
      catalog.transaction(() => {
        catalog.insertCartridge({ barcode: 'N00001L8', generation: 8, worm: false, cleaning: false, capacityBytes: 1 << 20, library: 'lib0', elementType: 'storage', elementIndex: 5, placedByOperator: false });
        catalog.addIntent('create', 'N00001L8', { barcode: 'N00001L8', generation: 8, worm: false, capacityBytes: 1 << 20 });
      });
      catalog.close();
      h.store.failCreate = true;
      await h.restart();
      assert.equal(h.manager.cartridge('N00001L8').mediaMissing, true);
      h.store.failCreate = false;
      await h.restart();
      assert.equal(h.manager.cartridge('N00001L8').mediaMissing, false);
      assert.equal(h.store.files.get('N00001L8')?.capacityBytes, 1 << 20);
    } finally {
      h.cleanup();
    }
  });
});
