// FORMAT.md "Encryption at rest": the outer envelope every record gets under its cartridge's data key, the same
// envelope layout as a host key's (record-envelope.ts) without KADs. Sealing is record-sealer.ts's (on a payload
// worker); this opens. Opening also undoes compression when there is no host envelope inside (a host envelope is
// opened by the drive, which holds that key).
import { uncompressSync } from 'lz4-napi';
import { KeyDeriver, openRecord, type BlockKey, type RecordPlace } from './record-envelope.js';
import type { EnvelopeKey } from './record-opener.js';

export class AtRestSeal {
  private readonly key: BlockKey;
  private readonly deriver = new KeyDeriver();
  /** The data key as the record opener uses it (derivations only). */
  readonly envelopeKey: EnvelopeKey;

  constructor(dataKey: Buffer) {
    this.key = { key: dataKey, ukad: Buffer.alloc(0), akad: Buffer.alloc(0), kadFormat: 0, rawReadDisabled: false };
    this.envelopeKey = { derive: (salt, generation) => this.deriver.derive(dataKey, salt, generation) };
  }

  /**
   * What the envelope holds: the host envelope as stored, or the block itself (decompressed) when `hostSealed` is
   * false; a problem as text.
   */
  open(envelope: Buffer, place: RecordPlace, hostSealed: boolean): Buffer | string {
    const inner = openRecord(this.key.key, envelope, place, this.deriver);
    if (typeof inner === 'string') return inner;
    return this.unpack(inner, place, hostSealed);
  }

  /** What an opened envelope holds for the host: `inner` as it is, or decompressed when there is no host envelope in it. */
  unpack(inner: Buffer, place: RecordPlace, hostSealed: boolean): Buffer | string {
    if (hostSealed || !place.compressed) return inner;
    try {
      const block = uncompressSync(inner);
      return block.length === place.logicalLength ? block : `it decompresses to ${block.length} bytes, not ${place.logicalLength}`;
    } catch (error) {
      return `it does not decompress (${error instanceof Error ? error.message : String(error)})`;
    }
  }
}
