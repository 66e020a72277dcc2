// FORMAT.md "Encrypted records": sealing a record's payload, both envelopes at once. Where it runs follows the cipher
// (aes-gcm-choice.ts). ipsec-mb and the system's libcrypto allocate nothing, so every record is sealed right here,
// straight into the writer's staging chunk where it is stored (record-writer.ts appendFilled): no envelope of its own,
// no copy. A payload in shared memory (the write pipeline's slot, whose WRITE was acknowledged already) cost 0.5-1.1 s
// more CPU per GB written when it went to a payload worker and back (docs/BENCHMARKS.md, "Issue 16: session 9"). With
// node:crypto, the fallback, which hands back each piece of ciphertext in a fresh buffer, such a payload is sealed on a
// worker, whose small heap collects them, into shared memory kept from one record to the next, which the writer copies
// from; the host's own block (the direct path, whose WRITE waits for the record) is sealed here either way (copying it
// into shared memory and the hop cost more than the sealing they moved). The key is derived here once per generation;
// only the derived key crosses to a worker, in memory. A worker that has stopped leaves the sealing to this thread.
import { copyBytes } from '../copy-bytes.js';
import { PayloadWorkers } from '../payload-workers.js';
import { crc32c } from '../../crc32c.js';
import { aesGcm } from './aes-gcm-choice.js';
import { checkEnvelopeFields, checkSealingIdentity, KeyDeriver, type BlockKey, type DerivedKey, type EnvelopeFields, type RecordPlace, type SealingIdentity } from './record-envelope.js';
import { sealedLength, sealLayers, type SealLayer, type SealSpec } from './seal-layers.js';

/** A worker's output kept between records; a longer record gets memory of its own for its one seal. */
const KEPT_SCRATCH_BYTES = 2 * 1024 * 1024;
const MIN_SCRATCH_BYTES = 1024 * 1024 + 4096;

/** A copy with its own memory: posting a view of node's shared Buffer pool would copy the whole pool. */
function own(bytes: Buffer): Buffer {
  const copy = Buffer.alloc(bytes.length);
  bytes.copy(copy);
  return copy;
}

function sameFields(a: EnvelopeFields, b: EnvelopeFields): boolean {
  return a.kadFormat === b.kadFormat && a.rawReadDisabled === b.rawReadDisabled && a.ukad.equals(b.ukad) && a.akad.equals(b.akad);
}

class LayerCache {
  private readonly deriver = new KeyDeriver();
  private last: { derived: DerivedKey; layer: SealLayer } | undefined;

  layer(key: BlockKey, identity: SealingIdentity): SealLayer {
    const derived = this.deriver.derive(key.key, identity.salt, identity.generation);
    // The drive hands each WRITE a fresh copy of its key (drive-encryption.ts writeKey): compared by value with the
    // layer's own copies, so one layer serves a whole stream (the deriver gives the same object for the same key
    // bytes, salt and generation).
    const last = this.last;
    if (last !== undefined && last.derived === derived && sameFields(last.layer.fields, key)) return last.layer;
    const layer: SealLayer = {
      derived: { aesKey: own(derived.aesKey), check: own(derived.check) },
      fields: { ukad: own(key.ukad), akad: own(key.akad), kadFormat: key.kadFormat, rawReadDisabled: key.rawReadDisabled },
    };
    this.last = { derived, layer };
    return layer;
  }
}

/** A record's sealed payload, to be put where it is stored (the writer's staging chunk). */
export interface SealedPayload {
  /** Bytes the sealed payload takes. */
  readonly length: number;
  /**
   * Put the sealed payload in `output` (`length` bytes): sealed right there, or copied from the worker's output.
   * Returns its CRC32C. Call once, before the next seal(), while the payload sealed is still there.
   */
  into(this: void, output: Buffer): number;
}

/** Where records are sealed: on the calling thread, or (a payload in shared memory) on a payload worker. */
export type SealingPlace = 'here' | 'worker';

/** Seals the records of one cartridge, one at a time (the record log appends one record at a time). */
export class RecordSealer {
  private readonly hostLayers = new LayerCache();
  private readonly dataKeyLayers = new LayerCache();
  private readonly dataKey: BlockKey | undefined;
  /** A worker's output, kept for the next record. */
  private shared: SharedArrayBuffer | undefined;
  private busy = false;

  constructor(
    dataKey: Buffer | undefined,
    private readonly workers: PayloadWorkers = PayloadWorkers.shared(),
    private readonly where: SealingPlace = aesGcm().allocates ? 'worker' : 'here',
  ) {
    this.dataKey = dataKey === undefined ? undefined : { key: dataKey, ukad: Buffer.alloc(0), akad: Buffer.alloc(0), kadFormat: 0, rawReadDisabled: false };
  }

  /** Whether records are sealed with the data key (encryption at rest). */
  get atRest(): boolean {
    return this.dataKey !== undefined;
  }

  /**
   * Seal `payload` with the host's key (if given), then the data key (if any). Sealed here, the payload is sealed by
   * into(), straight into where it is stored (no memory in between); on a worker, before this resolves. A bad key or
   * KAD is refused here either way, so into() does not throw for it.
   */
  async seal(payload: Buffer, place: RecordPlace, identity: SealingIdentity, hostKey?: BlockKey): Promise<SealedPayload> {
    if (this.busy) throw new Error('RecordSealer.seal() was called while a record was being sealed');
    if (hostKey !== undefined) checkEnvelopeFields(hostKey);
    checkSealingIdentity(identity);
    const spec: SealSpec = {
      place, identity,
      ...(hostKey === undefined ? {} : { host: this.hostLayers.layer(hostKey, identity) }),
      ...(this.dataKey === undefined ? {} : { atRest: this.dataKeyLayers.layer(this.dataKey, identity) }),
    };
    const length = sealedLength(spec, payload.length);
    if (this.where === 'here' || !(payload.buffer instanceof SharedArrayBuffer)) {
      return { length, into: (output) => crc32c(output.subarray(0, sealLayers(spec, payload, output))) };
    }
    this.busy = true;
    try {
      const output = this.sharedScratch(length);
      const job = { input: payload.buffer, inputOffset: payload.byteOffset, length: payload.length, output, outputOffset: 0, outputCapacity: length };
      const result = await this.workers.seal(job, spec);
      const sealed = Buffer.from(output, 0, length);
      if ('length' in result && result.length === length) {
        const { crc } = result;
        return {
          length,
          into: (target) => {
            copyBytes(sealed, target); // memcpy: Buffer#copy out of shared memory is an element-wise copy
            return crc;
          },
        };
      }
      // The worker stopped (or failed): seal here, as the calling thread would have.
      return { length, into: (target) => crc32c(target.subarray(0, sealLayers(spec, payload, target))) };
    } finally {
      this.busy = false;
    }
  }

  private sharedScratch(bytes: number): SharedArrayBuffer {
    if (this.shared !== undefined && this.shared.byteLength >= bytes) return this.shared;
    const memory = new SharedArrayBuffer(Math.max(bytes, MIN_SCRATCH_BYTES));
    if (memory.byteLength <= KEPT_SCRATCH_BYTES) this.shared = memory;
    return memory;
  }
}
