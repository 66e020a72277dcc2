// FORMAT.md "Encrypted records", reading: a sealed record's envelopes opened as the record is read, ahead of the host,
// into shared memory the reader lends. Where follows the cipher (aes-gcm-choice.ts). ipsec-mb and the system's
// libcrypto write into that memory and allocate nothing, so the record is opened right here, on the event loop: a hop
// to a payload worker and back cost more CPU than the opening it moved (docs/BENCHMARKS.md, "Issue 16: session 9"), and
// so did libuv's thread pool ("session 10, reads"). The reader reads sealed records two ahead, so that the opening of
// one falls in the event loop's idle time while the host takes the other.
// node:crypto, the fallback, returns every piece of plaintext in a fresh buffer, which on the event loop drove the main
// heap's collector (a mark-compact every few tens of MiB read), so with it records are opened on a payload worker,
// whose small heap collects them. Opening is out of place, so whatever is not opened here (a worker that stopped, a key
// the drive did not lend) is still there for the event loop's path (at-rest-seal.ts, open-block.ts) to open, and a
// host envelope stays readable raw.
// The payload CRC and the GCM tag check the same stored bytes, so on the event loop the CRC is computed only when the
// tag does not vouch for them (FORMAT.md "Reading"): a tag that authenticates under the right key (its key check
// matched) covers every byte of an envelope without a U-KAD, the one field outside the authenticated data. Every other
// outcome (another key, a malformed envelope, a failing tag, a U-KAD) still checks the CRC first, so a damaged record
// is told from an integrity failure exactly as before.
import { crc32c } from '../../crc32c.js';
import type { PayloadWorkers } from '../payload-workers.js';
import { isAtRestRecord, isEncryptedRecord, RecordFlag, type DecodedHeader } from '../record-header.js';
import { aesGcm } from './aes-gcm-choice.js';
import { EnvelopeOffset, openInto, sealedWith, type DerivedKey, type OpenProblem, type RecordPlace } from './record-envelope.js';

/** A key an envelope can be opened with, as derivations only: the medium never holds the host's key itself. */
export interface EnvelopeKey {
  /** The key derived for an envelope sealed with `salt` in write generation `generation` (deriveRecordKey). */
  derive(salt: Buffer, generation: number): DerivedKey;
}

/** The host envelope opened with the key the drive lent (`by`): the stored form under it, or why it did not open. */
export type HostOpening = { readonly by: EnvelopeKey } & ({ readonly data: Buffer } | { readonly refused: OpenProblem });

/** Shared memory for the opened forms, lent by the reader and given back with the record. */
export interface SharedSlabs {
  lendShared(length: number): Buffer;
  recycle(slab: ArrayBufferLike): void;
}

export interface OpenedRecord {
  /** What is left to hand on: the host envelope (ENCRYPTED), or the stored form of the block (compressed or not). */
  readonly data: Buffer;
  /** The data key's envelope did not open: the record is damaged (or under another data key). */
  readonly atRestRefused?: OpenProblem;
  /** Set when the record is ENCRYPTED and the drive lent a key for it. */
  readonly host?: HostOpening;
  /** The slabs holding `data` and `host.data`, besides the one the record was read into. */
  readonly slabs: readonly ArrayBufferLike[];
}

/** The CRC of the stored payload does not match its header. */
export const CRC_MISMATCH = 'crc';

/** In place of a layer's CRC: its tag authenticated every stored byte, so the CRC was not computed. */
const AUTHENTIC = 'authentic';

/**
 * Whether an envelope that opened was authenticated whole: its tag covers the body, itself, and through the
 * additional data every header byte and the A-KAD, but not the U-KAD (SSC-4 leaves it unauthenticated).
 */
function wholeAuthenticated(envelope: Buffer): boolean {
  return envelope[EnvelopeOffset.UKAD_LENGTH] === 0;
}

/** Where a record sits, for its envelopes' nonce and authenticated data. */
export function placeOf(header: DecodedHeader): RecordPlace {
  return { objectNumber: header.objectNumber, pass: header.pass, logicalLength: header.logicalLength, compressed: (header.flags & RecordFlag.COMPRESSED) !== 0 };
}

/** Where envelopes are opened: on the calling thread, or on a payload worker. */
export type OpeningPlace = 'here' | 'worker';

export class RecordOpener {
  constructor(
    /** The cartridge's data key (encryption at rest), if it has one. */
    private readonly dataKey: EnvelopeKey | undefined,
    private readonly workers: PayloadWorkers,
    private readonly where: OpeningPlace = aesGcm().allocates ? 'worker' : 'here',
  ) {}

  /** Every record of the cartridge is sealed with the data key. */
  get atRest(): boolean {
    return this.dataKey !== undefined;
  }

  /**
   * Check and open the sealed record `stored` (in shared memory) as far as the keys at hand allow: the opened forms,
   * CRC_MISMATCH, or undefined when nothing was opened here (not sealed under a key at hand, or the worker stopped):
   * the caller then checks the CRC itself and the record is opened on the event loop as before.
   */
  async open(header: DecodedHeader, stored: Buffer, slabs: SharedSlabs, hostKey?: EnvelopeKey): Promise<OpenedRecord | typeof CRC_MISMATCH | undefined> {
    // Without the data key an at-rest record opens nowhere: the record log says so.
    const atRest = isAtRestRecord(header);
    if (atRest && this.dataKey === undefined) return undefined;
    const host = isEncryptedRecord(header) ? hostKey : undefined;
    if (!atRest && host === undefined) return undefined;
    const place = placeOf(header);
    const held: ArrayBufferLike[] = [];
    let data = stored;
    // The first job checks the stored payload's CRC (the worker computes it before opening).
    let crcChecked = false;
    if (atRest && this.dataKey !== undefined) {
      const layer = await this.openLayer(this.dataKey, data, place, slabs);
      if (layer === undefined) return undefined;
      if (layer.crc !== AUTHENTIC && layer.crc !== header.payloadCrc) {
        slabs.recycle(layer.output.buffer);
        return CRC_MISMATCH;
      }
      crcChecked = true;
      if ('refused' in layer) {
        slabs.recycle(layer.output.buffer);
        return { data, atRestRefused: layer.refused, slabs: held };
      }
      held.push(layer.output.buffer);
      data = layer.output.subarray(0, layer.length);
      if (!isEncryptedRecord(header)) return { data, slabs: held };
    }
    if (host === undefined) return { data, slabs: held };
    const layer = await this.openLayer(host, data, place, slabs);
    if (layer === undefined) {
      if (crcChecked) return { data, slabs: held };
      return undefined;
    }
    if (!crcChecked && layer.crc !== AUTHENTIC && layer.crc !== header.payloadCrc) {
      slabs.recycle(layer.output.buffer);
      return CRC_MISMATCH;
    }
    if ('refused' in layer) {
      slabs.recycle(layer.output.buffer);
      return { data, host: { by: host, refused: layer.refused }, slabs: held };
    }
    held.push(layer.output.buffer);
    return { data, host: { by: host, data: layer.output.subarray(0, layer.length) }, slabs: held };
  }

  /**
   * One envelope opened into a lent slab, here or on a worker, with the CRC32C of the envelope or AUTHENTIC when its
   * tag vouched for every byte of it; undefined when the worker could not do it.
   */
  private async openLayer(key: EnvelopeKey, envelope: Buffer, place: RecordPlace, slabs: SharedSlabs): Promise<({ output: Buffer; crc: number | typeof AUTHENTIC } & ({ length: number } | { refused: OpenProblem })) | undefined> {
    const identity = sealedWith(envelope);
    const output = slabs.lendShared(envelope.length);
    // A malformed envelope: its CRC is still checked and it is refused ('malformed'), with a key that opens nothing.
    const derived = identity === undefined ? { aesKey: Buffer.alloc(32), check: Buffer.alloc(4) } : key.derive(identity.salt, identity.generation);
    if (this.where === 'here') {
      const opened = openInto(derived, envelope, place, output);
      if (typeof opened === 'string') return { output, crc: crc32c(envelope), refused: opened };
      return { output, crc: wholeAuthenticated(envelope) ? AUTHENTIC : crc32c(envelope), length: opened };
    }
    const result = await this.workers.open(
      { input: envelope.buffer as SharedArrayBuffer, inputOffset: envelope.byteOffset, length: envelope.length, output: output.buffer as SharedArrayBuffer, outputOffset: output.byteOffset, outputCapacity: output.length },
      { derived, place },
    );
    if ('problem' in result) {
      slabs.recycle(output.buffer);
      return undefined;
    }
    return { output, ...result };
  }
}
