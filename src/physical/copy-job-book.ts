// The copy jobs in memory and on disk: every change of a job is saved (the whole list, CopyJobStore) before the
// listeners hear of it, so what a listener or the API shows has always been persisted first. Readers get copies.
import { randomUUID } from 'node:crypto';
import type { CopyJob, CopyJobStore, CopyTrigger } from './copy-job-store.js';

export type CopyJobListener = (job: Readonly<CopyJob>) => void;

export class CopyJobBook {
  private jobs: CopyJob[] = [];
  private readonly listeners = new Set<CopyJobListener>();

  constructor(
    private readonly store: CopyJobStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The saved jobs (at start); the caller decides what their states mean after a restart. */
  async load(): Promise<readonly CopyJob[]> {
    this.jobs = await this.store.load();
    return this.jobs;
  }

  /** The live jobs, for the engine only (everyone else gets copies). */
  get all(): readonly CopyJob[] {
    return this.jobs;
  }

  list(): CopyJob[] {
    return this.jobs.map((j) => ({ ...j }));
  }

  job(id: string): CopyJob | undefined {
    const j = this.jobs.find((x) => x.id === id);
    return j && { ...j };
  }

  find(id: string): CopyJob | undefined {
    return this.jobs.find((x) => x.id === id);
  }

  /** A new queued job (added and saved). */
  async create(fields: { barcode: string; library: string; trigger: CopyTrigger; release: boolean; physicalLibrary?: string; sourceLastWriteAt: string | null }): Promise<CopyJob> {
    const at = this.nowIso();
    const job: CopyJob = {
      id: randomUUID(),
      barcode: fields.barcode,
      library: fields.library,
      trigger: fields.trigger,
      ...(fields.release ? { release: true } : {}),
      ...(fields.physicalLibrary !== undefined ? { physicalLibrary: fields.physicalLibrary } : {}),
      sourceLastWriteAt: fields.sourceLastWriteAt,
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
    return job;
  }

  /** Ends `job` in `state` with `reason` (none: the reason goes), saved and told. */
  async settle(job: CopyJob, state: 'done' | 'failed' | 'cancelled', reason?: string): Promise<void> {
    job.state = state;
    if (reason === undefined) delete job.reason;
    else job.reason = reason;
    job.finishedAt = this.nowIso();
    await this.changed(job);
  }

  /** Called at every change of state and at every checkpoint (not at every record). */
  on(listener: CopyJobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async changed(job: CopyJob): Promise<void> {
    job.updatedAt = this.nowIso();
    await this.store.save(this.jobs);
    for (const l of this.listeners) l(job);
  }

  async save(): Promise<void> {
    await this.store.save(this.jobs);
  }

  nowIso(): string {
    return this.now().toISOString();
  }
}
