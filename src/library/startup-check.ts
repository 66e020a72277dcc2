// Start-up: bring the catalog in line with the config and the media store, and finish what a crash interrupted.
// Rules (docs in /work/notes/library-api.md and the README):
// - A library in the config but not in the catalog is created, with its initial blank cartridges.
// - A library whose element counts shrank: cartridges in elements that no longer exist move to a free element
//   (storage -> slot, else mail slot; mail slot -> mail slot, else slot; drive -> its source slot, else a free
//   slot), else to the shelf. Each relocation is reported. First addresses may change freely (contents are kept by
//   position within the type).
// - A library gone from the config keeps its catalog row; its cartridges move to the shelf (from where they can be
//   brought into any library).
// - Intents: a move that did not commit is dropped (drives start empty; the catalog location stands); a create
//   re-creates a missing media file; a delete deletes the media file if it is still there.
// - Media: a catalog cartridge without a media file is marked missing (it cannot be loaded); a media file without
//   a catalog cartridge is adopted onto the shelf of the first library when its barcode tells its generation,
//   else reported.
import type { CartridgeDescriptor } from '../media/tape-medium.js';
import { numberedBarcode, parseBarcode } from './barcode.js';
import { descriptorOf } from './cartridge-ops.js';
import type { CartridgeRow, IntentRow, Place } from './catalog.js';
import type { ElementType } from './layout.js';
import type { ActiveLibrary, LibraryCore } from './library-core.js';
import { LTO_GENERATIONS } from './lto.js';
import type { LtoGeneration } from './lto.js';

export interface StartupReport {
  readonly createdLibraries: string[];
  readonly inactiveLibraries: string[];
  readonly relocated: { barcode: string; from: string; to: string }[];
  readonly repairedIntents: string[];
  readonly missingMedia: string[];
  readonly adoptedMedia: string[];
  readonly unadoptable: string[];
}

export function emptyReport(): StartupReport {
  return { createdLibraries: [], inactiveLibraries: [], relocated: [], repairedIntents: [], missingMedia: [], adoptedMedia: [], unadoptable: [] };
}

/** The whole catalog at once: a single node serves every library (startup-per-library.ts for a cluster node's). */
export async function startupCheck(core: LibraryCore): Promise<StartupReport> {
  const report = emptyReport();
  const { catalog } = core;
  const known = new Set(catalog.libraries().map((l) => l.name));
  // Intents left by an earlier run (a crash); those a new library adds below are this start's own work.
  const leftByCrash = new Set(catalog.intents().map((i) => i.id));
  for (const lib of core.active.values()) await reconcileLayout(core, lib, known.has(lib.name), report);
  for (const name of known) {
    if (!core.active.has(name)) shelveInactive(core, name, report);
  }
  await finishIntents(core, report, leftByCrash, () => true);
  const files = new Set(await core.mediaStore.list());
  markMissingMedia(core, report, files, catalog.allCartridges());
  adoptOrphans(core, report, files);
  logReport(core, report);
  applyRetentionPolicies(core);
  return report;
}

/** Steps 1 and 2: a library new to the catalog is created with its initial cartridges; a known one's counts updated. */
export async function reconcileLayout(core: LibraryCore, lib: ActiveLibrary, known: boolean, report: StartupReport): Promise<void> {
  const { catalog } = core;
  const counts = { storageCount: lib.layout.storage.count, importExportCount: lib.layout.importExport.count, dataTransferCount: lib.layout.dataTransfer.count };
  if (!known) {
    // The library and its initial cartridges commit together; their media files are created through the
    // intents below, so a crash at any point still ends with every initial cartridge and its file.
    const rows = await initialCartridges(core, lib);
    catalog.transaction(() => {
      catalog.putLibrary({ name: lib.name, ...counts });
      rows.forEach((r, i) => {
        catalog.insertCartridge({ ...r, cleaning: false, library: lib.name, elementType: 'storage', elementIndex: i, placedByOperator: false });
        catalog.addIntent('create', r.barcode, descriptorOf(r));
      });
    });
    report.createdLibraries.push(lib.name);
    return;
  }
  catalog.transaction(() => {
    relocateOutOfRange(core, lib, report);
    catalog.putLibrary({ name: lib.name, ...counts });
  });
}

/** Step 3: a library in the catalog but not in the config sends its cartridges to the shelf. */
export function shelveInactive(core: LibraryCore, name: string, report: StartupReport): void {
  const { catalog } = core;
  report.inactiveLibraries.push(name);
  catalog.transaction(() => {
    for (const row of catalog.cartridgesIn(name)) {
      catalog.relocate(row.barcode, { library: name, type: null, index: null }, null, false);
      report.relocated.push({ barcode: row.barcode, from: `${name} ${row.elementType ?? ''} ${(row.elementIndex ?? 0) + 1}`, to: 'shelf' });
    }
  });
}

/** Step 4, for the intents `mine` picks: finish (create, delete) or drop (move) what an earlier run left. */
export async function finishIntents(core: LibraryCore, report: StartupReport, leftByCrash: ReadonlySet<number>, mine: (intent: IntentRow) => boolean): Promise<void> {
  const { catalog, log } = core;
  for (const intent of catalog.intents()) {
    if (!mine(intent)) continue;
    try {
      if (intent.kind === 'create' && catalog.cartridge(intent.barcode) && !(await core.mediaStore.exists(intent.barcode))) {
        await core.mediaStore.create(intent.payload as CartridgeDescriptor);
      } else if (intent.kind === 'delete' && !catalog.cartridge(intent.barcode) && (await core.mediaStore.exists(intent.barcode))) {
        await core.mediaStore.delete(intent.barcode);
      }
    } catch (err) {
      // Kept for the next start; the media check below reports what is still wrong (a missing file is marked).
      log.error({ err, intent: intent.kind, barcode: intent.barcode }, 'could not finish an interrupted operation');
      continue;
    }
    catalog.removeIntent(intent.id);
    if (leftByCrash.has(intent.id)) report.repairedIntents.push(`${intent.kind} ${intent.barcode}`);
  }
}

/** Step 5a: each of `rows` (not cleaning) without a media file is marked missing, and unmarked when it is back. */
export function markMissingMedia(core: LibraryCore, report: StartupReport, files: ReadonlySet<string>, rows: readonly CartridgeRow[]): void {
  for (const row of rows) {
    if (row.cleaning) continue;
    const missing = !files.has(row.barcode);
    if (missing) report.missingMedia.push(row.barcode);
    if (missing !== row.mediaMissing) core.catalog.setMediaMissing(row.barcode, missing);
  }
}

/** Step 5b: a media file without a cartridge (nor an intent still working on it) is adopted onto a shelf. */
export function adoptOrphans(core: LibraryCore, report: StartupReport, files: ReadonlySet<string>): void {
  const { catalog } = core;
  const home = [...core.active.keys()][0];
  const busy = new Set(catalog.intents().map((i) => i.barcode));
  for (const barcode of files) {
    if (catalog.cartridge(barcode) || busy.has(barcode)) continue;
    let generation: LtoGeneration | undefined;
    let worm = false;
    try {
      const info = parseBarcode(barcode);
      generation = info.generation;
      worm = info.worm;
    } catch {
      generation = undefined;
    }
    if (generation === undefined || home === undefined) {
      report.unadoptable.push(barcode);
      continue;
    }
    // The capacity the file was created with is not known here; the generation's native capacity is assumed.
    catalog.insertCartridge({ barcode, generation, worm, cleaning: false, capacityBytes: LTO_GENERATIONS[generation].nativeCapacityBytes,
      library: home, elementType: null, elementIndex: null, placedByOperator: false });
    report.adoptedMedia.push(barcode);
  }
}

export function logReport(core: LibraryCore, report: StartupReport): void {
  const { log } = core;
  if (report.missingMedia.length) log.warn({ barcodes: report.missingMedia }, 'cartridges without a media file (marked missing)');
  if (report.adoptedMedia.length) log.warn({ barcodes: report.adoptedMedia }, 'media files without a cartridge: adopted onto the shelf');
  if (report.unadoptable.length) log.warn({ barcodes: report.unadoptable }, 'media files with unusable barcodes: left alone');
  if (report.relocated.length) log.warn({ relocated: report.relocated }, 'cartridges relocated after a layout change');
  if (report.repairedIntents.length) log.info({ intents: report.repairedIntents }, 'finished operations interrupted by a crash');
}

/** Step 6, last: retention policies of the config (maybe edited since the last run) meet the locks the catalog holds. */
export function applyRetentionPolicies(core: LibraryCore): void {
  const locked = core.retention.applyPolicies();
  if (locked > 0) core.log.info({ cartridges: locked }, 'retention policies locked or extended locks on cartridges');
}

function relocateOutOfRange(core: LibraryCore, lib: ActiveLibrary, report: StartupReport): void {
  const { catalog } = core;
  const stored = catalog.library(lib.name);
  if (!stored) return;
  const rows = catalog.cartridgesIn(lib.name);
  const used = new Map<ElementType, Set<number>>();
  for (const r of rows) if (r.elementType) (used.get(r.elementType) ?? used.set(r.elementType, new Set()).get(r.elementType))?.add(r.elementIndex ?? -1);
  const take = (type: ElementType): Place | undefined => {
    const set = used.get(type) ?? new Set<number>();
    for (let i = 0; i < lib.layout[type].count; i++) {
      if (!set.has(i)) {
        set.add(i);
        used.set(type, set);
        return { library: lib.name, type, index: i };
      }
    }
    return undefined;
  };
  for (const row of rows) {
    const type = row.elementType;
    if (type === null || row.elementIndex === null) continue;
    if (row.elementIndex < lib.layout[type].count) continue;
    const preferred = preference(row, lib);
    let to: Place | undefined;
    for (const p of preferred) to ??= p.type === 'storage' && p.index !== undefined ? claim(used, lib, p.index) : take(p.type);
    to ??= { library: lib.name, type: null, index: null };
    catalog.relocate(row.barcode, to, null, false);
    report.relocated.push({ barcode: row.barcode, from: `${type} ${row.elementIndex + 1}`, to: to.type === null ? 'shelf' : `${to.type} ${(to.index ?? 0) + 1}` });
  }
}

function preference(row: CartridgeRow, lib: ActiveLibrary): { type: ElementType; index?: number }[] {
  if (row.elementType === 'importExport') return [{ type: 'importExport' }, { type: 'storage' }];
  if (row.elementType === 'dataTransfer' && row.sourceType === 'storage' && row.sourceIndex !== null && row.sourceIndex < lib.layout.storage.count) {
    return [{ type: 'storage', index: row.sourceIndex }, { type: 'storage' }, { type: 'importExport' }];
  }
  return [{ type: 'storage' }, { type: 'importExport' }];
}

function claim(used: Map<ElementType, Set<number>>, lib: ActiveLibrary, index: number): Place | undefined {
  const set = used.get('storage') ?? new Set<number>();
  if (set.has(index)) return undefined;
  set.add(index);
  used.set('storage', set);
  return { library: lib.name, type: 'storage', index };
}

async function initialCartridges(core: LibraryCore, lib: ActiveLibrary): Promise<{ barcode: string; generation: number; worm: boolean; capacityBytes: number }[]> {
  const init = lib.config.initialCartridges;
  const count = Math.min(init.count, lib.layout.storage.count);
  if (count < init.count) core.log.warn({ library: lib.name, wanted: init.count, slots: lib.layout.storage.count }, 'more initial cartridges than slots');
  const generation = (init.generation ?? lib.config.driveDefaults.generation ?? core.config.defaults.generation);
  const capacityBytes = init.capacityBytes ?? LTO_GENERATIONS[generation].nativeCapacityBytes;
  const rows: { barcode: string; generation: number; worm: boolean; capacityBytes: number }[] = [];
  const maxSerial = 10 ** (6 - init.barcodePrefix.length) - 1;
  // Several libraries with the default prefix share one barcode space: numbering skips barcodes already taken.
  for (let n = 1; rows.length < count && n <= maxSerial; n++) {
    const barcode = numberedBarcode(init.barcodePrefix, n, generation);
    if (core.catalog.cartridge(barcode) || (await core.mediaStore.exists(barcode))) continue;
    rows.push({ barcode, generation, worm: false, capacityBytes });
  }
  return rows;
}
