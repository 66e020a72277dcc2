// The one owner of ordering of a logical unit. Every command the dispatcher does not mark `concurrent`, the IMMED
// work such a command leaves behind, and a tape drive's robot loads and unloads run here, one at a time, in the
// order they were queued; nothing below (the TapeMedium, the cartridge format) orders calls again.
//
// Rejection semantics (SerialQueue's, which this is built on):
// - A command that fails (throws or rejects) delivers its error to its own caller only; the next command starts as
//   soon as it has settled, as if it had succeeded.
// - IMMED work (`background`) runs after the command that queued it has answered and before anything that runs after
//   that command, even a command queued earlier than the work (commands are queued on arrival). What it throws is
//   kept as the unit's deferred error (SPC-4 deferred errors, sense 71h/73h), reported by the next command that
//   asks for it with `takeDeferred`; the work itself never rejects anything.
import { SerialQueue } from '../serial-queue.js';
import { senseOf } from './sense.js';
import type { SenseData } from './sense.js';

interface ImmediateWork {
  readonly work: () => Promise<void>;
  readonly toSense: (err: unknown) => SenseData;
}

export class UnitQueue {
  private readonly queue = new SerialQueue();
  /** IMMED work waiting to run; whichever operation starts next runs it first, in its own turn. */
  private readonly immediate: ImmediateWork[] = [];
  private deferred: SenseData | undefined;

  /** Run `operation` once everything queued before it has settled; its result and error are its own. */
  run<T>(operation: () => Promise<T> | T): Promise<T> {
    // Commands are queued when they arrive, often before the command ahead of them has run and queued IMMED work:
    // that work is drained here, at the start of the next turn, so it still runs before them.
    return this.queue.run(() => (this.immediate.length === 0 ? operation() : this.drainThen(operation)));
  }

  /**
   * Queue IMMED work without waiting for it. `toSense` turns what it throws into the deferred error; it should log
   * and map bugs itself (TapeDrive's does), and if it throws anyway the deferred error is INTERNAL TARGET FAILURE,
   * so nothing ever rejects unobserved.
   */
  background(work: () => Promise<void>, toSense: (err: unknown) => SenseData): void {
    this.immediate.push({ work, toSense });
    // Runs the work when no command follows; finds nothing to do when one already drained it.
    void this.queue.run(() => this.drain());
  }

  /** The pending deferred error, cleared as it is reported. */
  takeDeferred(): SenseData | undefined {
    const d = this.deferred;
    this.deferred = undefined;
    return d;
  }

  /** Whether a deferred error waits to be reported (it is reported before anything else the next command would say). */
  hasDeferred(): boolean {
    return this.deferred !== undefined;
  }

  /** A new cartridge starts without the previous one's deferred error. */
  clearDeferred(): void {
    this.deferred = undefined;
  }

  /** Resolves once everything queued so far, IMMED work included, has settled (never rejects). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async drain(): Promise<void> {
    for (let next = this.immediate.shift(); next; next = this.immediate.shift()) {
      try {
        await next.work();
      } catch (err) {
        this.deferred = deferredSense(next, err);
      }
    }
  }

  private async drainThen<T>(operation: () => Promise<T> | T): Promise<T> {
    await this.drain();
    return operation();
  }
}

function deferredSense(work: ImmediateWork, err: unknown): SenseData {
  try {
    return work.toSense(err);
  } catch {
    return senseOf('INTERNAL_TARGET_FAILURE');
  }
}
