// Copy on export (issue 15): a cartridge moved to a mail slot — by a host's MOVE MEDIUM or `vtl tape export` —
// becomes a persistent job that copies it to the physical cartridge with the same barcode, verifies it by reading
// it back, and keeps the disk copy. Jobs resume after a restart from their checkpoint, retry transient errors up to
// `copy.maxAttempts`, wait (with a reason) while no physical library holds the barcode, and can be cancelled. A job
// only reads the virtual cartridge: whatever happens to the job, the virtual cartridge is unchanged. Idle copies
// (idle-copier.ts) are jobs too; they pause when a host starts I/O and go on from where they stopped. At most
// `copy.maxDrives` jobs run on one physical library at once.
import type { CopyConfig, PhysicalLibraryConfig } from '../config/physical-schema.js';
import type { LibraryEvent } from '../library/library-event.js';
import type { LibraryManager } from '../library/library-manager.js';
import type { Logger } from '../log.js';
import type { MediaStore } from '../media/tape-medium.js';
import { CopyJobBook, type CopyJobListener } from './copy-job-book.js';
import { ACTIVE, type CopyJob, type CopyJobStore, type CopyTrigger } from './copy-job-store.js';
import { DriveLanes } from './drive-lanes.js';
import type { HostActivity } from './host-activity.js';
import { IdleCopier } from './idle-copier.js';
import { JobScheduler } from './job-scheduler.js';
import { JobTransitions } from './job-transitions.js';
import { PhysicalLibrary } from './physical-library.js';
import { recallCartridge } from './recall-cartridge.js';
import type { RecallingMediaStore } from './recalling-media-store.js';
import type { ReleasedStub } from './released-store.js';
import { releaseAfterCopy } from './release-after-copy.js';
import { runOnPhysical } from './run-on-physical.js';

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

/**
 * The entry points (enqueue, cancel, pause, resume, library events) and one attempt of a job. Each invariant has its
 * part: copy-job-book.ts saves every change before telling it, job-scheduler.ts runs each job at most once at a time,
 * drive-lanes.ts keeps to copy.maxDrives, job-transitions.ts (with failure-decision.ts) moves a job after a wait or
 * an error, run-on-physical.ts always gives back the medium and the physical cartridge, release-after-copy.ts releases
 * only an unchanged, verified cartridge.
 */
export class CopyEngine {
  readonly libraries: PhysicalLibrary[];
  private readonly book: CopyJobBook;
  private readonly lanes: DriveLanes<CopyJob>;
  private readonly scheduler = new JobScheduler<CopyJob>((job) => this.run(job));
  /** Job states outside a run's progress, and the requests a running copy looks at between objects. */
  private readonly jobs: JobTransitions;
  private idleCopier: IdleCopier | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: CopyEngineOptions) {
    this.libraries = o.physicalLibraries.map((c) => new PhysicalLibrary(c, { initiatorName: o.initiatorName, loginAttempts: 1 }));
    this.book = new CopyJobBook(o.store, o.now);
    this.lanes = new DriveLanes(o.copy.maxDrives);
    this.jobs = new JobTransitions(this.book, this.scheduler, o.copy, o.log);
  }

  async start(): Promise<void> {
    for (const job of await this.book.load()) {
      // A job `running` here was interrupted by a crash or a stop: it resumes from its checkpoint.
      if (job.state === 'running') job.state = 'queued';
      // Paused idle jobs wait for the idle copier; without one (idle copies turned off) they simply go on.
      if (job.state === 'paused' && (this.o.copy.idleMinutes === undefined || !this.o.hostActivity)) job.state = 'queued';
      if (job.state === 'queued' || job.state === 'waiting') this.scheduler.schedule(job, 0);
      if (job.trigger === 'idle' && ACTIVE.includes(job.state)) this.jobs.idleJobs.add(job);
    }
    if (this.o.copy.onExport) this.unsubscribe = this.o.manager.on((e) => this.onEvent(e));
    if (this.o.copy.idleMinutes !== undefined && this.o.hostActivity) {
      this.idleCopier = new IdleCopier({ engine: this, manager: this.o.manager, activity: this.o.hostActivity, idleMs: this.o.copy.idleMinutes * 60_000, maxDrives: this.o.copy.maxDrives, log: this.o.log });
      this.idleCopier.start();
    }
  }

  /** Stops scheduling, lets running jobs reach their next object and keeps them queued for the next start. */
  async stop(): Promise<void> {
    const stopped = this.scheduler.stop();
    this.unsubscribe?.();
    await this.idleCopier?.stop();
    await stopped;
    await this.book.save();
    for (const lib of this.libraries) await lib.close().catch(() => undefined);
  }

  /** Called at every change of state and at every checkpoint (not at every record). */
  on(listener: CopyJobListener): () => void {
    return this.book.on(listener);
  }

  list(): CopyJob[] {
    return this.book.list();
  }

  job(id: string): CopyJob | undefined {
    return this.book.job(id);
  }

  /** A job for `barcode` (the active one when there is one already). */
  async enqueue(barcode: string, library: string, trigger: CopyTrigger = 'operator', release = this.o.copy.release === 'release', physicalLibrary?: string): Promise<CopyJob> {
    const active = this.book.all.find((j) => j.barcode === barcode && ACTIVE.includes(j.state));
    if (active) return { ...active };
    const sourceLastWriteAt = this.o.manager.retention.times(barcode).lastWriteAt;
    const job = await this.book.create({ barcode, library, trigger, release, ...(physicalLibrary !== undefined ? { physicalLibrary } : {}), sourceLastWriteAt });
    if (trigger === 'idle') this.jobs.idleJobs.add(job);
    this.scheduler.schedule(job, 0);
    return { ...job };
  }

  async cancel(id: string): Promise<CopyJob | undefined> {
    const job = this.book.find(id);
    if (!job || !ACTIVE.includes(job.state)) return job && { ...job };
    this.jobs.cancelRequested.add(id);
    this.scheduler.unschedule(id);
    const run = this.scheduler.runOf(id);
    if (run) await run;
    else await this.jobs.finish(job, 'cancelled', 'cancelled by the operator');
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
    for (const job of this.jobs.idleJobs) {
      if (job.library !== library || this.jobs.pauseRequested.has(job.id)) continue;
      if (job.state === 'running') {
        this.jobs.pauseRequested.add(job.id);
        job.reason = reason;
      } else if (job.state === 'queued' || job.state === 'waiting') {
        this.scheduler.unschedule(job.id);
        this.lanes.forget(job);
        job.state = 'paused';
        job.reason = reason;
        this.book.changed(job).catch((err: unknown) => this.o.log.error({ err, barcode: job.barcode }, 'copy: could not save a paused job'));
      }
    }
  }

  /** A paused job goes on (from its checkpoint). */
  async resume(id: string): Promise<void> {
    const job = this.book.find(id);
    if (!job || job.state !== 'paused' || this.scheduler.runOf(id)) return;
    job.state = 'queued';
    delete job.reason;
    await this.book.changed(job);
    this.scheduler.schedule(job, 0);
  }

  /** Resolves once no job is running (tests). */
  async idle(): Promise<void> {
    await this.scheduler.idle();
  }

  /** Fills `medium` with the released cartridge's data from its physical cartridge (RecallingMediaStore's recall). */
  recall(stub: ReleasedStub, medium: Parameters<typeof recallCartridge>[2]): Promise<void> {
    return recallCartridge(this.libraries, stub, medium, this.o.log);
  }

  private onEvent(e: LibraryEvent): void {
    if (e.type === 'cartridge-moved' && e.to?.kind === 'element' && e.to.type === 'dataTransfer') {
      // The drive may write to the cartridge from now on: what was copied may no longer be what it holds.
      const job = this.book.all.find((j) => j.barcode === e.barcode && j.state === 'running');
      if (job) this.jobs.interrupted.add(job.id);
      return;
    }
    if (e.type !== 'cartridge-moved' || e.barcode === undefined || e.to?.kind !== 'element' || e.to.type !== 'importExport') return;
    // A cartridge brought back from the shelf to a mail slot (or inserted there) is an import, not an export.
    if (e.from?.kind !== 'element') return;
    this.enqueue(e.barcode, e.to.library, 'export').catch((err: unknown) => this.o.log.error({ err, barcode: e.barcode }, 'copy: could not create the job'));
  }

  private async run(job: CopyJob): Promise<void> {
    try {
      await this.attempt(job);
    } catch (err) {
      await this.jobs.failed(job, err);
    }
    // A pause asked for while the run ended another way (done, interrupted, failed) is not carried to the next run.
    this.jobs.pauseRequested.delete(job.id);
    // A cancel that came while the run looked for its cartridge or waited for a drive: the run did not see it.
    if (this.jobs.cancelRequested.has(job.id) && ACTIVE.includes(job.state)) {
      this.scheduler.unschedule(job.id);
      this.lanes.forget(job);
      await this.jobs.finish(job, 'cancelled', 'cancelled by the operator');
    }
  }

  private async attempt(job: CopyJob): Promise<void> {
    const cartridge = this.o.manager.cartridge(job.barcode);
    if (cartridge.location.kind === 'element' && cartridge.location.type === 'dataTransfer') {
      return this.jobs.wait(job, `the virtual cartridge ${job.barcode} is loaded in a drive`);
    }
    const importing = job.trigger === 'import';
    const stub = this.o.stubs?.stubs.get(job.barcode);
    if (stub && !importing) return this.jobs.finish(job, 'done', `released: the physical library "${stub.physicalLibrary}" holds it (verified by job ${stub.jobId})`);
    const library = importing ? this.libraries.find((l) => l.name === job.physicalLibrary) : await this.findLibrary(job);
    if (!library) {
      if (importing) await this.jobs.finish(job, 'failed', `the physical library "${job.physicalLibrary ?? ''}" is not configured`);
      return;
    }
    job.physicalLibrary = library.name;
    const lane = this.lanes.take(library.name, job);
    if (!lane.taken) {
      job.state = 'queued';
      job.reason = `waiting for a drive: copies use ${lane.running} of the physical library "${library.name}"'s drives (copy.maxDrives)`;
      return this.book.changed(job);
    }
    try {
      job.state = 'running';
      job.startedAt = this.book.nowIso();
      job.sourceLastWriteAt = this.o.manager.retention.times(job.barcode).lastWriteAt;
      delete job.reason;
      await this.book.changed(job);
      await runOnPhysical(job, cartridge, library, this.o.mediaStore, {
        cancelled: () => this.scheduler.stopped || this.jobs.cancelRequested.has(job.id) || this.jobs.interrupted.has(job.id),
        paused: () => this.jobs.pauseRequested.has(job.id),
        changed: () => this.book.changed(job),
        nowIso: () => this.book.nowIso(),
        checkpointBytes: this.o.copy.checkpointMiB * 1024 * 1024,
        log: this.o.log,
      });
    } finally {
      for (const waiter of this.lanes.release(library.name)) this.scheduler.schedule(waiter, 0);
    }
    if (job.state !== 'running') return;
    await this.jobs.finish(job, 'done');
    if (job.release) {
      await releaseAfterCopy(job, library.name, { manager: this.o.manager, stubs: this.o.stubs, nowIso: () => this.book.nowIso(), log: this.o.log });
      await this.book.changed(job);
    }
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
    await this.jobs.wait(job, this.libraries.length === 0 ? 'no physical library is configured' : `no physical library (${names}) holds a cartridge with barcode ${job.barcode}`);
    return undefined;
  }
}
