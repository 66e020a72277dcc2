// Shared memory of unloaded cartridges, kept for the next ones. Unlike an ArrayBuffer (release-memory.ts), a
// SharedArrayBuffer cannot be freed on demand: it goes once every thread that saw it has dropped it and collected,
// which on vtl's small main heap can take many mounts, so the process grew by 10-15 MiB per round of four drives.
// Reusing it bounds what the compression stages and read windows hold to what the busiest moment needed.

export class SharedMemoryPool {
  private readonly spare: SharedArrayBuffer[] = [];

  /** Blocks of `bytes` bytes; at most `keep` are kept spare. */
  constructor(
    readonly bytes: number,
    private readonly keep: number,
  ) {}

  /** A spare block, or a new one. */
  take(): SharedArrayBuffer {
    return this.spare.pop() ?? new SharedArrayBuffer(this.bytes);
  }

  /** `memory` is no longer used by anyone (no job in flight on it either): keep it for the next take(). */
  give(memory: SharedArrayBuffer): void {
    if (memory.byteLength === this.bytes && this.spare.length < this.keep && !this.spare.includes(memory)) this.spare.push(memory);
  }
}
