// Copy on export (issue 15): a cartridge moved to a mail slot — by a host's MOVE MEDIUM or `vtl tape export` —
// becomes a persistent job that copies it to the physical cartridge with the same barcode, verifies it by reading
// it back, and keeps the disk copy. Jobs resume after a restart from their checkpoint, retry transient errors up to
// `copy.maxAttempts`, wait (with a reason) while no physical library holds the barcode, and can be cancelled. A job
// only reads the virtual cartridge: whatever happens to the job, the virtual cartridge is unchanged. Idle copies
// (idle-copier.ts) are jobs too; they pause when a host starts I/O and go on from where they stopped. At most
// `copy.maxDrives` jobs run on one physical library at once.
import { randomUUID } from 'node:crypto';
import type { CopyConfig, PhysicalLibraryConfig } from '../config/physical-schema.js';
import { descriptorOf } from '../library/cartridge-ops.js';
import type { LibraryEvent } from '../library/library-event.js';
import type { LibraryManager } from '../library/library-manager.js';
import type { Logger } from '../log.js';
import type { MediaStore } from '../media/tape-medium.js';
import { CopyCancelledError, CopyPausedError } from './cartridge-copier.js';
import { copyAndVerify, importAndVerify } from './copy-and-verify.js';
import { ACTIVE, type CopyJob, type CopyJobStore, type CopyTrigger } from './copy-job-store.js';
import type { HostActivity } from './host-activity.js';
import { recallCartridge } from './recall-cartridge.js';
import type { RecallingMediaStore } from './recalling-media-store.js';
import type { ReleasedStub } from './released-store.js';
import { IdleCopier } from './idle-copier.js';
import { isTransientError } from './physical-device-error.js';
import { NoFreeDriveError, PhysicalCartridgeMissingError, PhysicalLibrary } from './physical-library.js';

export type CopyJobListener = (job: Readonly<CopyJob>) => void;

export interface CopyEngineOptions {
  readonly manager: Pick<LibraryManager, 'on' | 'cartridge' | 'cartridges' | 'libraries' | 'retention'>;
  readonly mediaStore: MediaStore;
  readonly store: CopyJobStore;
  readonly physicalLibraries: readonly PhysicalLibraryConfig[];
  readonly copy: CopyConfig;
  readonly initiatorName: string;
  readonly log: Logger;
  readonly now?: () => Date;
  /** Host I/O on the virtual libraries: with `copy.idleMinutes`, idle copies run when it is quiet. */
  readonly hostActivity?: HostActivity;
  /** Where releases go (the store the drives use); without it nothing is released. */
  readonly stubs?: RecallingMediaStore;
}


export class CopyEngine {
  readonly libraries: PhysicalLibrary[];
  private jobs: CopyJob[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly cancelRequested = new Set<string>();
  /** Jobs whose virtual cartridge a host loaded while they ran: they stop and start over later. */
  private readonly interrupted = new Set<string>();
  /** Idle jobs a host's I/O asked to pause: they stop at the next object, after a checkpoint. */
  private readonly pauseRequested = new Set<string>();
  /** Jobs running on each physical library (at most copy.maxDrives), and the jobs waiting for one to end. */
  private readonly lanes = new Map<string, number>();
  private readonly laneWaiters = new Set<CopyJob>();
  /** The idle jobs not finished: what a host's I/O may have to pause (looked at on every host command). */
  private readonly idleJobs = new Set<CopyJob>();
  private idleCopier: IdleCopier | undefined;
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
      // Paused idle jobs wait for the idle copier; without one (idle copies turned off) they simply go on.
      if (job.state === 'paused' && (this.o.copy.idleMinutes === undefined || !this.o.hostActivity)) job.state = 'queued';
      if (job.state === 'queued' || job.state === 'waiting') this.schedule(job, 0);
      if (job.trigger === 'idle' && ACTIVE.includes(job.state)) this.idleJobs.add(job);
    }
    if (this.o.copy.onExport) this.unsubscribe = this.o.manager.on((e) => this.onEvent(e));
    if (this.o.copy.idleMinutes !== undefined && this.o.hostActivity) {
      this.idleCopier = new IdleCopier({ engine: this, manager: this.o.manager, activity: this.o.hostActivity, idleMs: this.o.copy.idleMinutes * 60_000, maxDrives: this.o.copy.maxDrives, log: this.o.log });
      this.idleCopier.start();
    }
  }

  /** Stops scheduling, lets running jobs reach their next object and keeps them queued for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    await this.idleCopier?.stop();
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
  async enqueue(barcode: string, library: string, trigger: CopyTrigger = 'operator', release = this.o.copy.release === 'release', physicalLibrary?: string): Promise<CopyJob> {
    const active = this.jobs.find((j) => j.barcode === barcode && ACTIVE.includes(j.state));
    if (active) return { ...active };
    const at = this.nowIso();
    const job: CopyJob = {
      id: randomUUID(),
      barcode,
      library,
      trigger,
      ...(release ? { release } : {}),
      ...(physicalLibrary !== undefined ? { physicalLibrary } : {}),
      sourceLastWriteAt: this.o.manager.retention.times(barcode).lastWriteAt,
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
    if (trigger === 'idle') this.idleJobs.add(job);
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

  /** A job that imports the physical cartridge `barcode` of `physicalLibrary` into the (new, blank) virtual one. */
  async enqueueImport(barcode: string, library: string, physicalLibrary: string): Promise<CopyJob> {
    return this.enqueue(barcode, library, 'import', false, physicalLibrary);
  }

  /**
   * Pauses the idle jobs of virtual library `library` that run or wait to (a host started I/O there): a running one
   * stops at its next object after a checkpoint. Cheap when there is nothing to pause: it runs at every host command.
   */
  pauseIdle(library: string, reason: string): void {
    for (const job of this.idleJobs) {
      if (job.library !== library || this.pauseRequested.has(job.id)) continue;
      if (job.state === 'running') {
        this.pauseRequested.add(job.id);
        job.reason = reason;
      } else if (job.state === 'queued' || job.state === 'waiting') {
        clearTimeout(this.timers.get(job.id));
        this.timers.delete(job.id);
        this.laneWaiters.delete(job);
        job.state = 'paused';
        job.reason = reason;
        this.changed(job).catch((err: unknown) => this.o.log.error({ err, barcode: job.barcode }, 'copy: could not save a paused job'));
      }
    }
  }

  /** A paused job goes on (from its checkpoint). */
  async resume(id: string): Promise<void> {
    const job = this.jobs.find((j) => j.id === id);
    if (!job || job.state !== 'paused' || this.running.has(id)) return;
    job.state = 'queued';
    delete job.reason;
    await this.changed(job);
    this.schedule(job, 0);
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
    this.enqueue(e.barcode, e.to.library, 'export').catch((err: unknown) => this.o.log.error({ err, barcode: e.barcode }, 'copy: could not create the job'));
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
    // A pause asked for while the run ended another way (done, interrupted, failed) is not carried to the next run.
    this.pauseRequested.delete(job.id);
    // A cancel that came while the run looked for its cartridge or waited for a drive: the run did not see it.
    if (this.cancelRequested.has(job.id) && ACTIVE.includes(job.state)) {
      clearTimeout(this.timers.get(job.id));
      this.timers.delete(job.id);
      this.laneWaiters.delete(job);
      await this.finish(job, 'cancelled', 'cancelled by the operator');
    }
  }

  private async attempt(job: CopyJob): Promise<void> {
    const cartridge = this.o.manager.cartridge(job.barcode);
    if (cartridge.location.kind === 'element' && cartridge.location.type === 'dataTransfer') {
      return this.wait(job, `the virtual cartridge ${job.barcode} is loaded in a drive`);
    }
    const importing = job.trigger === 'import';
    const stub = this.o.stubs?.stubs.get(job.barcode);
    if (stub && !importing) return this.finish(job, 'done', `released: the physical library "${stub.physicalLibrary}" holds it (verified by job ${stub.jobId})`);
    const library = importing ? this.libraries.find((l) => l.name === job.physicalLibrary) : await this.findLibrary(job);
    if (!library) {
      if (importing) await this.finish(job, 'failed', `the physical library "${job.physicalLibrary ?? ''}" is not configured`);
      return;
    }
    job.physicalLibrary = library.name;
    const inUse = this.lanes.get(library.name) ?? 0;
    if (inUse >= this.o.copy.maxDrives) {
      job.state = 'queued';
      job.reason = `waiting for a drive: copies use ${inUse} of the physical library "${library.name}"'s drives (copy.maxDrives)`;
      this.laneWaiters.add(job);
      return this.changed(job);
    }
    this.lanes.set(library.name, inUse + 1);
    try {
      job.state = 'running';
      job.startedAt = this.nowIso();
      job.sourceLastWriteAt = this.o.manager.retention.times(job.barcode).lastWriteAt;
      delete job.reason;
      await this.changed(job);
      const medium = await this.o.mediaStore.open(descriptorOf({ ...cartridge, generation: cartridge.generation ?? null }));
      try {
        if (!importing) {
          // A copy writes one stream to one physical tape: a second partition would be left behind, silently.
          const partitions = medium.partitionCapacities().length;
          if (partitions > 1) throw new Error(`Cannot copy cartridge ${job.barcode}: it has ${partitions} partitions and a copy to a physical tape keeps one`);
          await medium.spaceToEndOfData();
          job.totalObjects = medium.position().objectNumber;
          job.totalBytes = medium.capacity().usedBytes;
        }
        const mounted = await library.mount(job.barcode);
        try {
          await (importing ? importAndVerify : copyAndVerify)(job, medium, mounted.drive, {
            cancelled: () => this.stopping || this.cancelRequested.has(job.id) || this.interrupted.has(job.id),
            paused: () => this.pauseRequested.has(job.id),
            changed: () => this.changed(job),
            nowIso: () => this.nowIso(),
            checkpointBytes: this.o.copy.checkpointMiB * 1024 * 1024,
            log: this.o.log,
          });
        } finally {
          await library.dismount(mounted).catch((err: unknown) => this.o.log.warn({ err, barcode: job.barcode }, 'copy: could not return the physical cartridge'));
        }
      } finally {
        await medium.close();
      }
    } finally {
      this.lanes.set(library.name, (this.lanes.get(library.name) ?? 1) - 1);
      for (const waiter of this.laneWaiters) this.schedule(waiter, 0);
      this.laneWaiters.clear();
    }
    if (job.state !== 'running') return;
    await this.finish(job, 'done');
    if (job.release) await this.release(job, library.name);
  }

  /**
   * After a verified copy (`job` is done): the disk copy's space is released and a stub kept, unless the cartridge
   * changed or went into a drive since the copy began; a release that does not happen is said in the job's reason.
   */
  private async release(job: CopyJob, physicalLibrary: string): Promise<void> {
    const stubs = this.o.stubs;
    const cartridge = this.o.manager.cartridge(job.barcode);
    const why = !stubs
      ? 'staging has no media store to release into'
      : cartridge.location.kind === 'element' && cartridge.location.type === 'dataTransfer'
        ? 'it is in a drive'
        : this.o.manager.retention.times(job.barcode).lastWriteAt !== job.sourceLastWriteAt
          ? 'a host wrote to it after the copy began'
          : undefined;
    try {
      if (why !== undefined || !stubs) throw new Error(why);
      await stubs.release({ barcode: job.barcode, physicalLibrary, objects: job.objectsVerified, bytes: job.bytesVerified, jobId: job.id, releasedAt: this.nowIso() });
      job.releasedAt = this.nowIso();
      this.o.log.info({ barcode: job.barcode, physicalLibrary }, 'copy: disk copy released, stub kept');
    } catch (err) {
      job.reason = `verified, but the disk copy was not released: ${err instanceof Error ? err.message : String(err)}`;
      this.o.log.warn({ barcode: job.barcode, reason: job.reason }, 'copy: not released');
    }
    await this.changed(job);
  }

  /** Fills `medium` with the released cartridge's data from its physical cartridge (RecallingMediaStore's recall). */
  recall(stub: ReleasedStub, medium: Parameters<typeof recallCartridge>[2]): Promise<void> {
    return recallCartridge(this.libraries, stub, medium, this.o.log);
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
    if (err instanceof CopyPausedError) {
      this.pauseRequested.delete(job.id);
      job.state = 'paused';
      this.o.log.info({ barcode: job.barcode, objects: err.at.objects, phase: job.phase }, 'copy: paused for host I/O');
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
    this.pauseRequested.delete(job.id);
    this.idleJobs.delete(job);
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
