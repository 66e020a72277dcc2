// What the management API and CLI see of staging: the configured physical libraries (with their inventory on
// request) and the copy jobs with progress (bytes, MB/s, ETA), plus starting and cancelling copies.
import { LibraryErrorCode, LibraryStateError } from '../library/library-state-error.js';
import type { LibraryManager } from '../library/library-manager.js';
import type { CopyEngine } from './copy-engine.js';
import type { CopyJob } from './copy-job-store.js';

export interface PhysicalLibraryView {
  readonly name: string;
  readonly portal: string;
  readonly iqn: string;
  readonly chap: boolean;
  readonly connected: boolean;
  readonly reconnects: number;
  readonly lastError?: string;
}

export interface PhysicalElementView {
  readonly address: number;
  readonly full: boolean;
  readonly barcode?: string;
}

export interface PhysicalLibraryDetail extends PhysicalLibraryView {
  readonly vendor: string;
  readonly product: string;
  readonly changerLun: number;
  readonly drives: readonly (PhysicalElementView & { readonly lun?: number; readonly identifier?: string })[];
  readonly slots: readonly PhysicalElementView[];
  readonly mailSlots: readonly PhysicalElementView[];
}

/** While the copy phase runs, objectsCopied/bytesCopied show what the drive acknowledged; otherwise the checkpoint. */
export interface CopyJobView extends Omit<CopyJob, 'rateBytesPerSecond' | 'liveCopied'> {
  /** 0..100 over both phases (copy counts for half, verify for the other half). */
  readonly percent: number;
  readonly bytesPerSecond?: number;
  readonly etaSeconds?: number;
}

export class StagingService {
  constructor(
    private readonly engine: CopyEngine,
    private readonly manager: Pick<LibraryManager, 'cartridge' | 'libraries' | 'createCartridges'>,
  ) {}

  physicalLibraries(): PhysicalLibraryView[] {
    return this.engine.libraries.map((l) => ({
      name: l.name,
      portal: l.config.portal,
      iqn: l.config.iqn,
      chap: l.config.chap !== undefined,
      connected: l.session.connected,
      reconnects: l.session.reconnects,
      ...(l.lastError ? { lastError: l.lastError } : {}),
    }));
  }

  async physicalLibrary(name: string): Promise<PhysicalLibraryDetail> {
    const lib = this.engine.libraries.find((l) => l.name === name);
    const view = this.physicalLibraries().find((l) => l.name === name);
    if (!lib || !view) throw new LibraryStateError(LibraryErrorCode.NOT_FOUND, `No physical library "${name}"`);
    const inv = await lib.inventory();
    const element = (e: { address: number; full: boolean; barcode?: string }): PhysicalElementView => ({ address: e.address, full: e.full, ...(e.barcode ? { barcode: e.barcode } : {}) });
    return {
      ...view,
      connected: lib.session.connected,
      vendor: inv.vendor,
      product: inv.product,
      changerLun: inv.changerLun,
      drives: inv.drives.map((d) => ({ ...element(d), ...(d.lun !== undefined ? { lun: d.lun } : {}), ...(d.identifier ? { identifier: d.identifier } : {}) })),
      slots: inv.slots.map(element),
      mailSlots: inv.mailSlots.map(element),
    };
  }

  copyJobs(): CopyJobView[] {
    return this.engine.list().map(jobView);
  }

  copyJob(id: string): CopyJobView {
    const job = this.engine.job(id);
    if (!job) throw new LibraryStateError(LibraryErrorCode.NOT_FOUND, `No copy job "${id}"`);
    return jobView(job);
  }

  /** `vtl copy start`: copy a virtual cartridge now, wherever it is (an export does it by itself). */
  async startCopy(barcode: string, release?: boolean): Promise<CopyJobView> {
    const cartridge = this.manager.cartridge(barcode);
    return jobView(await this.engine.enqueue(barcode, cartridge.location.library, 'operator', release));
  }

  /**
   * `vtl copy import`: a new virtual cartridge `barcode` in `library` (default: the first one) gets every record and
   * filemark of the physical cartridge with that barcode in `physicalLibrary`, then both are compared.
   */
  async importCartridge(physicalLibrary: string, barcode: string, library?: string): Promise<CopyJobView> {
    if (!this.engine.libraries.some((l) => l.name === physicalLibrary)) throw new LibraryStateError(LibraryErrorCode.NOT_FOUND, `No physical library "${physicalLibrary}"`);
    const into = library ?? this.manager.libraries()[0]?.name;
    if (into === undefined) throw new LibraryStateError(LibraryErrorCode.NOT_FOUND, 'No virtual library to import into');
    await this.manager.createCartridges({ library: into, barcodes: [barcode] });
    return jobView(await this.engine.enqueueImport(barcode, into, physicalLibrary));
  }

  async cancelCopy(id: string): Promise<CopyJobView> {
    const job = await this.engine.cancel(id);
    if (!job) throw new LibraryStateError(LibraryErrorCode.NOT_FOUND, `No copy job "${id}"`);
    return jobView(job);
  }
}

export function jobView(job: CopyJob): CopyJobView {
  const { rateBytesPerSecond, liveCopied, ...rest } = job;
  const objectsCopied = liveCopied?.objects ?? job.objectsCopied;
  const bytesCopied = liveCopied?.bytes ?? job.bytesCopied;
  const total = Math.max(1, job.totalObjects);
  const done = job.state === 'done' ? 1 : job.phase === 'copy' ? objectsCopied / total / 2 : 0.5 + job.objectsVerified / total / 2;
  const remainingBytes = job.phase === 'copy' ? Math.max(0, job.totalBytes - bytesCopied) + job.totalBytes : Math.max(0, job.totalBytes - job.bytesVerified);
  return {
    ...rest,
    objectsCopied,
    bytesCopied,
    percent: Math.min(100, Math.round(done * 1000) / 10),
    ...(job.state === 'running' && rateBytesPerSecond ? { bytesPerSecond: rateBytesPerSecond, etaSeconds: Math.round(remainingBytes / rateBytesPerSecond) } : {}),
  };
}

/** The job as the event stream shows it (`copy-job-changed`). */
export function copyEventOf(job: CopyJob): { id: string; barcode: string; library: string; state: string; phase: string; percent: number; bytesCopied: number; bytesVerified: number; physicalLibrary: string | null; reason: string | null } {
  const v = jobView(job);
  return {
    id: v.id,
    barcode: v.barcode,
    library: v.library,
    state: v.state,
    phase: v.phase,
    percent: v.percent,
    bytesCopied: v.bytesCopied,
    bytesVerified: v.bytesVerified,
    physicalLibrary: v.physicalLibrary ?? null,
    reason: v.reason ?? null,
  };
}
