// The library service: the one entry point for the changer (scsi/smc), the management API and main.ts.
// Queries read the catalog synchronously; operations run one at a time and happen whole or not at all.
import type Database from 'better-sqlite3';
import type { VtlConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { MediaStore } from '../media/tape-medium.js';
import type { Cartridge, CartridgeFilter } from './cartridge.js';
import { createCartridges, deleteCartridge, exportCartridge, importCartridge, setWriteProtected, shelveCartridge, unshelveCartridge, type CreateCartridgesRequest } from './cartridge-ops.js';
import { cartridgeMatcher } from './cartridge-filter.js';
import { ApiTokenStore } from './api-token-store.js';
import { CatalogAuditAnchor } from './audit-anchor.js';
import { Catalog } from './catalog.js';
import { CatalogHealth, type CatalogWriteState } from './catalog-health.js';
import { openCatalogConnection } from './catalog-source.js';
import { resolveChangerIdentity, type DeviceIdentity } from './drive-identity.js';
import type { DriveMechanism, DriveState } from './drive-port.js';
import { elementsOf, type ElementType, type LibraryLayout } from './layout.js';
import { LibraryCore, type ActiveLibrary } from './library-core.js';
import type { Actor, LibraryListener } from './library-event.js';
import { LibraryStateError } from './library-state-error.js';
import { loadFailureOf } from './load-failure.js';
import type { RetentionBook } from './retention-book.js';
import { rescanMedia } from './rescan-media.js';
import { exchangeCartridges, mountRequestOf, moveCartridge, unloadDrive } from './robot.js';
import { startupCheck } from './startup-check.js';
import { libraryStartup, sharedStartup } from './startup-per-library.js';
import { SerialQueue } from '../serial-queue.js';
import type { StartupReport } from './startup-check.js';

export type { CreateCartridgesRequest } from './cartridge-ops.js';
export type { StartupReport } from './startup-check.js';

export interface LibraryManagerOptions {
  readonly config: VtlConfig;
  readonly mediaStore: MediaStore;
  readonly log: Logger;
  /** A SQLite catalog's path instead of the config's `catalog:` (default `<server.dataDir>/catalog.sqlite`). */
  readonly catalogPath?: string;
  /** An open database instead of a path (tests). */
  readonly db?: Database.Database;
  /** The clock retention locks are judged by (tests move it). */
  readonly now?: () => Date;
}

export interface LibraryInfo {
  readonly name: string;
  readonly iqn: string;
  readonly layout: LibraryLayout;
  readonly slots: number;
  readonly mailSlots: number;
  readonly drives: number;
  readonly cartridges: number;
  readonly freeSlots: number;
  readonly freeMailSlots: number;
  readonly removalPrevented: boolean;
}

export interface ElementStatus {
  readonly library: string;
  readonly type: ElementType;
  readonly index: number;
  readonly address: number;
  readonly cartridge: Cartridge | undefined;
  /** The robot can reach it (false for a mail slot a host opened). */
  readonly accessible: boolean;
  /** A mail slot opened with OPEN/CLOSE IMPORT/EXPORT ELEMENT. */
  readonly open: boolean;
  readonly exception: 'media-missing' | undefined;
}

export interface DriveInfo {
  readonly library: string;
  readonly index: number;
  readonly address: number;
  readonly identity: DeviceIdentity;
  readonly mechanism: DriveMechanism | undefined;
  readonly state: DriveState | undefined;
  readonly cartridge: Cartridge | undefined;
}

export interface ActorOption {
  readonly actor?: Actor;
}

export class LibraryManager {
  readonly tokens: ApiTokenStore; // the management API's, hashes in the catalog
  readonly auditAnchor: CatalogAuditAnchor; // the audit log's newest entry, kept in the catalog
  /** Retention locks (`retention.retentionOf(barcode, now)` is the drive layer's question). */
  readonly retention: RetentionBook;
  /** Released cartridges and their physical library (the staging layer keeps it; `Cartridge.releasedTo`). */
  readonly releasedTo: Map<string, string>;
  private readonly core: LibraryCore;
  private readonly catalog: Catalog;
  /** The one owner of ordering for library operations: a move awaits drive loads, and two interleaved moves could
   * both see the same free slot. */
  private readonly operations = new SerialQueue();
  /**
   * The libraries a cluster node serves, by the fencing token of its lease (undefined: not a cluster node). Each
   * operation takes them as they are when it is queued, and the catalog's fence (migration 5) refuses its changes to
   * a library unless that token is still the lease's: an operation queued before the lease was lost fails, even
   * when the node has taken the library again since.
   */
  private leaseTokens: Map<string, number> | undefined;
  private started = false;

  constructor(options: LibraryManagerOptions) {
    const source = options.db ?? openCatalogConnection(options.config, options.catalogPath);
    this.catalog = new Catalog(source, new CatalogHealth(options.log.child({ component: 'catalog' })));
    this.core = new LibraryCore(this.catalog, options.config, options.mediaStore, options.log.child({ component: 'library' }), options.now);
    this.tokens = new ApiTokenStore(this.catalog);
    this.auditAnchor = new CatalogAuditAnchor(this.catalog, options.config.cluster?.nodeId);
    this.retention = this.core.retention;
    this.releasedTo = this.core.releasedTo;
  }

  /** Reconcile the catalog with the config and the media store; call once, before anything else. */
  async start(): Promise<StartupReport> {
    const report = await this.operations.run(() => startupCheck(this.core));
    this.started = true;
    return report;
  }

  /**
   * A cluster node's start instead of start(): only what belongs to no library (startup-per-library.ts); each
   * library then starts with startLibrary() once this node holds its lease.
   */
  async startShared(): Promise<StartupReport> {
    const report = await this.operations.run(() => sharedStartup(this.core));
    this.started = true;
    return report;
  }

  /** This node now serves `library` under the lease's fencing `token`: its start-up steps, before its drives are attached. */
  startLibrary(library: string, token: number): Promise<StartupReport> {
    this.core.lib(library);
    (this.leaseTokens ??= new Map()).set(library, token);
    return this.queued(() => libraryStartup(this.core, library));
  }

  /** This node no longer serves `library` (another node took it): its drives and host locks are forgotten at once. */
  stopLibrary(library: string): void {
    this.leaseTokens?.delete(library);
    this.core.detachLibrary(library);
  }

  close(): void {
    this.catalog.close();
  }

  /** Whether the catalog can write; while it cannot, every operation that changes state fails with CatalogWriteError. */
  catalogWriteState(): CatalogWriteState {
    return this.catalog.health.state();
  }

  /**
   * Connect drive `driveIndex` (0-based) of a library to its drive. If the catalog says the drive holds a cartridge
   * (a restart, or a crash mid-move), it is loaded again.
   */
  async attachDrive(library: string, driveIndex: number, mechanism: DriveMechanism): Promise<void> {
    const lib = this.core.lib(library);
    this.checkDrive(lib, driveIndex);
    await this.queued(async () => {
      this.core.attach(lib.name, driveIndex, mechanism);
      const row = this.catalog.cartridgeAt(lib.name, 'dataTransfer', driveIndex);
      if (row && mechanism.state().loaded !== row.barcode && !row.mediaMissing) {
        try {
          await mechanism.load(mountRequestOf(row));
          this.core.loadFailures.delete(row.barcode);
        } catch (err) {
          this.core.loadFailures.set(row.barcode, loadFailureOf(err));
          this.core.log.error({ err, library, drive: driveIndex + 1, barcode: row.barcode }, 'could not reload the cartridge the catalog places in this drive');
        }
      }
      this.core.emit({ type: 'drive-attached', library: lib.name, actor: 'system' });
    });
  }

  libraries(): LibraryInfo[] {
    return [...this.core.active.values()].map((l) => this.info(l));
  }

  library(name: string): LibraryInfo {
    return this.info(this.core.lib(name));
  }

  elements(library: string, type?: ElementType): ElementStatus[] {
    const lib = this.core.lib(library);
    const byPlace = new Map<string, Cartridge>();
    for (const row of this.catalog.cartridgesIn(lib.name)) byPlace.set(`${row.elementType}/${row.elementIndex}`, this.core.toCartridge(row));
    return elementsOf(lib.layout, type ? [type] : undefined).map((ref) => {
      const cartridge = byPlace.get(`${ref.type}/${ref.index}`);
      const open = ref.type === 'importExport' && this.core.isMailSlotOpen(lib.name, ref.index);
      return { library: lib.name, ...ref, cartridge, accessible: !open, open, exception: cartridge?.mediaMissing ? 'media-missing' : undefined };
    });
  }

  element(library: string, address: number): ElementStatus {
    const lib = this.core.lib(library);
    const ref = this.core.elementRef(lib, address, 'No such element');
    const row = this.catalog.cartridgeAt(lib.name, ref.type, ref.index);
    const cartridge = row && this.core.toCartridge(row);
    const open = ref.type === 'importExport' && this.core.isMailSlotOpen(lib.name, ref.index);
    return { library: lib.name, ...ref, cartridge, accessible: !open, open, exception: cartridge?.mediaMissing ? 'media-missing' : undefined };
  }

  drives(library: string): DriveInfo[] {
    const lib = this.core.lib(library);
    return Array.from({ length: lib.layout.dataTransfer.count }, (_, i) => this.drive(library, i));
  }

  drive(library: string, index: number): DriveInfo {
    const lib = this.core.lib(library);
    this.checkDrive(lib, index);
    const ref = this.core.refOf(lib, 'dataTransfer', index);
    const mechanism = this.core.mechanism(lib.name, index);
    const row = this.catalog.cartridgeAt(lib.name, 'dataTransfer', index);
    return { library: lib.name, index, address: ref.address, identity: this.core.driveIdentity(lib, index), mechanism, state: mechanism?.state(), cartridge: row && this.core.toCartridge(row) };
  }

  changerIdentity(library: string): DeviceIdentity {
    return resolveChangerIdentity(this.core.lib(library).config);
  }

  cartridges(filter: CartridgeFilter = {}): Cartridge[] {
    return this.catalog.allCartridges().map((r) => this.core.toCartridge(r)).filter(cartridgeMatcher(filter));
  }

  cartridge(barcode: string): Cartridge {
    return this.core.toCartridge(this.core.row(barcode));
  }

  move(library: string, fromAddress: number, toAddress: number, options: ActorOption = {}): Promise<Cartridge> {
    return this.op(() => moveCartridge(this.core, library, fromAddress, toAddress, { actor: options.actor ?? 'operator' }));
  }

  exchange(library: string, sourceAddress: number, firstDestinationAddress: number, secondDestinationAddress: number, options: ActorOption = {}): Promise<Cartridge[]> {
    return this.op(() => exchangeCartridges(this.core, library, sourceAddress, firstDestinationAddress, secondDestinationAddress, { actor: options.actor ?? 'operator' }));
  }

  createCartridges(request: CreateCartridgesRequest, options: ActorOption = {}): Promise<Cartridge[]> {
    return this.op(() => createCartridges(this.core, request, options.actor ?? 'operator'));
  }

  importCartridge(barcode: string, options: ActorOption & { toAddress?: number } = {}): Promise<Cartridge> {
    return this.op(() => importCartridge(this.core, barcode, options.toAddress, options.actor ?? 'operator'));
  }

  exportCartridge(barcode: string, options: ActorOption & { toAddress?: number } = {}): Promise<Cartridge> {
    return this.op(() => exportCartridge(this.core, barcode, options.toAddress, options.actor ?? 'operator'));
  }

  shelveCartridge(barcode: string, options: ActorOption & { direct?: boolean } = {}): Promise<Cartridge> {
    return this.op(() => shelveCartridge(this.core, barcode, options.direct ?? false, options.actor ?? 'operator'));
  }

  unshelveCartridge(barcode: string, options: ActorOption & { library?: string; toAddress?: number } = {}): Promise<Cartridge> {
    return this.op(() => unshelveCartridge(this.core, barcode, options.library, options.toAddress, options.actor ?? 'operator'));
  }

  deleteCartridge(barcode: string, options: ActorOption = {}): Promise<void> {
    return this.op(() => deleteCartridge(this.core, barcode, options.actor ?? 'operator'));
  }

  setWriteProtected(barcode: string, on: boolean, options: ActorOption = {}): Promise<Cartridge> {
    return this.op(() => setWriteProtected(this.core, barcode, on, options.actor ?? 'operator'));
  }

  unloadDrive(library: string, driveIndex: number, options: ActorOption & { force?: boolean } = {}): Promise<Cartridge | undefined> {
    return this.op(() => unloadDrive(this.core, library, driveIndex, options.force ?? false, options.actor ?? 'operator'));
  }

  /**
   * Inventory scan: marks or clears "media missing" (rescan-media.ts) in every element, or in the elements at
   * `addresses`; returns the barcodes that changed.
   */
  rescan(library: string, options: ActorOption & { addresses?: ReadonlySet<number> } = {}): Promise<string[]> {
    return this.op(() => rescanMedia(this.core, library, options.actor ?? 'operator', options.addresses));
  }

  /** Subscribe to committed changes; returns the unsubscribe function. */
  on(listener: LibraryListener): () => void {
    return this.core.on(listener);
  }

  /** PREVENT ALLOW MEDIUM REMOVAL on the changer, per holder (an I_T nexus): any holder keeps the mail slots locked. */
  setRemovalPrevented(library: string, holder: string, prevent: boolean): void {
    this.core.lib(library);
    if (this.core.setRemovalPrevented(library, holder, prevent)) {
      this.core.emit({ type: 'removal-prevention-changed', library, actor: 'host' });
    }
  }

  removalPrevented(library: string): boolean {
    return this.core.removalPrevented(library);
  }

  /** OPEN/CLOSE IMPORT/EXPORT ELEMENT: an open mail slot is out of the robot's reach. */
  setMailSlotOpen(library: string, index: number, open: boolean): void {
    const lib = this.core.lib(library);
    if (!Number.isInteger(index) || index < 0 || index >= lib.layout.importExport.count) {
      throw new LibraryStateError('not-found', `Library "${library}" has no mail slot ${index + 1}`);
    }
    this.core.setMailSlotOpen(library, index, open);
  }

  private op<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.started) return Promise.reject(new Error('LibraryManager.start() has not completed'));
    return this.queued(fn);
  }

  /** Queue an operation; on a cluster node, its catalog changes carry the lease tokens held as it is queued. */
  private queued<T>(fn: () => Promise<T>): Promise<T> {
    const leases = this.leaseTokens;
    if (leases === undefined) return this.operations.run(fn);
    const tokens = new Map(leases);
    return this.operations.run(async () => {
      this.catalog.useLeaseTokens(tokens);
      try {
        return await fn();
      } finally {
        // Between operations (a drive's own catalog writes), the tokens held now.
        this.catalog.useLeaseTokens(leases);
      }
    });
  }

  private checkDrive(lib: ActiveLibrary, index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= lib.layout.dataTransfer.count) {
      throw new LibraryStateError('not-found', `Library "${lib.name}" has no drive ${index + 1}`);
    }
  }

  private info(lib: ActiveLibrary): LibraryInfo {
    const rows = this.catalog.cartridgesIn(lib.name);
    const count = (t: ElementType): number => rows.filter((r) => r.elementType === t).length;
    return {
      name: lib.name,
      iqn: lib.iqn,
      layout: lib.layout,
      slots: lib.layout.storage.count,
      mailSlots: lib.layout.importExport.count,
      drives: lib.layout.dataTransfer.count,
      cartridges: rows.length,
      freeSlots: lib.layout.storage.count - count('storage'),
      freeMailSlots: lib.layout.importExport.count - count('importExport'),
      removalPrevented: this.core.removalPrevented(lib.name),
    };
  }
}
