// Large buffers that outlive the cartridge that used them. A cartridge's write-behind chunks, compression slots and
// read window are megabytes each; dropped at unload they would wait for a major collection (rare with vtl's small
// heap) and keep the process's memory high across mounts. Instead they go back to a small process-wide free list
// and the next cartridge takes them.

/** A bounded free list of interchangeable buffers of one kind. */
export class ReuseList<T> {
  private readonly free: T[] = [];

  constructor(
    private readonly create: () => T,
    private readonly keep: number,
  ) {}

  take(): T {
    return this.free.pop() ?? this.create();
  }

  give(item: T): void {
    if (this.free.length < this.keep) this.free.push(item);
  }
}
