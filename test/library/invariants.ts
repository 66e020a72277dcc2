// What must hold of a library after any sequence of operations, failures, restarts and crashes.
import assert from 'node:assert/strict';
import type { LibraryManager } from '../../src/library/library-manager.js';
import type { MediaStore } from '../../src/media/tape-medium.js';
import type { FakeDrive } from './fakes.js';

export async function checkInvariants(manager: LibraryManager, store: MediaStore, drives: readonly FakeDrive[], library = 'lib0'): Promise<void> {
  const all = manager.cartridges();
  const barcodes = all.map((c) => c.barcode);
  assert.equal(new Set(barcodes).size, barcodes.length, 'a barcode is listed twice');
  // Every element holds at most one cartridge, and every located cartridge is in exactly the element that shows it.
  const shown = manager.elements(library).flatMap((e) => (e.cartridge ? [`${e.cartridge.barcode}@${e.address}`] : []));
  const located = all.flatMap((c) => (c.location.kind === 'element' && c.location.library === library ? [`${c.barcode}@${c.location.address}`] : []));
  assert.deepEqual(shown.sort(), located.sort(), 'elements and cartridge locations disagree');
  assert.equal(manager.elements(library, 'transport')[0].cartridge, undefined, 'a cartridge was stranded in the robot');
  // Catalog and media files agree.
  const files = (await store.list()).sort();
  assert.deepEqual(files, all.filter((c) => !c.cleaning).map((c) => c.barcode).sort(), 'catalog and media files disagree');
  // Every attached drive holds exactly what the catalog says it holds.
  drives.forEach((d, i) => {
    assert.equal(d.loaded?.barcode, manager.drive(library, i).cartridge?.barcode, `drive ${i + 1} disagrees with the catalog`);
  });
}
