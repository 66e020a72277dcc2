// FORMAT.md "Deduplication / The background pass": when to run it. Every interval, if the composition says the
// drives are idle, the pass moves each unmounted cartridge with a backlog into its recipe, one after another, then
// collects. Progress and backlog are kept for the API and the metrics. One owner of ordering: the rounds' SerialQueue
// (a timer tick finding a round queued skips; an operator's round waits for the one running).
import type { Logger } from '../../log.js';
import { SerialQueue } from '../../serial-queue.js';
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
  /** A round is running now. */
  readonly running: boolean;
  /** The cartridge the running round is moving now, with the bytes it had to move (undefined between cartridges). */
  readonly cartridge: { readonly barcode: string; readonly backlogBytes: number } | undefined;
  /** When the last round ended (ISO 8601), undefined before the first. */
  readonly lastRoundAt: string | undefined;
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
  private readonly rounds = new SerialQueue();
  private stopping = false;
  private progress: Omit<DedupProgress, 'running' | 'cartridge'> = { backlogBytes: 0, movedBytes: 0, busySeconds: 0, rounds: 0, containersCollected: 0, lastRoundAt: undefined };
  private inHand: DedupProgress['cartridge'];

  constructor(private readonly parts: DedupSchedulerParts) {}

  get status(): DedupProgress {
    return { ...this.progress, running: this.rounds.pending > 0, cartridge: this.inHand };
  }

  /** Measure every cartridge once now (their figures for the API), then a round every `intervalMs` the drives are idle. */
  start(intervalMs: number): void {
    if (this.timer !== undefined) return;
    this.stopping = false;
    this.background(() => this.measure());
    this.timer = setInterval(() => {
      if (this.rounds.pending > 0 || !this.parts.idle()) return;
      this.background(() => this.round());
    }, intervalMs);
    this.timer.unref();
  }

  /** A round now, as if the drives were idle (mounted cartridges are still left alone); its progress after. */
  async runNow(): Promise<DedupProgress> {
    await this.rounds.run(() => this.round(true));
    return this.status;
  }

  /** Stop starting rounds, interrupt the one running (the cartridge in hand stops before its switch), and wait for it. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopping = true;
    this.parts.store.interruptPass();
    await this.rounds.idle();
  }

  /** One round: every idle cartridge with a backlog, while the drives stay idle, then a collection. */
  async round(force = false): Promise<void> {
    const { store, pass, describe } = this.parts;
    const idle = (): boolean => !this.stopping && (force || this.parts.idle());
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
      this.inHand = { barcode, backlogBytes: usage.backlogBytes };
      try {
        const moved = await pass.absorb(descriptor);
        if (moved === undefined) backlogBytes += usage.backlogBytes;
        else movedBytes += moved.logicalBytes;
      } catch (error) {
        // One cartridge's failure is its own: logged, its data stays in its data file, the round goes on.
        this.parts.log.error({ err: error, barcode }, 'the deduplication pass could not move a cartridge');
        backlogBytes += usage.backlogBytes;
      } finally {
        this.inHand = undefined;
        busySeconds += Number(process.hrtime.bigint() - started) / 1e9;
      }
      await store.usage(barcode); // measured again: the API shows the cartridge as the pass left it
    }
    if (idle()) containersCollected += (await pass.collect()).length;
    this.progress = { backlogBytes, movedBytes, busySeconds, rounds: this.progress.rounds + 1, containersCollected, lastRoundAt: new Date().toISOString() };
  }

  /** Measure every cartridge of this store's libraries, so their figures are at hand without I/O. */
  private async measure(): Promise<void> {
    let backlogBytes = 0;
    for (const barcode of await this.parts.store.list()) {
      if (this.stopping) return;
      if (this.parts.describe(barcode) === undefined) continue;
      backlogBytes += (await this.parts.store.usage(barcode)).backlogBytes;
    }
    this.progress = { ...this.progress, backlogBytes };
  }

  private background(job: () => Promise<void>): void {
    this.rounds.run(job).catch((error: unknown) => this.parts.log.error({ err: error }, 'background deduplication round failed'));
  }
}
