// One medium operation at a time per drive (host commands, IMMED work in the background, robot loads and
// unloads), and the deferred error an IMMED operation leaves for the next command (SSC-4 / SPC-4 deferred errors).
import type { SenseData } from '../sense.js';

export class OperationQueue {
  private chain: Promise<unknown> = Promise.resolve();
  private deferred: SenseData | undefined;

  /** Run `fn` after everything queued before it. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Queue `fn` without waiting for it; what it throws is turned into the deferred sense by `toSense`. */
  background(fn: () => Promise<void>, toSense: (err: unknown) => SenseData): void {
    this.chain = this.chain.then(fn).catch((err: unknown) => {
      this.deferred = toSense(err);
    });
  }

  /** The pending deferred error, cleared as it is reported. */
  takeDeferred(): SenseData | undefined {
    const d = this.deferred;
    this.deferred = undefined;
    return d;
  }

  clearDeferred(): void {
    this.deferred = undefined;
  }
}
