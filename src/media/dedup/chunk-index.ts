// FORMAT.md "Deduplication / Index": from a chunk's id (its BLAKE3, keyed when sealed) to where the chunk is stored,
// in memory, rebuilt from the containers at start. Open addressing over one Uint32Array, 24 bytes a slot: the first
// 16 bytes of the id and the location (container, offset). A duplicate is confirmed here, without reading the entry
// header: two different chunks meet only if their BLAKE3 agree on 128 bits (2^64 work for a chosen collision, odds
// of ~1e-23 by chance at 100 million chunks), while the header read it replaces was 1.2 of the pass's 1.6 CPU s/GB
// spent on duplicates (docs/BENCHMARKS.md "Issue 17: session 9").
// Budget: the table doubles when 70 % of its slots are used, so 34-69 bytes per unique chunk; with 32 KiB chunks that
// is 1.1-2.1 GiB of memory per TiB of unique data, and 6 GiB at 100 million chunks (2^28 slots). The table never
// grows past `maxChunks`: once full, new chunks are still stored, just not offered for deduplication (nothing is
// lost, the ratio suffers).

export interface ChunkLocation {
  readonly container: number;
  readonly offset: number;
}

/** Bytes of the id the index keeps and compares. */
export const INDEX_KEY_BYTES = 16;
const SLOT_WORDS = 6;
const CONTAINER_WORD = 4;
const OFFSET_WORD = 5;
const MAX_LOAD = 0.7;
const INITIAL_SLOTS = 1024;

export class ChunkIndex {
  private slots: Uint32Array;
  private mask: number;
  private used = 0;

  constructor(private readonly maxChunks = 100_000_000) {
    this.slots = new Uint32Array(INITIAL_SLOTS * SLOT_WORDS);
    this.mask = INITIAL_SLOTS - 1;
  }

  get size(): number {
    return this.used;
  }

  /** Bytes of memory the table holds now. */
  get memoryBytes(): number {
    return this.slots.byteLength;
  }

  /** Where the chunk whose id starts with the same 16 bytes as `hash` is stored, or undefined. */
  find(hash: Buffer): ChunkLocation | undefined {
    const k0 = hash.readUInt32LE(0);
    const k1 = hash.readUInt32LE(4);
    const k2 = hash.readUInt32LE(8);
    const k3 = hash.readUInt32LE(12);
    const slots = this.slots;
    for (let slot = k0 & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = slot * SLOT_WORDS;
      const container = slots[at + CONTAINER_WORD];
      if (container === 0) return undefined;
      if (slots[at] === k0 && slots[at + 1] === k1 && slots[at + 2] === k2 && slots[at + 3] === k3) {
        return { container: container - 1, offset: slots[at + OFFSET_WORD] ?? 0 };
      }
    }
  }

  /**
   * Remember `location` for `hash`; false when the table is at its bound, or when the id is there already (the first
   * location stays: a container scanned later holds a copy a crash left unreferenced, or one written before a
   * collection rebuilt the index).
   */
  add(hash: Buffer, location: ChunkLocation): boolean {
    if (this.used + 1 > this.maxChunks || this.find(hash) !== undefined) return false;
    if (this.used + 1 > (this.mask + 1) * MAX_LOAD) this.grow();
    const key = [hash.readUInt32LE(0), hash.readUInt32LE(4), hash.readUInt32LE(8), hash.readUInt32LE(12)] as const;
    this.put(this.slots, this.mask, key, location.container + 1, location.offset);
    this.used++;
    return true;
  }

  /** Forget everything (before a rebuild from the containers, after a collection). */
  clear(): void {
    this.slots = new Uint32Array(INITIAL_SLOTS * SLOT_WORDS);
    this.mask = INITIAL_SLOTS - 1;
    this.used = 0;
  }

  private put(slots: Uint32Array, mask: number, key: readonly [number, number, number, number], containerPlusOne: number, offset: number): void {
    let slot = key[0] & mask;
    while (slots[slot * SLOT_WORDS + CONTAINER_WORD] !== 0) slot = (slot + 1) & mask;
    slots.set(key, slot * SLOT_WORDS);
    slots[slot * SLOT_WORDS + CONTAINER_WORD] = containerPlusOne;
    slots[slot * SLOT_WORDS + OFFSET_WORD] = offset;
  }

  private grow(): void {
    const old = this.slots;
    const mask = this.mask * 2 + 1;
    const slots = new Uint32Array(old.length * 2);
    for (let at = 0; at < old.length; at += SLOT_WORDS) {
      const container = old[at + CONTAINER_WORD] ?? 0;
      if (container !== 0) this.put(slots, mask, [old[at] ?? 0, old[at + 1] ?? 0, old[at + 2] ?? 0, old[at + 3] ?? 0], container, old[at + OFFSET_WORD] ?? 0);
    }
    this.slots = slots;
    this.mask = mask;
  }
}
