// FORMAT.md "Index checkpoint", "Metadata file": when a mounted cartridge saves its two small files. It owns one
// invariant: what is on disk lags what is in memory only by what the schedule allows (records since the last
// checkpoint, counters for at most METADATA_COUNTERS_EVERY_MS), and everything else is saved before the operation
// that changed it returns (a new pass with the flush after it, attributes at once).
import type { Logger } from '../log.js';
import { setRetention, type CartridgeMetadata, type MediumRetentionLock } from './cartridge-metadata.js';
import type { RewrittenRecord } from './index-checkpoint.js';
import type { ObjectIndex } from './object-index.js';
import type { MediumCounters } from './medium-counters.js';

/**
 * A flush writes a fresh index checkpoint once this many records (or 1/16 of the objects, whichever is more, so
 * the checkpoint of a huge cartridge never costs more than a fraction of the data written) or bytes were
 * appended since the last one.
 */
export const CHECKPOINT_EVERY_RECORDS = 4096;
export const CHECKPOINT_EVERY_BYTES = 64 * 1024 * 1024;
/** A flush saves changed counters only this long after the last metadata save (close always saves them). */
export const METADATA_COUNTERS_EVERY_MS = 10_000;

/** Where the two files go (cartridge-saver.ts on a Storage; a recording fake in the tests). */
export interface SmallFileSaver {
  saveCheckpoint(index: ObjectIndex, pass: number, rewritten?: RewrittenRecord): Promise<void>;
  saveMetadata(metadata: CartridgeMetadata): Promise<void>;
}

export class PersistenceSchedule {
  private recordsSinceCheckpoint = 0;
  private bytesSinceCheckpoint = 0;
  /** Metadata other than the counters changed since it was last saved. */
  private metadataDirty = false;
  private metadataSavedAt: number;

  constructor(
    private readonly saver: SmallFileSaver,
    private readonly metadata: CartridgeMetadata,
    private readonly counters: MediumCounters,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.metadataSavedAt = now();
  }

  /** Records of `recordBytes` in all were appended to the stream. */
  appended(records: number, recordBytes: number): void {
    this.recordsSinceCheckpoint += records;
    this.bytesSinceCheckpoint += recordBytes;
  }

  /**
   * The stream was cut: the new pass goes to the metadata with the next flush. The metadata keeps the highest pass of
   * the cartridge: another partition's stream may be at a higher one (FORMAT.md "Partitions").
   */
  passChanged(pass: number): void {
    this.metadata.pass = Math.max(this.metadata.pass, pass);
    this.metadataDirty = true;
  }

  /**
   * Before a cut: the checkpoint of the kept prefix, true before and after the truncate that follows, so a crash
   * in between is harmless. It is only a cache: a failure is logged, and the next open rebuilds the index.
   */
  async checkpointBeforeCut(index: ObjectIndex, pass: number): Promise<void> {
    await this.checkpoint(index, pass).catch((error: unknown) => this.log.warn({ err: error }, 'cannot save the index checkpoint'));
  }

  /**
   * Before a cut inside a filemark run rewrites the run's record: the checkpoint that can write it again if a crash
   * takes it (FORMAT.md "Filemark runs"). Unlike the others this one must be saved: a failure stops the cut.
   */
  async checkpointBeforeRewrite(index: ObjectIndex, pass: number, rewritten: RewrittenRecord): Promise<void> {
    await this.saver.saveCheckpoint(index, pass, rewritten);
    this.recordsSinceCheckpoint = 0;
    this.bytesSinceCheckpoint = 0;
  }

  /** After the data file was synced: the checkpoint when due (always on close if records were added), then the metadata when due. */
  async afterSync(index: ObjectIndex, pass: number, closing: boolean): Promise<void> {
    const recordsDue = Math.max(CHECKPOINT_EVERY_RECORDS, index.objectCount / 16);
    const due = this.recordsSinceCheckpoint >= recordsDue || this.bytesSinceCheckpoint >= CHECKPOINT_EVERY_BYTES;
    if (due || (closing && this.recordsSinceCheckpoint > 0)) await this.checkpoint(index, pass);
    // Counters alone are not worth two fsyncs on every flush (a host in unbuffered mode flushes every block).
    const countersDue = this.counters.dirty && (closing || this.now() - this.metadataSavedAt >= METADATA_COUNTERS_EVERY_MS);
    if (this.metadataDirty || countersDue) await this.saveMetadata();
  }

  /** Keep `lock` as the cartridge's retention lock (FORMAT.md "Metadata file"), saved now: durable when it resolves. */
  async saveRetention(lock: MediumRetentionLock): Promise<void> {
    setRetention(this.metadata, lock);
    await this.saveMetadata();
  }

  /** Save the metadata now (attributes, a new capacity): durable when it resolves. */
  async saveMetadata(): Promise<void> {
    await this.saver.saveMetadata(this.metadata);
    this.metadataDirty = false;
    this.counters.dirty = false;
    this.metadataSavedAt = this.now();
  }

  private async checkpoint(index: ObjectIndex, pass: number): Promise<void> {
    await this.saver.saveCheckpoint(index, pass);
    this.recordsSinceCheckpoint = 0;
    this.bytesSinceCheckpoint = 0;
  }
}
