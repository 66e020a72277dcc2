// The state every library operation shares: the catalog, the active libraries and their layouts, attached drives,
// host-side locks (PREVENT MEDIUM REMOVAL, opened mail slots) and event listeners. Internal to src/library.
import type { LibraryConfig, VtlConfig } from '../config/schema.js';
import { libraryIqn } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { MediaStore } from '../media/tape-medium.js';
import type { Cartridge, CartridgeLocation } from './cartridge.js';
import type { Catalog, CartridgeRow, Place } from './catalog.js';
import type { DriveMechanism } from './drive-port.js';
import { resolveDriveIdentity } from './drive-identity.js';
import type { DeviceIdentity } from './drive-identity.js';
import { addressOf, describeElement, elementAt, elementsOf, layoutOf } from './layout.js';
import type { ElementRef, ElementType, LibraryLayout } from './layout.js';
import type { Actor, LibraryEvent, LibraryListener } from './library-event.js';
import { LibraryStateError } from './library-state-error.js';
import type { LoadFailure } from './load-failure.js';
import { RetentionBook } from './retention-book.js';
import type { LtoGeneration } from './lto.js';

export interface ActiveLibrary {
  readonly name: string;
  readonly iqn: string;
  readonly config: LibraryConfig;
  readonly layout: LibraryLayout;
}

export class LibraryCore {
  readonly active = new Map<string, ActiveLibrary>();
  private readonly mechanisms = new Map<string, DriveMechanism>();
  /** Holders (I_T nexus ids) of PREVENT MEDIUM REMOVAL on each library's changer. */
  private readonly prevention = new Map<string, Set<string>>();
  /** Mail slot indexes a host opened with OPEN/CLOSE IMPORT/EXPORT ELEMENT. */
  private readonly openMailSlots = new Map<string, Set<number>>();
  private readonly listeners = new Set<LibraryListener>();
  /**
   * Why the last load of a cartridge into a drive failed (its media could not be opened: a wrong master key, a
   * damaged file), until a load succeeds. In memory: a restart tries again and finds the reason again.
   */
  readonly loadFailures = new Map<string, LoadFailure>();
  readonly retention: RetentionBook;

  constructor(
    readonly catalog: Catalog,
    readonly config: VtlConfig,
    readonly mediaStore: MediaStore,
    readonly log: Logger,
    now: () => Date = () => new Date(),
  ) {
    for (const library of config.libraries) {
      const layout = layoutOf(library);
      this.active.set(library.name, { name: library.name, iqn: libraryIqn(config, library), config: library, layout });
      // A slot the config no longer has is forgotten (it can be neither reached nor closed).
      const open = catalog.openMailSlots(library.name).filter((i) => i < layout.importExport.count);
      if (open.length > 0) this.openMailSlots.set(library.name, new Set(open));
    }
    this.retention = new RetentionBook(catalog, config, log.child({ component: 'retention' }), now);
    // Unloads start `from: unload` retention policies, whoever moved the cartridge out of its drive.
    this.on((event) => {
      if (event.type !== 'cartridge-moved' || event.barcode === undefined || event.from?.kind !== 'element' || event.from.type !== 'dataTransfer') return;
      try {
        this.retention.noteUnload(event.barcode, new Date(event.at));
      } catch (err) {
        this.log.error({ err, barcode: event.barcode }, 'could not record the unload for retention policies');
      }
    });
  }

  lib(name: string): ActiveLibrary {
    const l = this.active.get(name);
    if (!l) throw new LibraryStateError('not-found', `No library named "${name}"`);
    return l;
  }

  /** The element at `address`, or 'invalid-element' naming what the operation was doing. */
  elementRef(library: ActiveLibrary, address: number, doing: string): ElementRef {
    const ref = elementAt(library.layout, address);
    if (!ref) {
      throw new LibraryStateError('invalid-element',
        `${doing}: library "${library.name}" has no element at address ${address.toString(16).toUpperCase().padStart(4, '0')}h`);
    }
    return ref;
  }

  refOf(library: ActiveLibrary, type: ElementType, index: number): ElementRef {
    return { type, index, address: addressOf(library.layout, type, index) };
  }

  place(library: ActiveLibrary, ref: ElementRef): Place {
    return { library: library.name, type: ref.type, index: ref.index };
  }

  locationOf(row: CartridgeRow): CartridgeLocation {
    const lib = this.active.get(row.library);
    if (row.elementType === null || row.elementIndex === null || !lib) return { kind: 'shelf', library: row.library };
    return { kind: 'element', library: row.library, type: row.elementType, index: row.elementIndex, address: addressOf(lib.layout, row.elementType, row.elementIndex) };
  }

  toCartridge(row: CartridgeRow): Cartridge {
    const lib = this.active.get(row.library);
    const location = this.locationOf(row);
    const source = row.sourceType !== null && row.sourceIndex !== null && lib && location.kind === 'element'
      ? { type: row.sourceType, index: row.sourceIndex, address: addressOf(lib.layout, row.sourceType, row.sourceIndex) }
      : undefined;
    return {
      barcode: row.barcode,
      generation: (row.generation ?? undefined) as LtoGeneration | undefined,
      worm: row.worm,
      cleaning: row.cleaning,
      capacityBytes: row.capacityBytes,
      writeProtected: row.writeProtected,
      location,
      source,
      placedByOperator: row.placedByOperator,
      mediaMissing: row.mediaMissing,
      ...loadErrorFields(this.loadFailures.get(row.barcode)),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  row(barcode: string): CartridgeRow {
    const row = this.catalog.cartridge(barcode);
    if (!row) throw new LibraryStateError('not-found', `No cartridge with barcode "${barcode}"`);
    return row;
  }

  /** The first empty element of `type` (or `address` when given and empty); undefined when all are full. */
  findFree(library: ActiveLibrary, type: ElementType, doing: string, address?: number): ElementRef | undefined {
    if (address !== undefined) {
      const ref = this.elementRef(library, address, doing);
      if (ref.type !== type) {
        throw new LibraryStateError('invalid-element', `${doing}: ${describeElement(ref)} is not a ${type === 'storage' ? 'storage slot' : 'mail slot'}`);
      }
      if (this.catalog.cartridgeAt(library.name, ref.type, ref.index)) {
        throw new LibraryStateError('destination-full', `${doing}: ${describeElement(ref)} is full`);
      }
      if (type === 'importExport' && this.isMailSlotOpen(library.name, ref.index)) return undefined;
      return ref;
    }
    const used = new Set(this.catalog.cartridgesIn(library.name).filter((r) => r.elementType === type).map((r) => r.elementIndex));
    for (const ref of elementsOf(library.layout, [type])) {
      if (used.has(ref.index)) continue;
      if (type === 'importExport' && this.isMailSlotOpen(library.name, ref.index)) continue;
      return ref;
    }
    return undefined;
  }

  attach(library: string, index: number, mechanism: DriveMechanism): void {
    this.mechanisms.set(`${library}/${index}`, mechanism);
  }

  mechanism(library: string, index: number): DriveMechanism | undefined {
    return this.mechanisms.get(`${library}/${index}`);
  }

  driveIdentity(library: ActiveLibrary, index: number): DeviceIdentity {
    return this.mechanism(library.name, index)?.identity ?? resolveDriveIdentity(this.config, library.config, index);
  }

  setRemovalPrevented(library: string, holder: string, prevent: boolean): boolean {
    const set = this.prevention.get(library) ?? new Set<string>();
    const before = set.size > 0;
    if (prevent) set.add(holder);
    else set.delete(holder);
    this.prevention.set(library, set);
    return before !== set.size > 0;
  }

  removalPrevented(library: string): boolean {
    return (this.prevention.get(library)?.size ?? 0) > 0;
  }

  /** Records the change in the catalog first: a CatalogWriteError leaves the slot as it was. */
  setMailSlotOpen(library: string, index: number, open: boolean): void {
    const set = new Set(this.openMailSlots.get(library));
    if (open) set.add(index);
    else set.delete(index);
    if (set.size === (this.openMailSlots.get(library)?.size ?? 0)) return;
    this.catalog.setOpenMailSlots(library, [...set]);
    this.openMailSlots.set(library, set);
  }


  isMailSlotOpen(library: string, index: number): boolean {
    return this.openMailSlots.get(library)?.has(index) ?? false;
  }

  on(listener: LibraryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: Omit<LibraryEvent, 'at'>): void {
    const full: LibraryEvent = { ...event, at: new Date().toISOString() };
    for (const l of [...this.listeners]) {
      try {
        l(full);
      } catch (err) {
        // A listener's bug must not undo or hide a committed change.
        this.log.error({ err, event: full.type }, 'library event listener failed');
      }
    }
  }

  moved(library: string, barcode: string, from: CartridgeLocation, to: CartridgeLocation, actor: Actor): void {
    this.emit({ type: 'cartridge-moved', library, barcode, from, to, actor });
  }
}

/** The Cartridge fields of a failed last load (none once a load succeeded). */
function loadErrorFields(failure: LoadFailure | undefined): Pick<Cartridge, 'loadError' | 'loadErrorCause'> {
  return failure === undefined ? {} : { loadError: failure.message, loadErrorCause: failure.cause };
}
