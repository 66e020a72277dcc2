// The robot: moves and exchanges between elements, with the drive loads and unloads they imply.
// Order of work: check everything, record the intent, do the drive work, then commit the new location and drop
// the intent in one transaction. A crash before the commit leaves the catalog as it was (drives start empty after
// a restart, and attachDrive() replays the load of whatever the catalog says is in a drive).
import type { Cartridge } from './cartridge.js';
import type { CartridgeRow } from './catalog.js';
import { DriveRemovalPreventedError } from './drive-port.js';
import type { MountRequest } from './drive-port.js';
import { describeElement } from './layout.js';
import type { ElementRef } from './layout.js';
import type { ActiveLibrary, LibraryCore } from './library-core.js';
import type { Actor } from './library-event.js';
import { LibraryStateError } from './library-state-error.js';
import { loadFailureOf } from './load-failure.js';

export function mountRequestOf(row: CartridgeRow): MountRequest {
  return {
    barcode: row.barcode,
    generation: row.generation ?? 0,
    worm: row.worm,
    cleaning: row.cleaning,
    writeProtected: row.writeProtected,
    capacityBytes: row.capacityBytes,
  };
}

function checkReachable(core: LibraryCore, lib: ActiveLibrary, ref: ElementRef, doing: string): void {
  if (ref.type === 'transport') {
    throw new LibraryStateError('invalid-element', `${doing}: the robot does not store cartridges`);
  }
  if (ref.type === 'importExport' && core.isMailSlotOpen(lib.name, ref.index)) {
    throw new LibraryStateError('element-inaccessible', `${doing}: ${describeElement(ref)} is open`);
  }
}

/**
 * Drive work done so far by one operation, undone (best effort) when a later step fails, so that a failed move or
 * exchange leaves the drives as they were, matching the catalog, which did not change.
 */
type Undo = (() => Promise<void>)[];

async function undo(core: LibraryCore, steps: Undo): Promise<void> {
  for (const step of steps.reverse()) {
    try {
      await step();
    } catch (err) {
      core.log.error({ err }, 'could not undo a drive load or unload after a failed move');
    }
  }
}

/**
 * Commit a move's new locations, or, when the catalog cannot write, undo its drive work and drop its intent: the
 * cartridges stay where the catalog (unchanged) says they are, in the drives as well. The intent cannot always be
 * dropped then (the disk is full); start-up drops a leftover `move` intent anyway.
 */
async function commitOrUndo(core: LibraryCore, intent: number, steps: Undo, commit: () => void): Promise<void> {
  try {
    core.catalog.transaction(commit);
  } catch (err) {
    await undo(core, steps);
    dropIntent(core, intent);
    throw err;
  }
}

function dropIntent(core: LibraryCore, intent: number): void {
  try {
    core.catalog.removeIntent(intent);
  } catch (err) {
    // The catalog health has logged the write failure; the start-up check drops a leftover move intent.
    core.log.debug({ err, intent }, 'could not drop a move intent');
  }
}

/** Take the cartridge out of drive `ref` if the drive holds it loaded (auto-unload). */
async function releaseFromDrive(core: LibraryCore, lib: ActiveLibrary, ref: ElementRef, doing: string, force: boolean, steps?: Undo): Promise<void> {
  const mechanism = core.mechanism(lib.name, ref.index);
  if (!mechanism) return;
  const state = mechanism.state();
  if (state.loaded === undefined) return;
  const row = core.catalog.cartridgeAt(lib.name, ref.type, ref.index);
  if (state.removalPrevented && !force) {
    throw new LibraryStateError('removal-prevented', `${doing}: ${describeElement(ref)} prevents medium removal`);
  }
  try {
    await mechanism.unload({ force });
  } catch (err) {
    if (err instanceof DriveRemovalPreventedError) {
      throw new LibraryStateError('removal-prevented', `${doing}: ${describeElement(ref)} prevents medium removal`, { cause: err });
    }
    throw new LibraryStateError('load-failed', `${doing}: ${describeElement(ref)} failed to unload: ${(err as Error).message}`, { cause: err });
  }
  if (row && steps) steps.push(() => mechanism.load(mountRequestOf(row)));
}

async function loadIntoDrive(core: LibraryCore, lib: ActiveLibrary, ref: ElementRef, row: CartridgeRow, doing: string, steps: Undo): Promise<void> {
  const mechanism = core.mechanism(lib.name, ref.index);
  if (!mechanism) return;
  try {
    await mechanism.load(mountRequestOf(row));
    core.loadFailures.delete(row.barcode);
  } catch (err) {
    core.loadFailures.set(row.barcode, loadFailureOf(err));
    throw new LibraryStateError('load-failed', `${doing}: ${describeElement(ref)} failed to load it: ${(err as Error).message}`, { cause: err });
  }
  steps.push(() => mechanism.unload({ force: true }));
}

/** The SMC source element to remember: a drive-to-drive transfer keeps the slot the cartridge came from. */
function sourceFor(row: CartridgeRow, from: ElementRef, to: ElementRef): { type: ElementRef['type']; index: number } {
  if (from.type === 'dataTransfer' && to.type === 'dataTransfer' && row.sourceType !== null && row.sourceIndex !== null) {
    return { type: row.sourceType, index: row.sourceIndex };
  }
  return { type: from.type, index: from.index };
}

export interface MoveOptions {
  readonly actor: Actor;
  /** Unload even when the drive prevents removal (operator unload). */
  readonly force?: boolean;
}

export async function moveCartridge(core: LibraryCore, libraryName: string, fromAddress: number, toAddress: number, options: MoveOptions): Promise<Cartridge> {
  const lib = core.lib(libraryName);
  const from = core.elementRef(lib, fromAddress, 'Cannot move');
  const row = core.catalog.cartridgeAt(lib.name, from.type, from.index);
  const doing = row ? `Cannot move cartridge "${row.barcode}"` : 'Cannot move';
  const to = core.elementRef(lib, toAddress, doing);
  checkReachable(core, lib, from, doing);
  checkReachable(core, lib, to, doing);
  if (!row) throw new LibraryStateError('source-empty', `Cannot move from ${describeElement(from)}: it is empty`);
  if (from.address === to.address) return core.toCartridge(row);
  const occupant = core.catalog.cartridgeAt(lib.name, to.type, to.index);
  if (occupant) {
    throw new LibraryStateError('destination-full', `${doing}: ${describeElement(to)} is full (cartridge "${occupant.barcode}")`);
  }
  if (to.type === 'dataTransfer' && row.mediaMissing) {
    throw new LibraryStateError('media-missing', `${doing}: its media file is missing`);
  }

  const before = core.locationOf(row);
  const intent = core.catalog.addIntent('move', row.barcode, { library: lib.name, from, to });
  const steps: Undo = [];
  try {
    if (from.type === 'dataTransfer') await releaseFromDrive(core, lib, from, doing, options.force ?? false, steps);
    if (to.type === 'dataTransfer') await loadIntoDrive(core, lib, to, row, doing, steps);
  } catch (err) {
    await undo(core, steps);
    dropIntent(core, intent);
    throw err;
  }
  const source = sourceFor(row, from, to);
  await commitOrUndo(core, intent, steps, () => {
    core.catalog.relocate(row.barcode, core.place(lib, to), { library: lib.name, ...source },
      to.type === 'importExport' && options.actor === 'operator');
    core.catalog.removeIntent(intent);
  });
  const after = core.toCartridge(core.row(row.barcode));
  core.moved(lib.name, row.barcode, before, after.location, options.actor);
  return after;
}

/**
 * SMC EXCHANGE MEDIUM: the cartridge at `source` goes to `first`, the one at `first` goes to `second`
 * (`second` may be `source`: a swap).
 */
export async function exchangeCartridges(core: LibraryCore, libraryName: string, sourceAddress: number, firstAddress: number,
  secondAddress: number, options: MoveOptions): Promise<Cartridge[]> {
  const lib = core.lib(libraryName);
  const src = core.elementRef(lib, sourceAddress, 'Cannot exchange');
  const first = core.elementRef(lib, firstAddress, 'Cannot exchange');
  const second = core.elementRef(lib, secondAddress, 'Cannot exchange');
  for (const ref of [src, first, second]) checkReachable(core, lib, ref, 'Cannot exchange');
  const a = core.catalog.cartridgeAt(lib.name, src.type, src.index);
  if (!a) throw new LibraryStateError('source-empty', `Cannot exchange: ${describeElement(src)} is empty`);
  const b = core.catalog.cartridgeAt(lib.name, first.type, first.index);
  if (!b || first.address === src.address) {
    throw new LibraryStateError('source-empty', `Cannot exchange: ${describeElement(first)} ${b ? 'is the source' : 'is empty'}`);
  }
  if (second.address !== src.address) {
    const occupant = core.catalog.cartridgeAt(lib.name, second.type, second.index);
    if (occupant) throw new LibraryStateError('destination-full', `Cannot exchange: ${describeElement(second)} is full (cartridge "${occupant.barcode}")`);
  }
  if ((first.type === 'dataTransfer' && a.mediaMissing) || (second.type === 'dataTransfer' && b.mediaMissing)) {
    throw new LibraryStateError('media-missing', 'Cannot exchange: a media file is missing');
  }
  const beforeA = core.locationOf(a);
  const beforeB = core.locationOf(b);
  const intent = core.catalog.addIntent('move', a.barcode, { library: lib.name, exchange: [src, first, second] });
  const steps: Undo = [];
  try {
    if (first.type === 'dataTransfer') await releaseFromDrive(core, lib, first, `Cannot exchange cartridge "${b.barcode}"`, options.force ?? false, steps);
    if (src.type === 'dataTransfer') await releaseFromDrive(core, lib, src, `Cannot exchange cartridge "${a.barcode}"`, options.force ?? false, steps);
    if (first.type === 'dataTransfer') await loadIntoDrive(core, lib, first, a, `Cannot exchange cartridge "${a.barcode}"`, steps);
    if (second.type === 'dataTransfer') await loadIntoDrive(core, lib, second, b, `Cannot exchange cartridge "${b.barcode}"`, steps);
  } catch (err) {
    await undo(core, steps);
    dropIntent(core, intent);
    throw err;
  }
  await commitOrUndo(core, intent, steps, () => {
    // Park A off every element first: the unique element index would refuse a transient double occupancy.
    core.catalog.relocate(a.barcode, { library: lib.name, type: null, index: null }, null, false);
    core.catalog.relocate(b.barcode, core.place(lib, second), { library: lib.name, ...sourceFor(b, first, second) },
      second.type === 'importExport' && options.actor === 'operator');
    core.catalog.relocate(a.barcode, core.place(lib, first), { library: lib.name, ...sourceFor(a, src, first) },
      first.type === 'importExport' && options.actor === 'operator');
    core.catalog.removeIntent(intent);
  });
  const afterA = core.toCartridge(core.row(a.barcode));
  const afterB = core.toCartridge(core.row(b.barcode));
  core.moved(lib.name, b.barcode, beforeB, afterB.location, options.actor);
  core.moved(lib.name, a.barcode, beforeA, afterA.location, options.actor);
  return [afterA, afterB];
}

/**
 * Operator unload: the drive unloads (force overrides PREVENT) and the robot returns the cartridge to its source
 * element when that is an empty slot or mail slot, else to the first free slot; with no free slot it stays in the
 * drive, unloaded.
 */
export async function unloadDrive(core: LibraryCore, libraryName: string, driveIndex: number, force: boolean, actor: Actor): Promise<Cartridge | undefined> {
  const lib = core.lib(libraryName);
  if (!Number.isInteger(driveIndex) || driveIndex < 0 || driveIndex >= lib.layout.dataTransfer.count) {
    throw new LibraryStateError('not-found', `Library "${lib.name}" has no drive ${driveIndex + 1}`);
  }
  const drive = core.refOf(lib, 'dataTransfer', driveIndex);
  const row = core.catalog.cartridgeAt(lib.name, 'dataTransfer', driveIndex);
  if (!row) {
    await releaseFromDrive(core, lib, drive, `Cannot unload ${describeElement(drive)}`, force);
    return undefined;
  }
  let target: ElementRef | undefined;
  if (row.sourceType === 'storage' || row.sourceType === 'importExport') {
    const src = core.refOf(lib, row.sourceType, row.sourceIndex ?? 0);
    const free = row.sourceIndex !== null && row.sourceIndex < lib.layout[row.sourceType].count
      && !core.catalog.cartridgeAt(lib.name, src.type, src.index)
      && !(src.type === 'importExport' && core.isMailSlotOpen(lib.name, src.index));
    if (free) target = src;
  }
  target ??= core.findFree(lib, 'storage', `Cannot unload ${describeElement(drive)}`);
  if (!target) {
    await releaseFromDrive(core, lib, drive, `Cannot unload ${describeElement(drive)}`, force);
    return core.toCartridge(row);
  }
  return moveCartridge(core, lib.name, drive.address, target.address, { actor, force });
}
