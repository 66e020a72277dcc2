// Copies a virtual cartridge to a physical one object by object — every record at its exact size, every filemark,
// end of data right after the last object — and verifies by reading both back. A copy resumes from a checkpoint
// (objects known to be on the physical tape) or from where a pause stopped it: by LOCATE when the drive has it,
// otherwise (tgt has no LOCATE and reports no position) from BOP by SPACE over the filemarks, then over the blocks.
import { SenseKey } from '../scsi/sense.js';
import { SpaceCode } from './cdb.js';
import { PhysicalDeviceError } from './physical-device-error.js';
import { ReadAhead, type CopySource } from './read-ahead.js';
export { HostEncryptedRecordError, type CopySource } from './read-ahead.js';
import type { PhysicalRead, WriteOptions } from './tape-drive.js';
import { DEFAULT_WINDOW, WriteWindow, type WindowLimits } from './write-window.js';

/** The part of a physical drive (PhysicalTapeDrive) the copy writes and reads. */
export interface CopyTarget {
  rewind(): Promise<void>;
  space(code: 0 | 1 | 3, count: number): Promise<void>;
  write(record: Buffer, o?: WriteOptions): Promise<{ earlyWarning: boolean }>;
  writeFilemarks(count: number, o?: WriteOptions): Promise<{ earlyWarning: boolean }>;
  /** The largest record that may be in flight with others (WriteWindow); absent: none. */
  unsolicitedBytes?(): number;
  read(maxBytes: number): Promise<PhysicalRead>;
  /** LOCATE to a logical object identifier; false when the drive has no LOCATE (the copy then uses SPACE). */
  locate?(objectNumber: number): Promise<boolean>;
}

export interface CopyCheckpoint {
  /** Objects (blocks and filemarks) of the virtual cartridge known to be on the physical tape, from BOP. */
  readonly objects: number;
  readonly bytes: number;
}

export interface CopyHooks {
  /**
   * The physical drive confirmed everything so far (WRITE FILEMARKS 0 flushed its buffer): persist it. Runs while the
   * copy goes on; calls come one at a time, in order, and the copy waits for the last before it returns or throws.
   */
  checkpoint(at: CopyCheckpoint): Promise<void>;
  progress(phase: 'copy' | 'verify', at: CopyCheckpoint): void;
  /** Checked between objects: true ends the copy with CopyCancelledError. */
  cancelled(): boolean;
  /**
   * Checked between objects: true makes the drive write its buffer, saves a checkpoint there and ends the copy with
   * CopyPausedError; a later copy from that checkpoint goes on where this one stopped.
   */
  paused?(): boolean;
  /** Bytes between checkpoints (default 64 MiB). */
  readonly checkpointBytes?: number;
  /** Writes in flight to the drive (default DEFAULT_WINDOW). */
  readonly window?: WindowLimits;
  /** The physical tape ended before the checkpoint: the copy starts again from the beginning (the reason). */
  restarted?(reason: string): void;
}

export class CopyCancelledError extends Error {
  constructor() {
    super('the copy was cancelled');
    this.name = 'CopyCancelledError';
  }
}

/** A host started I/O on the library: the copy stopped at `at` (a checkpoint) and goes on from there later. */
export class CopyPausedError extends Error {
  constructor(readonly at: CopyCheckpoint) {
    super(`the copy paused at object ${at.objects}`);
    this.name = 'CopyPausedError';
  }
}

/**
 * The physical cartridge cannot hold the virtual one: the copy stopped at the first write the drive answered with
 * early warning; past it, at most the writes that were already in flight (the WriteWindow's limits).
 */
export class PhysicalCartridgeTooSmallError extends Error {
  constructor(at: CopyCheckpoint, totalObjects: number) {
    super(`the physical cartridge reached early warning after ${at.objects} of ${totalObjects} objects (${at.bytes} bytes): it is too small for the virtual cartridge`);
    this.name = 'PhysicalCartridgeTooSmallError';
  }
}

export class VerifyMismatchError extends Error {
  constructor(objectNumber: number, what: string) {
    super(`verify failed at object ${objectNumber}: ${what}`);
    this.name = 'VerifyMismatchError';
  }
}

/** SPACE met end of data (SSC: BLANK CHECK 00/05; tgt answers NO SENSE 00/05). */
function isEndOfDataError(err: unknown): boolean {
  const sense = err instanceof PhysicalDeviceError ? err.sense : undefined;
  return sense !== undefined && (sense.key === SenseKey.BLANK_CHECK || (sense.asc === 0x00 && sense.ascq === 0x05));
}

/** Puts both tapes at `objects` (the source by locate, the target by LOCATE, or by SPACE from BOP without it). */
async function positionAt(source: CopySource, target: CopyTarget, objects: number): Promise<void> {
  await source.rewind();
  await target.rewind();
  if (objects === 0) return;
  if ((await target.locate?.(objects)) === true) {
    await source.locate(objects);
    return;
  }
  await source.locate(objects);
  const files = source.position().fileNumber;
  await source.rewind();
  if (files > 0) await source.spaceFilemarks(files);
  const afterLastMark = source.position().objectNumber;
  await target.space(SpaceCode.FILEMARKS, files);
  const blocks = objects - afterLastMark;
  if (blocks > 0) {
    await target.space(SpaceCode.BLOCKS, blocks - 1);
    await spaceLastBlock(target);
  }
  await source.locate(objects);
}

/**
 * SPACE over one block that is known to be there. tgt 1.0.85 moves onto the next header and then reports END OF DATA
 * DETECTED when that header is end of data, without a residue: the block was spaced over. This is the usual case
 * after a pause or a kill right after a checkpoint (the tape ends at the checkpoint); it was the "SPACE met end of
 * data" that made resumed copies start again from the beginning. A drive that follows SSC-4 reports end of data only
 * for a count it could not do, with the residue in INFORMATION: that one stays an error.
 */
async function spaceLastBlock(target: CopyTarget): Promise<void> {
  try {
    await target.space(SpaceCode.BLOCKS, 1);
  } catch (err) {
    if (!isEndOfDataError(err) || ((err as PhysicalDeviceError).sense?.information ?? 0) !== 0) throw err;
  }
}

export async function copyCartridge(source: CopySource, target: CopyTarget, from: CopyCheckpoint, totalObjects: number, hooks: CopyHooks): Promise<CopyCheckpoint> {
  let start = from;
  try {
    await positionAt(source, target, from.objects);
  } catch (err) {
    // End of data before the checkpoint: the physical tape holds less than the checkpoint says (a tape changed by
    // someone else since). The checkpoint cannot be trusted, so the copy starts again from the beginning; verify
    // compares everything anyway.
    if (from.objects === 0 || !isEndOfDataError(err)) throw err;
    hooks.restarted?.(`the physical tape ended before the checkpoint at object ${from.objects} (${(err as Error).message})`);
    start = { objects: 0, bytes: 0 };
    await positionAt(source, target, 0);
  }
  let objects = start.objects;
  let bytes = start.bytes;
  let sinceCheckpoint = 0;
  const every = hooks.checkpointBytes ?? 64 * 1024 * 1024;
  // Objects and bytes count what the drive confirmed (a prefix of what was sent): checkpoints only ever hold those.
  const window = new WriteWindow(target, hooks.window ?? DEFAULT_WINDOW, (c) => {
    objects++;
    bytes += c.bytes;
    sinceCheckpoint += c.bytes;
    if (c.earlyWarning && objects < totalObjects) {
      // Past early warning a physical drive has only room for its buffer: stop here, before VOLUME OVERFLOW.
      throw new PhysicalCartridgeTooSmallError({ objects, bytes }, totalObjects);
    }
    hooks.progress('copy', { objects, bytes });
  });
  // A checkpoint holds once the drive flushed; saving it (a file write and fsync, which took up to hundreds of ms on
  // the loaded test machine) runs while the copy writes on. Saves go one at a time in order; the copy waits for the
  // last one before it ends, pauses or fails, and a failed save ends the copy at the next object.
  let saving: Promise<void> = Promise.resolve();
  let saveFailed: { readonly err: unknown } | undefined;
  const saved = async (): Promise<void> => {
    await saving;
    if (saveFailed) throw saveFailed.err;
  };
  const checkpoint = async (): Promise<void> => {
    await window.drain();
    // WRITE FILEMARKS 0 (IMMED=0): the drive writes its buffer to the medium before it answers.
    await target.writeFilemarks(0);
    const at = { objects, bytes };
    saving = saving.then(() => hooks.checkpoint(at)).catch((err: unknown) => void (saveFailed ??= { err }));
    sinceCheckpoint = 0;
  };
  const ahead = new ReadAhead(source).startAt(start.objects);
  await ahead.around(async () => {
    try {
      for (;;) {
        if (saveFailed) throw saveFailed.err;
        if (hooks.cancelled()) throw new CopyCancelledError();
        if (hooks.paused?.()) {
          await checkpoint();
          await saved();
          throw new CopyPausedError({ objects, bytes });
        }
        const r = await ahead.next();
        if (r.kind === 'end-of-data') break;
        if (r.kind === 'filemark') await window.writeFilemark();
        else await window.write(r.data, r.release);
        if (sinceCheckpoint >= every) await checkpoint();
      }
      await checkpoint();
      await saved();
    } catch (err) {
      await window.abandon();
      await saving;
      throw err;
    }
  });
  return { objects, bytes };
}

/**
 * Reads both tapes from `from` (BOP, or where a paused verify stopped) and compares every object, then end of data
 * on the physical tape.
 */
export async function verifyCopy(source: CopySource, target: CopyTarget, hooks: Pick<CopyHooks, 'progress' | 'cancelled' | 'paused'>, from: CopyCheckpoint = { objects: 0, bytes: 0 }): Promise<CopyCheckpoint> {
  await positionAt(source, target, from.objects);
  let objects = from.objects;
  let bytes = from.bytes;
  const ahead = new ReadAhead(source).startAt(from.objects);
  return ahead.around(async () => {
    for (;;) {
      if (hooks.cancelled()) throw new CopyCancelledError();
      if (hooks.paused?.()) throw new CopyPausedError({ objects, bytes });
      const want = await ahead.next();
      if (want.kind === 'end-of-data') {
        const got = await target.read(1);
        if (got.kind !== 'end-of-data') throw new VerifyMismatchError(objects, `the physical tape has a ${got.kind} where end of data should be`);
        return { objects, bytes };
      }
      try {
        const got = await target.read(want.kind === 'block' ? Math.max(1, want.data.length) : 1);
        if (want.kind === 'filemark') {
          if (got.kind !== 'filemark') throw new VerifyMismatchError(objects, `expected a filemark, found ${got.kind === 'block' ? `a record of ${got.data.length} bytes` : got.kind}`);
        } else if (got.kind !== 'block') {
          throw new VerifyMismatchError(objects, `expected a record of ${want.data.length} bytes, found ${got.kind}`);
        } else if (!got.data.equals(want.data)) {
          throw new VerifyMismatchError(objects, got.data.length === want.data.length ? 'the record differs' : `a record of ${got.data.length} bytes instead of ${want.data.length}`);
        } else {
          bytes += want.data.length;
        }
      } finally {
        if (want.kind === 'block') want.release?.();
      }
      objects++;
      hooks.progress('verify', { objects, bytes });
    }
  });
}
