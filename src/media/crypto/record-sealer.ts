// FORMAT.md "Encrypted records": sealing a record's payload, both envelopes at once, into memory kept from one record
// to the next (a fresh envelope per record cost page faults and the main heap's collector a third of an encrypted
// stream's CPU). Where it runs follows the cipher (aes-gcm-choice.ts). The system's libcrypto allocates nothing, so
// every record is sealed right here: measured on the benchmark's 256 KiB streams, a payload in shared memory (the write
// pipeline's slot, whose WRITE was acknowledged already) cost 0.5-1.1 s more CPU per GB written when it went to a
// payload worker and back (docs/BENCHMARKS.md, "Issue 16: session 9"). With node:crypto, the fallback, which hands
// back each piece of ciphertext in a fresh buffer, such a payload is sealed on a worker, whose small heap collects
// them, into shared memory the writer copies from; the host's own block (the direct path, whose WRITE waits for the
// record) is sealed here either way (copying it into shared memory and the hop cost more than the sealing they moved).
// The key is derived here once per generation; only the derived key crosses to a worker, in memory. A worker that has
// stopped leaves the sealing to this thread.
import { PayloadWorkers } from '../payload-workers.js';
import { crc32c } from '../../crc32c.js';
import { aesGcm } from './aes-gcm-choice.js';
import { KeyDeriver, type BlockKey, type DerivedKey, type RecordPlace, type SealingIdentity } from './record-envelope.js';
import { sealedLength, sealLayers, type SealLayer, type SealSpec } from './seal-layers.js';

/** Shared memory kept between records; a longer record gets memory of its own for its one seal. */
const KEPT_SCRATCH_BYTES = 2 * 1024 * 1024;
const MIN_SCRATCH_BYTES = 1024 * 1024 + 4096;

/** A copy with its own memory: posting a view of node's shared Buffer pool would copy the whole pool. */
function own(bytes: Buffer): Buffer {
  const copy = Buffer.alloc(bytes.length);
  bytes.copy(copy);
  return copy;
}

class LayerCache {
  private readonly deriver = new KeyDeriver();
  private last: { key: BlockKey; derived: DerivedKey; layer: SealLayer } | undefined;

  layer(key: BlockKey, identity: SealingIdentity): SealLayer {
    const derived = this.deriver.derive(key.key, identity.salt, identity.generation);
    if (this.last?.key === key && this.last.derived === derived) return this.last.layer;
    const layer: SealLayer = {
      derived: { aesKey: own(derived.aesKey), check: own(derived.check) },
      fields: { ukad: own(key.ukad), akad: own(key.akad), kadFormat: key.kadFormat, rawReadDisabled: key.rawReadDisabled },
    };
    this.last = { key, derived, layer };
    return layer;
  }
}

export interface SealedPayload {
  /** The bytes to store: valid until the next seal(). */
  readonly stored: Buffer;
  /** CRC32C of `stored`. */
  readonly crc: number;
}

/** Where records are sealed: on the calling thread, or (a payload in shared memory) on a payload worker. */
export type SealingPlace = 'here' | 'worker';

/** Seals the records of one cartridge, one at a time (the record log appends one record at a time). */
export class RecordSealer {
  private readonly hostLayers = new LayerCache();
  private readonly dataKeyLayers = new LayerCache();
  private readonly dataKey: BlockKey | undefined;
  /** The envelopes of the last record, kept for the next one (a payload in shared memory, and one not). */
  private shared: SharedArrayBuffer | undefined;
  private local: Buffer | undefined;
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

  /** Seal `payload` with the host's key (if given), then the data key (if any). */
  async seal(payload: Buffer, place: RecordPlace, identity: SealingIdentity, hostKey?: BlockKey): Promise<SealedPayload> {
    if (this.busy) throw new Error('RecordSealer.seal() was called while a record was being sealed');
    this.busy = true;
    try {
      const spec: SealSpec = {
        place, identity,
        ...(hostKey === undefined ? {} : { host: this.hostLayers.layer(hostKey, identity) }),
        ...(this.dataKey === undefined ? {} : { atRest: this.dataKeyLayers.layer(this.dataKey, identity) }),
      };
      const length = sealedLength(spec, payload.length);
      if (this.where === 'here' || !(payload.buffer instanceof SharedArrayBuffer)) {
        // Into memory kept for the next record.
        const stored = this.localScratch(length);
        sealLayers(spec, payload, stored);
        return { stored, crc: crc32c(stored) };
      }
      const output = this.sharedScratch(length);
      const job = { input: payload.buffer, inputOffset: payload.byteOffset, length: payload.length, output, outputOffset: 0, outputCapacity: length };
      const result = await this.workers.seal(job, spec);
      const stored = Buffer.from(output, 0, length);
      if ('length' in result && result.length === length) return { stored, crc: result.crc };
      // The worker stopped (or failed): seal here; a bad key or KAD throws here as it did there.
      sealLayers(spec, payload, stored);
      return { stored, crc: crc32c(stored) };
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

  private localScratch(bytes: number): Buffer {
    if (this.local !== undefined && this.local.length >= bytes) return this.local.subarray(0, bytes);
    const memory = Buffer.allocUnsafeSlow(Math.max(bytes, MIN_SCRATCH_BYTES));
    if (memory.length <= KEPT_SCRATCH_BYTES) this.local = memory;
    return memory.subarray(0, bytes);
  }
}
