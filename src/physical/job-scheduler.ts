// When copy jobs run: each job has at most one timer and at most one run going on, a new schedule replaces the
// job's timer, and once stop() is called nothing new starts while the runs going on are waited for.
export class JobScheduler<Job extends { readonly id: string }> {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;

  /** `run` must not reject (the engine turns every error into a state of the job). */
  constructor(private readonly run: (job: Job) => Promise<void>) {}

  get stopped(): boolean {
    return this.stopping;
  }

  /** Runs `job` in `delayMs` (a timer it had is replaced); nothing once stopping. Timers do not keep node alive. */
  schedule(job: Job, delayMs: number): void {
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

  /** The job's timer, if it has one, does not fire. */
  unschedule(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }

  /** The run of `id` going on, if any. */
  runOf(id: string): Promise<void> | undefined {
    return this.running.get(id);
  }

  /** Nothing new starts; resolves when the runs going on have ended. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Resolves once no run is going on, including runs that started meanwhile. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }
}
