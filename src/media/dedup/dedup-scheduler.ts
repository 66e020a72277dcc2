// FORMAT.md "Deduplication / The background pass": when to run it. Every interval, if the composition says the
// drives are idle, the pass moves each unmounted cartridge with a backlog into its recipe, one after another, then
// collects. Progress and backlog are kept for the API and the metrics. One owner of ordering: the pass's queue.
import type { Logger } from '../../log.js';
import type { DedupMediaStore } from './dedup-media-store.js';
import type { DedupPass } from './dedup-pass.js';
import type { CartridgeDescriptor } from '../tape-medium.js';

export interface DedupProgress {
  /** Data file bytes waiting for the pass, over all cartridges, at the last round. */
  readonly backlogBytes: number;
  /** Logical bytes the pass has moved into recipes since start. */
  readonly movedBytes: number;
  /** Seconds the pass has worked since start (movedBytes / busySeconds is its rate). */
  readonly busySeconds: number;
  readonly rounds: number;
  readonly containersCollected: number;
}

export interface DedupSchedulerParts {
  readonly store: DedupMediaStore;
  readonly pass: DedupPass;
  /** True when no drive is streaming: the pass must not slow a host. */
  readonly idle: () => boolean;
  /** The descriptor of a cartridge, or undefined when the cartridge is not one of this store's libraries'. */
  readonly describe: (barcode: string) => CartridgeDescriptor | undefined;
  readonly log: Logger;
}

export class DedupScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private progress: DedupProgress = { backlogBytes: 0, movedBytes: 0, busySeconds: 0, rounds: 0, containersCollected: 0 };

  constructor(private readonly parts: DedupSchedulerParts) {}

  get status(): DedupProgress {
    return this.progress;
  }

  start(intervalMs: number): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.running !== undefined || !this.parts.idle()) return;
      this.running = this.round()
        .catch((error: unknown) => this.parts.log.error({ err: error }, 'background deduplication round failed'))
        .finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  /** Stop starting rounds, and wait for the one running. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One round: every idle cartridge with a backlog, while the drives stay idle, then a collection. */
  async round(): Promise<void> {
    const { store, pass, idle, describe } = this.parts;
    let backlogBytes = 0;
    let { movedBytes, busySeconds, containersCollected } = this.progress;
    for (const barcode of await store.list()) {
      const descriptor = describe(barcode);
      if (descriptor === undefined) continue;
      const usage = await store.usage(barcode);
      if (usage.backlogBytes === 0) continue;
      if (!idle() || store.isMounted(barcode)) {
        backlogBytes += usage.backlogBytes;
        continue;
      }
      const started = process.hrtime.bigint();
      const moved = await pass.absorb(descriptor);
      busySeconds += Number(process.hrtime.bigint() - started) / 1e9;
      if (moved === undefined) backlogBytes += usage.backlogBytes;
      else movedBytes += moved.logicalBytes;
    }
    if (idle()) containersCollected += (await pass.collect()).length;
    this.progress = { backlogBytes, movedBytes, busySeconds, rounds: this.progress.rounds + 1, containersCollected };
  }
}
