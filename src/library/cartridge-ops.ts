// Operator lifecycle of cartridges: create, import, export, shelve, bring back, delete, write-protect.
// Creating and deleting also create and delete media files: the catalog change and an intent commit together,
// the media file follows, and the intent is dropped; start-up finishes any intent a crash left (startup-check.ts).
import type { Cartridge } from './cartridge.js';
import type { NewCartridgeRow } from './catalog.js';
import { CatalogWriteError } from './catalog-write-error.js';
import { barcodeRange, barcodeSuffix, parseBarcode } from './barcode.js';
import { describeElement } from './layout.js';
import type { ElementRef } from './layout.js';
import type { ActiveLibrary, LibraryCore } from './library-core.js';
import type { Actor } from './library-event.js';
import { LibraryStateError } from './library-state-error.js';
import { LTO_GENERATIONS } from './lto.js';
import type { LtoGeneration } from './lto.js';
import { moveCartridge } from './robot.js';
import type { CartridgeDescriptor } from '../media/tape-medium.js';

export interface CreateCartridgesRequest {
  readonly library: string;
  /** Explicit barcodes, or `firstBarcode` and `count` for a range. */
  readonly barcodes?: readonly string[];
  readonly firstBarcode?: string;
  readonly count?: number;
  /** Defaults to the barcode suffix's generation; must agree with it when both are given. */
  readonly generation?: LtoGeneration;
  /** Defaults to the generation's native capacity. */
  readonly capacityBytes?: number;
  /** Defaults to the suffix's WORM flag; must agree with it when both are given. */
  readonly worm?: boolean;
  /** Where the new cartridges appear (default: free storage slots). */
  readonly into?: 'storage' | 'importExport';
}

export function descriptorOf(row: { barcode: string; generation: number | null; worm: boolean; capacityBytes: number }): CartridgeDescriptor {
  return { barcode: row.barcode, generation: row.generation ?? 0, worm: row.worm, capacityBytes: row.capacityBytes };
}

/** Build catalog rows (without a place) for a create request; validates everything first. */
export function plannedCartridges(core: LibraryCore, req: CreateCartridgesRequest): Omit<NewCartridgeRow, 'library' | 'elementType' | 'elementIndex' | 'placedByOperator'>[] {
  let barcodes: readonly string[];
  if (req.barcodes && req.barcodes.length > 0) barcodes = req.barcodes;
  else if (req.firstBarcode !== undefined) barcodes = barcodeRange(req.firstBarcode, req.count ?? 1);
  else throw new LibraryStateError('invalid-argument', 'Cannot create cartridges: give barcodes or a first barcode and a count');
  if (new Set(barcodes).size !== barcodes.length) throw new LibraryStateError('invalid-argument', 'Cannot create cartridges: a barcode is repeated');
  if (req.capacityBytes !== undefined && (!Number.isSafeInteger(req.capacityBytes) || req.capacityBytes < 1024 * 1024)) {
    throw new LibraryStateError('invalid-argument', `Cannot create cartridges: capacity ${req.capacityBytes} is below 1 MiB`);
  }
  return barcodes.map((barcode) => {
    const info = parseBarcode(barcode);
    const doing = `Cannot create cartridge "${barcode}"`;
    if (core.catalog.cartridge(barcode)) throw new LibraryStateError('already-exists', `${doing}: it already exists`);
    if (info.cleaning) {
      return { barcode, generation: info.generation ?? null, worm: false, cleaning: true, capacityBytes: 0 };
    }
    const generation = info.generation ?? req.generation ?? (core.config.defaults.generation);
    if (req.generation !== undefined && req.generation !== generation) {
      throw new LibraryStateError('invalid-argument', `${doing}: its suffix ${barcode.slice(-2)} is not ${LTO_GENERATIONS[req.generation].name} (${barcodeSuffix(req.generation, info.worm)})`);
    }
    if (req.worm !== undefined && req.worm !== info.worm) {
      throw new LibraryStateError('invalid-argument', `${doing}: its suffix ${barcode.slice(-2)} is ${info.worm ? '' : 'not '}a WORM suffix`);
    }
    const capacityBytes = req.capacityBytes ?? LTO_GENERATIONS[generation].nativeCapacityBytes;
    return { barcode, generation, worm: info.worm, cleaning: false, capacityBytes };
  });
}

export async function createCartridges(core: LibraryCore, req: CreateCartridgesRequest, actor: Actor): Promise<Cartridge[]> {
  const lib = core.lib(req.library);
  const planned = plannedCartridges(core, req);
  const into = req.into ?? 'storage';
  const used = new Set(core.catalog.cartridgesIn(lib.name).filter((r) => r.elementType === into).map((r) => r.elementIndex));
  const free: ElementRef[] = [];
  for (let i = 0; i < lib.layout[into].count && free.length < planned.length; i++) {
    if (!used.has(i) && !(into === 'importExport' && core.isMailSlotOpen(lib.name, i))) free.push(core.refOf(lib, into, i));
  }
  if (free.length < planned.length) {
    throw new LibraryStateError('no-free-element',
      `Cannot create ${planned.length} cartridge(s) in library "${lib.name}": only ${free.length} free ${into === 'storage' ? 'slot(s)' : 'mail slot(s)'}`);
  }
  for (const p of planned) {
    if (!p.cleaning && (await core.mediaStore.exists(p.barcode))) {
      throw new LibraryStateError('already-exists', `Cannot create cartridge "${p.barcode}": a media file with that barcode exists`);
    }
  }
  const intents = core.catalog.transaction(() =>
    planned.map((p, i) => {
      core.catalog.insertCartridge({ ...p, library: lib.name, elementType: into, elementIndex: free[i].index, placedByOperator: into === 'importExport' && actor === 'operator' });
      return p.cleaning ? undefined : core.catalog.addIntent('create', p.barcode, descriptorOf(p));
    }),
  );
  const created: string[] = [];
  try {
    for (const p of planned) {
      if (p.cleaning) continue;
      await core.mediaStore.create(descriptorOf(p));
      created.push(p.barcode);
    }
  } catch (err) {
    for (const barcode of created) await core.mediaStore.delete(barcode).catch(() => undefined);
    try {
      core.catalog.transaction(() => {
        for (const p of planned) core.catalog.deleteCartridge(p.barcode);
        for (const id of intents) if (id !== undefined) core.catalog.removeIntent(id);
      });
    } catch (rollbackError) {
      if (!(rollbackError instanceof CatalogWriteError)) throw rollbackError;
      // A full disk often fails both: the rows stay with their create intents, and the next start creates the files.
      core.log.warn({ barcodes: planned.map((p) => p.barcode) }, 'new cartridges without media files stay in the catalog until the next start');
    }
    throw new LibraryStateError('load-failed', `Cannot create cartridges: the media store failed: ${(err as Error).message}`, { cause: err });
  }
  // The cartridges exist whole from here on; a create intent left by a failed write is harmless (start-up drops it).
  ignoreCatalogWriteError(() => core.catalog.transaction(() => {
    for (const id of intents) if (id !== undefined) core.catalog.removeIntent(id);
  }));
  const out = planned.map((p) => core.toCartridge(core.row(p.barcode)));
  for (const c of out) core.emit({ type: 'cartridge-created', library: lib.name, barcode: c.barcode, to: c.location, actor });
  return out;
}

function elementOf(core: LibraryCore, barcode: string, doing: string): { lib: ActiveLibrary; ref: ElementRef } {
  const row = core.row(barcode);
  const loc = core.locationOf(row);
  if (loc.kind !== 'element') throw new LibraryStateError('wrong-location', `${doing}: it is on the shelf`);
  const lib = core.lib(loc.library);
  return { lib, ref: core.refOf(lib, loc.type, loc.index) };
}

export async function importCartridge(core: LibraryCore, barcode: string, toAddress: number | undefined, actor: Actor): Promise<Cartridge> {
  const doing = `Cannot import cartridge "${barcode}"`;
  const { lib, ref } = elementOf(core, barcode, doing);
  if (ref.type !== 'importExport') throw new LibraryStateError('wrong-location', `${doing}: it is in ${describeElement(ref)}, not in a mail slot`);
  const to = core.findFree(lib, 'storage', doing, toAddress);
  if (!to) throw new LibraryStateError('no-free-element', `${doing}: library "${lib.name}" has no free slot`);
  return moveCartridge(core, lib.name, ref.address, to.address, { actor });
}

export async function exportCartridge(core: LibraryCore, barcode: string, toAddress: number | undefined, actor: Actor): Promise<Cartridge> {
  const doing = `Cannot export cartridge "${barcode}"`;
  const { lib, ref } = elementOf(core, barcode, doing);
  if (ref.type === 'importExport') throw new LibraryStateError('wrong-location', `${doing}: it is already in ${describeElement(ref)}`);
  const to = core.findFree(lib, 'importExport', doing, toAddress);
  if (!to) throw new LibraryStateError('no-free-element', `${doing}: library "${lib.name}" has no free mail slot`);
  return moveCartridge(core, lib.name, ref.address, to.address, { actor });
}

export async function shelveCartridge(core: LibraryCore, barcode: string, direct: boolean, actor: Actor): Promise<Cartridge> {
  const doing = `Cannot remove cartridge "${barcode}" to the shelf`;
  const { lib, ref } = elementOf(core, barcode, doing);
  if (ref.type === 'importExport') {
    if (core.removalPrevented(lib.name)) {
      throw new LibraryStateError('removal-prevented', `${doing}: a host prevents medium removal from library "${lib.name}"`);
    }
  } else if (!(direct && ref.type === 'storage')) {
    throw new LibraryStateError('wrong-location', `${doing}: it is in ${describeElement(ref)}; export it to a mail slot first${ref.type === 'storage' ? ' (or remove it directly)' : ''}`);
  }
  const before = core.locationOf(core.row(barcode));
  core.catalog.transaction(() => core.catalog.relocate(barcode, { library: lib.name, type: null, index: null }, null, false));
  const after = core.toCartridge(core.row(barcode));
  core.moved(lib.name, barcode, before, after.location, actor);
  return after;
}

export async function unshelveCartridge(core: LibraryCore, barcode: string, library: string | undefined, toAddress: number | undefined, actor: Actor): Promise<Cartridge> {
  const doing = `Cannot bring cartridge "${barcode}" back from the shelf`;
  const row = core.row(barcode);
  const before = core.locationOf(row);
  if (before.kind !== 'shelf') throw new LibraryStateError('wrong-location', `${doing}: it is not on the shelf`);
  const lib = core.lib(library ?? row.library);
  const to = core.findFree(lib, 'importExport', doing, toAddress);
  if (!to) throw new LibraryStateError('no-free-element', `${doing}: library "${lib.name}" has no free mail slot`);
  core.catalog.transaction(() => core.catalog.relocate(barcode, core.place(lib, to), null, true));
  const after = core.toCartridge(core.row(barcode));
  core.moved(lib.name, barcode, before, after.location, actor);
  return after;
}

export async function deleteCartridge(core: LibraryCore, barcode: string, actor: Actor): Promise<void> {
  const doing = `Cannot delete cartridge "${barcode}"`;
  const row = core.row(barcode);
  if (row.worm) throw new LibraryStateError('worm', `${doing}: it is a WORM cartridge`);
  core.retention.refuseIfLocked(barcode, doing);
  const loc = core.locationOf(row);
  if (loc.kind === 'element' && loc.type === 'dataTransfer') {
    throw new LibraryStateError('wrong-location', `${doing}: it is loaded in ${describeElement(loc)}`);
  }
  const intent = core.catalog.transaction(() => {
    core.catalog.deleteCartridge(barcode);
    return row.cleaning ? undefined : core.catalog.addIntent('delete', barcode, descriptorOf(row));
  });
  if (intent !== undefined) {
    // The cartridge is gone from the catalog; if the file delete fails, start-up retries it.
    let deleted = false;
    try {
      await core.mediaStore.delete(barcode);
      deleted = true;
    } catch (err) {
      core.log.warn({ err, barcode }, 'deleting the media file failed; it is retried at the next start');
    }
    if (deleted) ignoreCatalogWriteError(() => core.catalog.removeIntent(intent));
  }
  core.emit({ type: 'cartridge-deleted', library: row.library, barcode, from: loc, actor });
}

/** Best-effort cleanup of an intent after the operation is complete: the catalog health has already logged. */
function ignoreCatalogWriteError(cleanup: () => void): void {
  try {
    cleanup();
  } catch (err) {
    if (!(err instanceof CatalogWriteError)) throw err;
  }
}

export async function setWriteProtected(core: LibraryCore, barcode: string, on: boolean, actor: Actor): Promise<Cartridge> {
  const row = core.row(barcode);
  core.catalog.setWriteProtected(barcode, on);
  const after = core.toCartridge(core.row(barcode));
  core.emit({ type: 'cartridge-updated', library: row.library, barcode, actor });
  return after;
}
