// The contract between the SSC command set (scsi/ssc) and the cartridge format (media/).
// The medium knows records, positions, capacity and durability; it knows nothing of CDBs or sense data.
// SSC turns these outcomes into residues and sense.
//
// Positions: every logical object on the partition (a data block or a filemark) has a number, counting from 0
// at the beginning of partition (BOP). The position is the number of the object that the next read would return
// (SSC-4 "logical object identifier", what READ POSITION reports as the block number). End of data (EOD) is the
// position after the last object. The file number is the count of filemarks before the position.
import type { MediumRetentionLock } from './cartridge-metadata.js';
import type { BlockKey, RecordPlace } from './crypto/record-envelope.js';
import type { EnvelopeKey, HostOpening } from './crypto/record-opener.js';

export interface MediumPosition {
  /** Logical object identifier of the next object (0 = BOP). */
  readonly objectNumber: number;
  /** Filemarks before the position. */
  readonly fileNumber: number;
  /** True when the position equals end of data. */
  readonly atEndOfData: boolean;
}

export type ReadOutcome =
  /**
   * A data block; the position moved past it. `data` is the whole logical (uncompressed) block. With `release`,
   * `data` is lent from the medium's read buffers: call `release()` once nothing reads `data` any more (never
   * before; for a transport, when the bytes were handed to the network stack) and the next read may reuse the
   * memory. Not calling it is safe: the buffer is then garbage collected.
   */
  | { readonly kind: 'block'; readonly data: Buffer; readonly release?: () => void }
  /**
   * A block written encrypted (FORMAT.md "Encrypted records"); the position moved past it. The drive opens
   * `envelope` (media/crypto/open-block.ts) or returns it raw; `opened`: the medium opened it already with the key the
   * drive lent for this read (ReadOptions.openWith), still compressed when `place.compressed`. `release` as above,
   * for the envelope and the opened form together.
   */
  | { readonly kind: 'encrypted-block'; readonly envelope: Buffer; readonly place: RecordPlace; readonly release?: () => void; readonly opened?: HostOpening }
  /** A filemark; the position moved past it. */
  | { readonly kind: 'filemark' }
  /** End of data; the position did not move. */
  | { readonly kind: 'end-of-data' };

export interface ReadOptions {
  /**
   * The key the drive would open an encrypted block with (derivations only): the medium may open the block with it,
   * and the blocks it reads ahead, off the event loop (FORMAT.md "Reading"). Lent for the read: the medium keeps it
   * only for the block it reads ahead, which is opened again if the next read lends another key.
   */
  readonly openWith?: EnvelopeKey;
}

export interface WriteOutcome {
  /** The write took the medium past its early-warning point (programmable early warning / EW-EOM). */
  readonly earlyWarning: boolean;
}

/** Why a space / locate stopped before its count was done. */
export type StopReason = 'filemark' | 'beginning-of-partition' | 'end-of-data';

export interface SpaceOutcome {
  /** Objects of the counted kind actually passed over (always >= 0; direction is the caller's sign). */
  readonly counted: number;
  /** Set when the operation stopped early; the count not done is the caller's residue. */
  readonly stoppedBy?: StopReason;
}

export interface MediumCapacity {
  /** Total bytes the medium holds as stored (after compression), the cartridge's configured capacity. */
  readonly capacityBytes: number;
  /** Bytes stored so far (records up to EOD, as stored, with their headers). */
  readonly usedBytes: number;
  /** Remaining before the physical end. */
  readonly remainingBytes: number;
  /** Remaining bytes at which early warning begins (0 = at the physical end). */
  readonly earlyWarningBytes: number;
}

export interface MediumStatistics {
  /** Logical bytes (as the host sent them) written and read since load, and in the medium's life. */
  readonly hostBytesWritten: number;
  readonly hostBytesRead: number;
  readonly storedBytesWritten: number;
  readonly storedBytesRead: number;
  readonly lifetimeHostBytesWritten: number;
  readonly lifetimeHostBytesRead: number;
  readonly blocksWritten: number;
  readonly blocksRead: number;
  readonly filemarksWritten: number;
  readonly readErrors: number;
  readonly writeErrors: number;
  readonly loadCount: number;
}

/** Most partitions a cartridge can hold (SSC-4 mode page 11h: MAXIMUM ADDITIONAL PARTITIONS + 1 of LTO-5 and later). */
export const MAX_PARTITIONS = 2;

// The errors and the store interface have their own files; re-exported here for the importers of this one.
export { MediaFormatError, MediaWriteError, MediumFullError, PartitionsUnsupportedError, StorageFullError, WormViolationError, isNoSpaceCode } from './media-errors.js';
export type { CartridgeDescriptor, MediaStore, OpenOptions } from './media-store.js';

export interface WriteOptions {
  /** Compress this block if it shrinks (the drive's DCE setting). */
  readonly compress: boolean;
  /** Encrypt the stored form under this key (SSC-4 encryption mode ENCRYPT); the medium keeps no copy of it. */
  readonly encrypt?: BlockKey;
}

/** What the next object is, without moving (SSC-4 next block encryption status). */
export type NextObject =
  | { readonly kind: 'block' }
  | { readonly kind: 'encrypted-block'; readonly envelope: Buffer }
  | { readonly kind: 'filemark' }
  | { readonly kind: 'end-of-data' };

/**
 * An open cartridge, mounted in one drive. The drive is the one owner of ordering: it calls the asynchronous
 * methods one at a time, each after the previous one settled. A medium does not queue calls behind each other: a
 * call made while another runs is refused (rejected with an Error), never silently reordered.
 */
export interface TapeMedium {
  readonly barcode: string;
  readonly worm: boolean;
  /**
   * The cartridge's full capacity as created (stored bytes). SET CAPACITY proportions are of this value;
   * `capacity().capacityBytes` is the capacity currently made available, at most this.
   */
  readonly nativeCapacityBytes: number;
  /**
   * The partition the position is in (0 on a cartridge of one partition). Positions, end of data, capacity and early
   * warning (position(), capacity(), every move and write) are those of this partition.
   */
  readonly partition: number;
  /** Most partitions format() accepts for this cartridge: MAX_PARTITIONS, or 1 where the store keeps one stream. */
  readonly partitionLimit: number;
  position(): MediumPosition;
  capacity(): MediumCapacity;
  /** The capacity of every partition, by partition number (one entry on a cartridge of one partition). */
  partitionCapacities(): readonly MediumCapacity[];
  statistics(): MediumStatistics;

  /**
   * Read the object at the position and move past it. Throws MediaFormatError for a bad record (CRC mismatch,
   * damaged header); the position then stays before it (spaceBlocks(1) passes a record whose header is sound).
   */
  read(options?: ReadOptions): Promise<ReadOutcome>;
  /** The object at the position, without moving (the envelope is a copy). Throws MediaFormatError like read(). */
  peek(): Promise<NextObject>;
  /**
   * Write a data block at the position; everything after the position is discarded first (new end of data),
   * unless WORM forbids it (WormViolationError). Resolves when the record is safe in the writer (buffered mode);
   * `flush()` makes it durable. The medium does not keep `block` after the promise resolves.
   * MediumFullError: the record would pass the physical end; nothing was written.
   * MediaWriteError (from this or any later operation): records still in the drive's buffer (acknowledged, never
   * anything flushed; for FileTapeMedium at most the writer's 4 MiB plus the four blocks of the compression stage,
   * FORMAT.md "Writing") were lost with the failing one, counted by `lostAcknowledged`; `position()` afterwards is
   * the new end of data, and writing may resume there.
   */
  write(block: Buffer, options: WriteOptions): Promise<WriteOutcome>;
  /**
   * Write `count` filemarks at the position (same truncation and WORM rules as write; all or none fit). A count that
   * is not an integer from 0 to 2^32 - 1 is a RangeError (WRITE FILEMARKS counts are 24-bit).
   */
  writeFilemarks(count: number): Promise<WriteOutcome>;

  /**
   * Space over `count` data blocks, forward (count > 0) or backward (count < 0). A filemark stops it after the
   * filemark is crossed (SSC-4 SPACE: the position ends on the far side of the filemark in the direction of
   * motion); BOP and EOD stop it where they are. `counted` is the blocks passed, excluding the filemark.
   */
  spaceBlocks(count: number): Promise<SpaceOutcome>;
  /** Space over `count` filemarks forward or backward; forward stops at EOD, backward at BOP. */
  spaceFilemarks(count: number): Promise<SpaceOutcome>;
  /**
   * Space forward/backward to the next run of `count` consecutive filemarks, ending on its far side in the
   * direction of motion. `counted` is |count| when a run was found, else 0 with stoppedBy EOD/BOP.
   */
  spaceSequentialFilemarks(count: number): Promise<SpaceOutcome>;
  /** Move to end of data. */
  spaceToEndOfData(): Promise<void>;
  /**
   * Move to logical object `objectNumber`; past EOD it stops at EOD with stoppedBy 'end-of-data'.
   * `counted` is the number of objects moved over (either direction).
   */
  locate(objectNumber: number): Promise<SpaceOutcome>;
  /** Move to the beginning of partition 0 (SSC-4 REWIND: beginning of medium). */
  rewind(): Promise<void>;
  /**
   * Move to the beginning of `partition` (LOCATE with CP); what the partition left still buffers is flushed first.
   * A partition the cartridge does not have is a RangeError, and the position does not change.
   */
  changePartition(partition: number): Promise<void>;
  /**
   * SSC-4 FORMAT MEDIUM: erase every partition and lay the cartridge out anew, then stand at the beginning of
   * partition 0. `partitionBytes`: the capacity of each partition (2..partitionLimit entries, integers >= 1 whose
   * sum is at most the capacity, else RangeError); empty: one partition of the whole capacity. Durable when the
   * promise resolves; a crash at any instant leaves the old layout or the new one (FORMAT.md "Partitions").
   * Refused on WORM (WormViolationError); more partitions than partitionLimit: PartitionsUnsupportedError.
   */
  format(partitionBytes: readonly number[]): Promise<void>;
  /** Erase from the position to the end (the position becomes end of data). Refused on WORM. */
  erase(): Promise<void>;
  /**
   * SSC SET CAPACITY: erase the whole partition (blank, end of data at 0, position 0) and make `capacityBytes`
   * (an integer from 1 to `nativeCapacityBytes`, else RangeError) the capacity from now on; early warning follows
   * it. Durable when the promise resolves (it survives close and reopen). Refused on WORM (WormViolationError).
   */
  setCapacity(capacityBytes: number): Promise<void>;

  /** Make every record written so far durable (fsync). */
  flush(): Promise<void>;
  /** Flush and release. The medium is unusable afterwards. */
  close(): Promise<void>;

  /** Medium auxiliary memory (MAM) attributes by identifier, raw attribute values (copies). */
  readAttributes(): ReadonlyMap<number, Buffer>;
  /** Set these attributes, durably when the promise resolves; a zero-length value deletes the attribute. */
  writeAttributes(attributes: ReadonlyMap<number, Buffer>): Promise<void>;

  /** The retention lock kept in the cartridge's own metadata (a copy), or undefined when it never had one. */
  retentionLock(): MediumRetentionLock | undefined;
  /** Keep `lock` in the cartridge's own metadata, durably when the promise resolves (it replaces the previous one). */
  keepRetentionLock(lock: MediumRetentionLock): Promise<void>;
}

export type { MediumRetentionLock } from './cartridge-metadata.js';
