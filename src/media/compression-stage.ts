// The compression stage of a cartridge's write pipeline (FORMAT.md "Compression"): a block is copied into one of a
// few shared-memory slots and compressed (and checksummed) there by a payload worker while the drive already answers
// the WRITE and the host sends the next block. The write pipeline (write-pipeline.ts) stores the results strictly in order.
import { crc32c } from '../crc32c.js';
import { PayloadWorkers } from './payload-workers.js';
import { copyBytes } from './copy-bytes.js';
import { SharedMemoryPool } from './shared-memory-pool.js';

/** Largest block that goes through a slot (and the pipeline); longer ones are compressed by submitLarge(). */
export const SLOT_BYTES = 1024 * 1024;
/** Blocks compressing or waiting to be stored, per cartridge. */
export const SLOTS = 4;
/** Room for the compressed form (LZ4's worst case is a little over the input; such a result is not kept anyway). */
const OUTPUT_BYTES = SLOT_BYTES + 8 * 1024;
const SLOT_STRIDE = SLOT_BYTES + OUTPUT_BYTES;
/** The slots of unloaded cartridges, for the next ones (as many as four drives compressing at once use). */
const stageMemory = new SharedMemoryPool(SLOTS * SLOT_STRIDE, 4);

export interface StoredForm {
  /** The bytes to store: the compressed form, or the block itself. Valid until the staged block is released. */
  readonly payload: Buffer;
  readonly compressed: boolean;
  /** CRC32C of `payload`; undefined for a block staged without compressing (whoever stores it computes what it needs). */
  readonly crc?: number;
}

export interface StagedBlock {
  readonly result: Promise<StoredForm>;
  /** Give the slot back (after the payload has been copied out). */
  release(): void;
}

export class CompressionStage {
  private memory: SharedArrayBuffer | undefined;
  private readonly free: number[] = [];
  private readonly waiting: (() => void)[] = [];
  /** Shared memory for blocks longer than a slot (submitLarge), and whether one is in it. */
  private large: SharedArrayBuffer | undefined;
  private largeInUse = false;

  constructor(private readonly workers: PayloadWorkers = PayloadWorkers.shared()) {}

  /** The block fits a slot (submit); a longer one goes through submitLarge. */
  fits(block: Buffer): boolean {
    return block.length <= SLOT_BYTES;
  }

  /**
   * Copy `block` into a free slot (waiting for one) and start compressing it; `block` is not kept. With `compress`
   * false the block is only copied: a block that will be sealed is staged so that its WRITE is answered at once and it
   * is sealed from the slot afterwards (FORMAT.md "The write pipeline").
   */
  async submit(block: Buffer, compress = true): Promise<StagedBlock> {
    if (block.length > SLOT_BYTES) throw new RangeError(`A block of ${block.length} bytes does not fit a compression slot`);
    const memory = this.slots();
    let slot = this.free.pop();
    while (slot === undefined) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      slot = this.free.pop();
    }
    const inputOffset = slot * SLOT_STRIDE;
    return this.start(block, memory, inputOffset, inputOffset + SLOT_BYTES, compress ? OUTPUT_BYTES : 0, () => {
      this.free.push(slot);
      this.waiting.shift()?.();
    });
  }

  /**
   * Like submit(), for a block longer than a slot, in shared memory of its own (kept for the next such block while
   * the cartridge is loaded). One at a time: the caller stores and releases it before the next.
   */
  submitLarge(block: Buffer): StagedBlock {
    if (this.largeInUse) throw new Error('a large block is already in the compression stage');
    // Only a compressed form shorter than the block is kept, so the output needs no more room than the input.
    const needed = 2 * block.length;
    if (this.large === undefined || this.large.byteLength < needed) this.large = new SharedArrayBuffer(Math.ceil(needed / SLOT_BYTES) * SLOT_BYTES);
    this.largeInUse = true;
    return this.start(block, this.large, 0, block.length, block.length, () => (this.largeInUse = false));
  }

  /** Copy `block` to `inputOffset` of `memory` and have a worker compress it to `outputOffset` (none: no room). */
  private start(block: Buffer, memory: SharedArrayBuffer, inputOffset: number, outputOffset: number, outputCapacity: number, free: () => void): StagedBlock {
    const input = Buffer.from(memory, inputOffset, block.length);
    copyBytes(block, input);
    const result = outputCapacity === 0 ? Promise.resolve<StoredForm>({ payload: input, compressed: false }) : this.workers
      .compress({ input: memory, inputOffset, length: block.length, output: memory, outputOffset, outputCapacity })
      .then((reply): StoredForm => {
        if ('problem' in reply) return { payload: input, compressed: false, crc: crc32c(input) }; // the worker stopped
        return reply.length >= 0 && reply.length < block.length
          ? { payload: Buffer.from(memory, outputOffset, reply.length), compressed: true, crc: reply.crc }
          : { payload: input, compressed: false, crc: reply.crc };
      });
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      free();
    };
    return { result, release };
  }

  /** The cartridge is unloaded and its pipeline settled: the slots go back to the pool. */
  close(): void {
    if (!this.largeInUse) this.large = undefined;
    if (this.memory === undefined || this.free.length < SLOTS) return; // a slot still in use: leave it to the collector
    stageMemory.give(this.memory);
    this.memory = undefined;
    this.free.length = 0;
  }

  private slots(): SharedArrayBuffer {
    if (this.memory === undefined) {
      this.memory = stageMemory.take();
      for (let i = SLOTS - 1; i >= 0; i--) this.free.push(i);
    }
    return this.memory;
  }
}
