// FORMAT.md "Compression", "The write pipeline": blocks appended at end of data with compression on are acknowledged
// once they are in the compression stage and stored afterwards, strictly in order. It owns one invariant: every
// acknowledged block is either stored in the record log in the order it was acknowledged, or counted in the one
// failure that reports it lost (and every block after a failed one is lost with it, never stored out of order).
import { SerialQueue } from '../serial-queue.js';
import { CompressionPolicy } from './compression-policy.js';
import { CompressionStage, type StagedBlock, type StoredForm } from './compression-stage.js';
import type { BlockKey } from './crypto/record-envelope.js';
import { RECORD_HEADER_BYTES } from './record-header.js';

/** Where the pipeline stores its records: the record log. */
export interface PipelineRecords {
  readonly objectCount: number;
  appendData(payload: Buffer, compressed: boolean, logicalLength: number, payloadCrc: number | undefined, key?: BlockKey): Promise<void>;
}

/** Turns a failure of appendData into the error to report; objects before `acknowledgedEnd` were acknowledged. */
export type PipelineFailed = (error: unknown, acknowledgedEnd: number) => Error;

export class WritePipeline {
  private readonly policy = new CompressionPolicy();
  private readonly stage: CompressionStage;
  /** Stores the staged blocks one after another, in the order they were acknowledged. */
  private readonly storing = new SerialQueue();
  private pending = 0;
  private pendingUpperBound = 0;
  /** A store failed: reported (once) by the next settle(). */
  private failure: Error | undefined;

  constructor(
    private readonly records: PipelineRecords,
    private readonly failed: PipelineFailed,
    stage?: CompressionStage,
  ) {
    this.stage = stage ?? new CompressionStage();
  }

  /** Blocks acknowledged and not yet stored. */
  get pendingRecords(): number {
    return this.pending;
  }

  /** An upper bound of their size on the medium (headers and uncompressed payloads). */
  get pendingBytes(): number {
    return this.pendingUpperBound;
  }

  /** Whether compressing `block` is worth a try (compression-policy.ts). */
  worthTrying(block: Buffer): boolean {
    return this.policy.worthTrying(block);
  }

  /** `block` can go through the pipeline (it fits a slot); a longer one is compressed by compressNow(). */
  fits(block: Buffer): boolean {
    return this.stage.fits(block);
  }

  /**
   * Acknowledge `block` (to be appended at end of data, after every block acknowledged before it): resolves once it
   * is in the compression stage. `envelopeBytes`: the most the encryption envelopes add to it (FORMAT.md). `compress`
   * false: the block is staged as it is (a block to be sealed that is not worth compressing). Throws the failure of an
   * earlier block instead, if one is known by then.
   */
  async enqueue(block: Buffer, key?: BlockKey, envelopeBytes = 0, compress = true): Promise<void> {
    if (this.failure !== undefined) await this.settle();
    const staged = await this.stage.submit(block, compress);
    if (this.failure !== undefined) {
      staged.release();
      await this.settle();
    }
    const upperBound = RECORD_HEADER_BYTES + block.length + envelopeBytes;
    this.pending++;
    this.pendingUpperBound += upperBound;
    const logicalLength = block.length;
    // Not awaited: the WRITE is acknowledged now. store() never rejects; what it meets waits in `failure`.
    void this.storing.run(() => this.store(staged, logicalLength, upperBound, key));
  }

  /** Compress `block` for a record stored before the WRITE is answered (not through the pipeline). */
  async compressNow(block: Buffer): Promise<StagedBlock> {
    return this.stage.fits(block) ? this.stage.submit(block) : this.stage.submitLarge(block);
  }

  /** What a staged block is stored as, once compressed; the policy learns whether it shrank. */
  async storedForm(staged: StagedBlock, logicalLength: number): Promise<StoredForm> {
    const form = await staged.result;
    if (form.crc !== undefined) this.policy.observe(logicalLength, form.compressed ? form.payload.length : logicalLength);
    return form;
  }

  /** Every acknowledged block is stored and no failure waits to be reported: settle() would have nothing to do. */
  get settled(): boolean {
    return this.storing.pending === 0 && this.failure === undefined;
  }

  /** Wait until every acknowledged block is stored; throws (once) the failure that lost some. */
  async settle(): Promise<void> {
    await this.storing.idle();
    const failure = this.failure;
    if (failure === undefined) return;
    this.failure = undefined;
    throw failure;
  }

  /** The cartridge is unloaded (after settle()): the slots go back to the pool. */
  close(): void {
    this.stage.close();
  }

  /** Store one block (never rejects: a failure is kept for settle()). */
  private async store(staged: StagedBlock, logicalLength: number, upperBound: number, key: BlockKey | undefined): Promise<void> {
    try {
      const { payload, compressed, crc } = await this.storedForm(staged, logicalLength);
      if (this.failure !== undefined) return; // lost with the failure before it, which counted it
      const objectNumber = this.records.objectCount;
      try {
        await this.records.appendData(payload, compressed, logicalLength, crc, key);
      } catch (error) {
        // Everything acknowledged so far is this block and the ones queued behind it.
        this.failure = this.failed(error, objectNumber + this.pending);
      }
    } catch (error) {
      this.failure ??= error instanceof Error ? error : new Error(String(error)); // a bug, reported rather than lost
    } finally {
      staged.release();
      this.pending--;
      this.pendingUpperBound -= upperBound;
    }
  }
}
