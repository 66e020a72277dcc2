// Copy on export (issue 15): a cartridge moved to a mail slot — by a host's MOVE MEDIUM or `vtl tape export` —
// becomes a persistent job that copies it to the physical cartridge with the same barcode, verifies it by reading
// it back, and keeps the disk copy. Jobs resume after a restart from their checkpoint, retry transient errors up to
// `copy.maxAttempts`, wait (with a reason) while no physical library holds the barcode, and can be cancelled. A job
// only reads the virtual cartridge: whatever happens to the job, the virtual cartridge is unchanged.
import { randomUUID } from 'node:crypto';
import type { CopyConfig, PhysicalLibraryConfig } from '../config/physical-schema.js';
import { descriptorOf } from '../library/cartridge-ops.js';
import type { LibraryEvent } from '../library/library-event.js';
import type { LibraryManager } from '../library/library-manager.js';
import type { Logger } from '../log.js';
import type { MediaStore } from '../media/tape-medium.js';
import { copyCartridge, CopyCancelledError, verifyCopy } from './cartridge-copier.js';
import type { CopyJob, CopyJobStore } from './copy-job-store.js';
import { isTransientError } from './physical-device-error.js';
import { NoFreeDriveError, PhysicalCartridgeMissingError, PhysicalLibrary } from './physical-library.js';

export type CopyJobListener = (job: Readonly<CopyJob>) => void;

export interface CopyEngineOptions {
  readonly manager: Pick<LibraryManager, 'on' | 'cartridge'>;
  readonly mediaStore: MediaStore;
  readonly store: CopyJobStore;
  readonly physicalLibraries: readonly PhysicalLibraryConfig[];
  readonly copy: CopyConfig;
  readonly initiatorName: string;
  readonly log: Logger;
  readonly now?: () => Date;
}

const ACTIVE: readonly CopyJob['state'][] = ['waiting', 'queued', 'running'];

export class CopyEngine {
  readonly libraries: PhysicalLibrary[];
  private jobs: CopyJob[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly cancelRequested = new Set<string>();
  /** Jobs whose virtual cartridge a host loaded while they ran: they stop and start over later. */
  private readonly interrupted = new Set<string>();
  private readonly listeners = new Set<CopyJobListener>();
  private unsubscribe: (() => void) | undefined;
  private stopping = false;

  constructor(private readonly o: CopyEngineOptions) {
    this.libraries = o.physicalLibraries.map((c) => new PhysicalLibrary(c, { initiatorName: o.initiatorName, loginAttempts: 1 }));
  }

  async start(): Promise<void> {
    this.jobs = await this.o.store.load();
    for (const job of this.jobs) {
      // A job `running` here was interrupted by a crash or a stop: it resumes from its checkpoint.
      if (job.state === 'running') job.state = 'queued';
      if (job.state === 'queued' || job.state === 'waiting') this.schedule(job, 0);
    }
    if (this.o.copy.onExport) this.unsubscribe = this.o.manager.on((e) => this.onEvent(e));
  }

  /** Stops scheduling, lets running jobs reach their next object and keeps them queued for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
    await this.o.store.save(this.jobs);
    for (const lib of this.libraries) await lib.close().catch(() => undefined);
  }

  /** Called at every change of state and at every checkpoint (not at every record). */
  on(listener: CopyJobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): CopyJob[] {
    return this.jobs.map((j) => ({ ...j }));
  }

  job(id: string): CopyJob | undefined {
    const j = this.jobs.find((x) => x.id === id);
    return j && { ...j };
  }

  /** A job for `barcode` (the active one when there is one already). */
  async enqueue(barcode: string, library: string): Promise<CopyJob> {
    const active = this.jobs.find((j) => j.barcode === barcode && ACTIVE.includes(j.state));
    if (active) return { ...active };
    const at = this.nowIso();
    const job: CopyJob = {
      id: randomUUID(),
      barcode,
      library,
      state: 'queued',
      phase: 'copy',
      attempts: 0,
      totalBytes: 0,
      totalObjects: 0,
      objectsCopied: 0,
      bytesCopied: 0,
      objectsVerified: 0,
      bytesVerified: 0,
      createdAt: at,
      updatedAt: at,
    };
    this.jobs.push(job);
    await this.changed(job);
    this.schedule(job, 0);
    return { ...job };
  }

  async cancel(id: string): Promise<CopyJob | undefined> {
    const job = this.jobs.find((j) => j.id === id);
    if (!job || !ACTIVE.includes(job.state)) return job && { ...job };
    this.cancelRequested.add(id);
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    const run = this.running.get(id);
    if (run) await run;
    else await this.finish(job, 'cancelled', 'cancelled by the operator');
    return { ...job };
  }

  /** Resolves once no job is running (tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private onEvent(e: LibraryEvent): void {
    if (e.type === 'cartridge-moved' && e.to?.kind === 'element' && e.to.type === 'dataTransfer') {
      // The drive may write to the cartridge from now on: what was copied may no longer be what it holds.
      const job = this.jobs.find((j) => j.barcode === e.barcode && j.state === 'running');
      if (job) this.interrupted.add(job.id);
      return;
    }
    if (e.type !== 'cartridge-moved' || e.barcode === undefined || e.to?.kind !== 'element' || e.to.type !== 'importExport') return;
    // A cartridge brought back from the shelf to a mail slot (or inserted there) is an import, not an export.
    if (e.from?.kind !== 'element') return;
    this.enqueue(e.barcode, e.to.library).catch((err: unknown) => this.o.log.error({ err, barcode: e.barcode }, 'copy: could not create the job'));
  }

  private schedule(job: CopyJob, delayMs: number): void {
    if (this.stopping) return;
    clearTimeout(this.timers.get(job.id));
    const timer = setTimeout(() => {
      this.timers.delete(job.id);
      const run = this.run(job).finally(() => this.running.delete(job.id));
      this.running.set(job.id, run);
    }, delayMs);
    timer.unref();
    this.timers.set(job.id, timer);
  }

  private async run(job: CopyJob): Promise<void> {
    try {
      await this.attempt(job);
    } catch (err) {
      await this.failed(job, err);
    }
  }

  private async attempt(job: CopyJob): Promise<void> {
    const cartridge = this.o.manager.cartridge(job.barcode);
    if (cartridge.location.kind === 'element' && cartridge.location.type === 'dataTransfer') {
      return this.wait(job, `the virtual cartridge ${job.barcode} is loaded in a drive`);
    }
    const library = await this.findLibrary(job);
    if (!library) return;
    job.physicalLibrary = library.name;
    await library.jobs.run(async () => {
      job.state = 'running';
      job.startedAt = this.nowIso();
      delete job.reason;
      await this.changed(job);
      const medium = await this.o.mediaStore.open(descriptorOf({ ...cartridge, generation: cartridge.generation ?? null }));
      try {
        // A copy writes one stream to one physical tape: a second partition would be left behind, silently.
        const partitions = medium.partitionCapacities().length;
        if (partitions > 1) throw new Error(`Cannot copy cartridge ${job.barcode}: it has ${partitions} partitions and a copy to a physical tape keeps one`);
        await medium.spaceToEndOfData();
        job.totalObjects = medium.position().objectNumber;
        job.totalBytes = medium.capacity().usedBytes;
        const mounted = await library.mount(job.barcode);
        try {
          await this.copyAndVerify(job, medium, mounted.drive);
        } finally {
          await library.dismount(mounted).catch((err: unknown) => this.o.log.warn({ err, barcode: job.barcode }, 'copy: could not return the physical cartridge'));
        }
      } finally {
        await medium.close();
      }
    });
    if (job.state === 'running') await this.finish(job, 'done');
  }

  private async copyAndVerify(job: CopyJob, medium: Parameters<typeof copyCartridge>[0], drive: Parameters<typeof copyCartridge>[1]): Promise<void> {
    const started = Date.now();
    const startBytes = job.phase === 'copy' ? job.bytesCopied : 0;
    const hooks = {
      cancelled: () => this.stopping || this.cancelRequested.has(job.id) || this.interrupted.has(job.id),
      progress: (phase: 'copy' | 'verify', at: { objects: number; bytes: number }) => {
        if (phase === 'copy') {
          job.objectsCopied = at.objects;
          job.bytesCopied = at.bytes;
        } else {
          job.objectsVerified = at.objects;
          job.bytesVerified = at.bytes;
        }
        const seconds = (Date.now() - started) / 1000;
        if (seconds > 0) job.rateBytesPerSecond = Math.round((at.bytes - (phase === 'copy' ? startBytes : 0)) / seconds);
      },
      checkpoint: async (at: { objects: number; bytes: number }) => {
        job.objectsCopied = at.objects;
        job.bytesCopied = at.bytes;
        await this.changed(job);
      },
      checkpointBytes: this.o.copy.checkpointMiB * 1024 * 1024,
      restarted: (reason: string) => {
        job.resumedFromObjects = 0;
        this.o.log.warn({ barcode: job.barcode, reason }, 'copy: copied again from the beginning');
      },
    };
    if (job.phase === 'copy') {
      job.resumedFromObjects = job.objectsCopied;
      if (job.objectsCopied > 0) this.o.log.info({ barcode: job.barcode, objects: job.objectsCopied }, 'copy: resuming from the checkpoint');
      await copyCartridge(medium, drive, { objects: job.objectsCopied, bytes: job.bytesCopied }, job.totalObjects, hooks);
      job.phase = 'verify';
      job.copiedAt = this.nowIso();
      await this.changed(job);
    }
    await verifyCopy(medium, drive, hooks);
  }

  /** The first configured library holding the barcode; none: the job waits with the reason. */
  private async findLibrary(job: CopyJob): Promise<PhysicalLibrary | undefined> {
    const errors: unknown[] = [];
    for (const lib of this.libraries) {
      try {
        if (PhysicalLibrary.locate(await lib.inventory(), job.barcode)) return lib;
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
    const names = this.libraries.map((l) => `"${l.name}"`).join(', ');
    await this.wait(job, this.libraries.length === 0 ? 'no physical library is configured' : `no physical library (${names}) holds a cartridge with barcode ${job.barcode}`);
    return undefined;
  }

  private async wait(job: CopyJob, reason: string): Promise<void> {
    job.state = 'waiting';
    job.reason = reason;
    await this.changed(job);
    this.schedule(job, this.o.copy.retryDelaySeconds * 1000);
  }

  private async failed(job: CopyJob, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof CopyCancelledError) {
      if (this.cancelRequested.delete(job.id)) return this.finish(job, 'cancelled', 'cancelled by the operator');
      if (this.interrupted.delete(job.id)) {
        Object.assign(job, { phase: 'copy', objectsCopied: 0, bytesCopied: 0, objectsVerified: 0, bytesVerified: 0 });
        return this.wait(job, `a host loaded the virtual cartridge ${job.barcode} during the copy: it is copied again from the beginning once it is out of the drive`);
      }
      job.state = 'queued'; // stopping: resumes at the next start
      return this.changed(job);
    }
    if (err instanceof PhysicalCartridgeMissingError || err instanceof NoFreeDriveError) return this.wait(job, message);
    job.attempts++;
    if (isTransientError(err) && job.attempts < this.o.copy.maxAttempts) {
      this.o.log.warn({ barcode: job.barcode, attempt: job.attempts, err: message }, 'copy: transient error, will retry');
      job.state = 'queued';
      job.reason = `attempt ${job.attempts} of ${this.o.copy.maxAttempts} failed: ${message}`;
      await this.changed(job);
      this.schedule(job, this.o.copy.retryDelaySeconds * 1000);
      return;
    }
    this.o.log.error({ barcode: job.barcode, err: message }, 'copy: job failed');
    await this.finish(job, 'failed', job.attempts >= this.o.copy.maxAttempts && isTransientError(err) ? `gave up after ${job.attempts} attempts: ${message}` : message);
  }

  private async finish(job: CopyJob, state: 'done' | 'failed' | 'cancelled', reason?: string): Promise<void> {
    job.state = state;
    if (reason === undefined) delete job.reason;
    else job.reason = reason;
    job.finishedAt = this.nowIso();
    this.cancelRequested.delete(job.id);
    await this.changed(job);
  }

  private async changed(job: CopyJob): Promise<void> {
    job.updatedAt = this.nowIso();
    await this.o.store.save(this.jobs);
    for (const l of this.listeners) l(job);
  }

  private nowIso(): string {
    return (this.o.now?.() ?? new Date()).toISOString();
  }
}
