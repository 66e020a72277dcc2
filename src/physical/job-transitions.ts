// How a copy job moves between states outside of a run's progress: waiting (retried after copy.retryDelaySeconds),
// queued for a retry, paused, or finished. It owns the requests that a running copy looks at between objects
// (cancel, pause, a host loading the cartridge): finishing a job clears all of them, so none outlives its job.
import type { CopyConfig } from '../config/physical-schema.js';
import type { Logger } from '../log.js';
import type { CopyJobBook } from './copy-job-book.js';
import type { CopyJob } from './copy-job-store.js';
import { decideAfterFailure } from './failure-decision.js';
import type { JobScheduler } from './job-scheduler.js';

export class JobTransitions {
  readonly cancelRequested = new Set<string>();
  /** Jobs whose virtual cartridge a host loaded while they ran: they stop and start over later. */
  readonly interrupted = new Set<string>();
  /** Idle jobs a host's I/O asked to pause: they stop at the next object, after a checkpoint. */
  readonly pauseRequested = new Set<string>();
  /** The idle jobs not finished: what a host's I/O may have to pause (looked at on every host command). */
  readonly idleJobs = new Set<CopyJob>();

  constructor(
    private readonly book: CopyJobBook,
    private readonly scheduler: Pick<JobScheduler<CopyJob>, 'schedule'>,
    private readonly o: Pick<CopyConfig, 'retryDelaySeconds' | 'maxAttempts'>,
    private readonly log: Logger,
  ) {}

  async wait(job: CopyJob, reason: string): Promise<void> {
    job.state = 'waiting';
    job.reason = reason;
    await this.book.changed(job);
    this.scheduler.schedule(job, this.o.retryDelaySeconds * 1000);
  }

  async failed(job: CopyJob, err: unknown): Promise<void> {
    const decision = decideAfterFailure(err, {
      barcode: job.barcode,
      attempts: job.attempts,
      maxAttempts: this.o.maxAttempts,
      cancelRequested: this.cancelRequested.has(job.id),
      interrupted: this.interrupted.has(job.id),
    });
    const message = err instanceof Error ? err.message : String(err);
    switch (decision.kind) {
      case 'cancelled':
        this.cancelRequested.delete(job.id);
        return this.finish(job, 'cancelled', 'cancelled by the operator');
      case 'start-over':
        this.interrupted.delete(job.id);
        Object.assign(job, { phase: 'copy', objectsCopied: 0, bytesCopied: 0, objectsVerified: 0, bytesVerified: 0 });
        return this.wait(job, decision.reason);
      case 'requeue':
        job.state = 'queued';
        return this.book.changed(job);
      case 'paused':
        this.pauseRequested.delete(job.id);
        job.state = 'paused';
        this.log.info({ barcode: job.barcode, objects: decision.atObjects, phase: job.phase }, 'copy: paused for host I/O');
        return this.book.changed(job);
      case 'wait':
        return this.wait(job, decision.reason);
      case 'retry':
        job.attempts = decision.attempts;
        this.log.warn({ barcode: job.barcode, attempt: job.attempts, err: message }, 'copy: transient error, will retry');
        job.state = 'queued';
        job.reason = decision.reason;
        await this.book.changed(job);
        this.scheduler.schedule(job, this.o.retryDelaySeconds * 1000);
        return;
      case 'failed':
        job.attempts = decision.attempts;
        this.log.error({ barcode: job.barcode, err: message }, 'copy: job failed');
        return this.finish(job, 'failed', decision.reason);
    }
  }

  async finish(job: CopyJob, state: 'done' | 'failed' | 'cancelled', reason?: string): Promise<void> {
    this.pauseRequested.delete(job.id);
    this.idleJobs.delete(job);
    this.cancelRequested.delete(job.id);
    await this.book.settle(job, state, reason);
  }
}
