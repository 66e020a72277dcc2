// The inventory scan (SMC INITIALIZE ELEMENT STATUS, or an operator's rescan): the catalog is exact after every
// committed move, so what a scan can still find is a cartridge whose media file disappeared or came back.
import type { LibraryCore } from './library-core.js';
import { addressOf } from './layout.js';
import type { Actor } from './library-event.js';

/**
 * Mark or clear "media missing" for every cartridge in the library's elements (only those whose element address is
 * in `addresses` when given: SMC INITIALIZE ELEMENT STATUS WITH RANGE); returns the barcodes that changed.
 */
export async function rescanMedia(core: LibraryCore, library: string, actor: Actor, addresses?: ReadonlySet<number>): Promise<string[]> {
  const lib = core.lib(library);
  const changed: string[] = [];
  for (const row of core.catalog.cartridgesIn(lib.name)) {
    if (row.cleaning) continue;
    if (addresses && (row.elementType === null || row.elementIndex === null || !addresses.has(addressOf(lib.layout, row.elementType, row.elementIndex)))) continue;
    const missing = !(await core.mediaStore.exists(row.barcode));
    if (missing === row.mediaMissing) continue;
    // Each mark commits on its own and is announced at once: a scan cut short by a write failure keeps the true ones.
    core.catalog.setMediaMissing(row.barcode, missing);
    changed.push(row.barcode);
    core.emit({ type: 'cartridge-updated', library: lib.name, barcode: row.barcode, actor });
  }
  return changed;
}
