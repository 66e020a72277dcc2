// What the data file's records are sealed with, and the format version that announces them (FORMAT.md "File
// header", "Encrypted records", "Encryption at rest", "Filemark runs"). The invariant it owns: a record is written
// only into a file whose header announces its kind. Before the first filemark run in a version 1 file, or the first
// encrypted record in a version 1 or 2 file, the header is rewritten and synced (an older build would take the record
// for damage and cut the stream there).
import type { Logger } from '../log.js';
import type { RandomAccessFile } from '../storage/storage.js';
import { AtRestSeal } from './crypto/at-rest-seal.js';
import type { BlockKey, RecordPlace } from './crypto/record-envelope.js';
import { RecordSealer, type SealedPayload } from './crypto/record-sealer.js';
import type { SealingGenerations } from './crypto/sealing-generations.js';
import { encodeFileHeader, ENCRYPTED_FORMAT_VERSION, FORMAT_VERSION } from './file-header.js';
import { RecordFlag } from './record-header.js';

export interface RecordSealingParts {
  readonly file: RandomAccessFile;
  /** The data file's format version when it was opened. */
  readonly version: number;
  /** The write generations of encrypted records. */
  readonly sealing: SealingGenerations;
  /** The cartridge's data key when the library encrypts at rest. */
  readonly dataKey?: Buffer;
  /** Hand every staged record to the file (the header is rewritten behind them). */
  readonly drain: () => Promise<void>;
  readonly log: Logger;
}

export class RecordSealing {
  private readonly sealer: RecordSealer;
  /** The at-rest envelope of this cartridge's records, for reading them back; undefined without a data key. */
  readonly atRest: AtRestSeal | undefined;
  private currentVersion: number;

  constructor(private readonly parts: RecordSealingParts) {
    this.currentVersion = parts.version;
    this.atRest = parts.dataKey === undefined ? undefined : new AtRestSeal(parts.dataKey);
    this.sealer = new RecordSealer(parts.dataKey);
  }

  /** The format version the file's header announces now. */
  get version(): number {
    return this.currentVersion;
  }

  /** Whether a data record with this host key is sealed before it is stored. */
  seals(hostKey: BlockKey | undefined): boolean {
    return hostKey !== undefined || this.sealer.atRest;
  }

  /**
   * Seal `payload` for the record at `place` (call only when seals(hostKey)): its length, the record flags it adds,
   * and into(), which puts it where it is stored (sealed right there, or copied from a payload worker's output) and
   * returns its CRC. Call into() before the next record is sealed, while `payload` is still there.
   */
  async seal(payload: Buffer, place: RecordPlace, hostKey: BlockKey | undefined): Promise<SealedPayload & { readonly flags: number }> {
    await this.announce(ENCRYPTED_FORMAT_VERSION, 'encrypted records');
    const identity = await this.parts.sealing.identity();
    const sealed = await this.sealer.seal(payload, place, identity, hostKey);
    const flags = (hostKey !== undefined ? RecordFlag.ENCRYPTED : 0) | (this.sealer.atRest ? RecordFlag.AT_REST : 0);
    return { length: sealed.length, into: (output) => sealed.into(output), flags };
  }

  /** Before a run of `count` filemarks is appended: a run of more than one needs a version 2 file. */
  async beforeFilemarks(count: number): Promise<void> {
    if (count > 1) await this.announce(FORMAT_VERSION, 'filemark runs');
  }

  /** Objects will be written again under the same pass (a cut, a rollback): a new generation keeps nonces fresh. */
  retire(): void {
    this.parts.sealing.retire();
  }

  private async announce(version: number, reason: string): Promise<void> {
    if (this.currentVersion >= version) return;
    await this.parts.drain();
    await this.parts.file.write([encodeFileHeader(version)], 0);
    await this.parts.file.sync();
    this.currentVersion = version;
    this.parts.log.info({ version }, `cartridge format upgraded for ${reason}`);
  }
}
