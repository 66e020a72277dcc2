// How many copy jobs run on each physical library: at most `maxDrives` at once (copy.maxDrives), the others wait for
// one to end and are all given another go when one does (they look for a lane again, first come first served).
export class DriveLanes<Waiter> {
  private readonly inUse = new Map<string, number>();
  private readonly waiters = new Set<Waiter>();

  constructor(readonly maxDrives: number) {}

  /** Takes a lane on `library`; without one free, `waiter` is kept for release() and the answer says how many run. */
  take(library: string, waiter: Waiter): { readonly taken: true } | { readonly taken: false; readonly running: number } {
    const running = this.inUse.get(library) ?? 0;
    if (running >= this.maxDrives) {
      this.waiters.add(waiter);
      return { taken: false, running };
    }
    this.inUse.set(library, running + 1);
    return { taken: true };
  }

  /** Gives a lane back and hands out every waiter (each tries take() again). */
  release(library: string): Waiter[] {
    this.inUse.set(library, Math.max(0, (this.inUse.get(library) ?? 1) - 1));
    const waiting = [...this.waiters];
    this.waiters.clear();
    return waiting;
  }

  /** A waiter that will not try again (paused, cancelled). */
  forget(waiter: Waiter): void {
    this.waiters.delete(waiter);
  }

  running(library: string): number {
    return this.inUse.get(library) ?? 0;
  }
}
