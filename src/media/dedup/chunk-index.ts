// FORMAT.md "Deduplication / Index": from a chunk's BLAKE3 to where the chunk is stored, in memory, rebuilt from the
// containers at start. Open addressing over one Uint32Array, 16 bytes a slot: the first 8 bytes of the hash and the
// location (container, offset). Only a prefix is kept, so a hit is a candidate: the store reads the entry's header
// (which holds the whole hash) and compares before it reuses the chunk; a false candidate costs one header read.
// Budget: at most 70 % of the slots are used, so ~23 bytes per unique chunk; with 32 KiB chunks that is ~0.7 GiB of
// memory per TiB of unique data, and 2.2 GiB at 100 million chunks. The table never grows past `maxChunks`: once
// full, new chunks are still stored, just not offered for deduplication (nothing is lost, the ratio suffers).

export interface ChunkLocation {
  readonly container: number;
  readonly offset: number;
}

const SLOT_WORDS = 4;
const MAX_LOAD = 0.7;

export class ChunkIndex {
  private slots: Uint32Array;
  private mask: number;
  private used = 0;

  constructor(private readonly maxChunks = 100_000_000) {
    this.slots = new Uint32Array(1024 * SLOT_WORDS);
    this.mask = 1023;
  }

  get size(): number {
    return this.used;
  }

  /** Bytes of memory the table holds now. */
  get memoryBytes(): number {
    return this.slots.byteLength;
  }

  /** Every location whose hash starts like `hash` (usually none or one). */
  candidates(hash: Buffer): ChunkLocation[] {
    const lo = hash.readUInt32LE(0);
    const hi = hash.readUInt32LE(4);
    const found: ChunkLocation[] = [];
    for (let slot = lo & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = slot * SLOT_WORDS;
      const container = this.slots[at + 2];
      if (container === 0) return found;
      if (this.slots[at] === lo && this.slots[at + 1] === hi) found.push({ container: container - 1, offset: this.slots[at + 3] });
    }
  }

  /** Remember `location` for `hash`; false when the table is at its bound (the chunk is then not offered again). */
  add(hash: Buffer, location: ChunkLocation): boolean {
    if (this.used + 1 > this.maxChunks) return false;
    if (this.used + 1 > (this.mask + 1) * MAX_LOAD) this.grow();
    this.put(hash.readUInt32LE(0), hash.readUInt32LE(4), location.container + 1, location.offset);
    this.used++;
    return true;
  }

  /** Forget everything (before a rebuild from the containers, after a collection). */
  clear(): void {
    this.slots = new Uint32Array(1024 * SLOT_WORDS);
    this.mask = 1023;
    this.used = 0;
  }

  private put(lo: number, hi: number, containerPlusOne: number, offset: number): void {
    let slot = lo & this.mask;
    while (this.slots[slot * SLOT_WORDS + 2] !== 0) slot = (slot + 1) & this.mask;
    const at = slot * SLOT_WORDS;
    this.slots[at] = lo;
    this.slots[at + 1] = hi;
    this.slots[at + 2] = containerPlusOne;
    this.slots[at + 3] = offset;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    for (let at = 0; at < old.length; at += SLOT_WORDS) {
      if (old[at + 2] !== 0) this.put(old[at], old[at + 1], old[at + 2], old[at + 3]);
    }
  }
}
