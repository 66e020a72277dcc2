// FORMAT.md "Encrypted records": sealing a record's payload on a payload worker (payload-workers.ts), both envelopes
// in one hop. On the event loop AES-GCM itself is cheap next to what node:crypto allocates around it: every
// update() returns a fresh zeroed buffer, and a 256 KiB record sealed there left two such buffers per record to the
// main heap's collector (measured: a third of the CPU of an encrypted stream was garbage collection). On a worker
// they are its own heap's, and the envelope lands in shared memory the writer copies from. The key is derived here
// (once per generation) and only the derived key crosses to the worker, in memory. A worker that has stopped fails
// its job: the record is then sealed here, the same way.
import { PayloadWorkers } from '../payload-workers.js';
import { copyBytes } from '../copy-bytes.js';
import { crc32c } from '../../crc32c.js';
import { KeyDeriver, type BlockKey, type DerivedKey, type RecordPlace, type SealingIdentity } from './record-envelope.js';
import { sealedLength, sealLayers, type SealLayer, type SealSpec } from './seal-layers.js';

/** Shared memory kept between records; a longer record gets memory of its own for its one seal. */
const KEPT_SCRATCH_BYTES = 2 * 1024 * 1024;

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

/** Seals the records of one cartridge, one at a time (the record log appends one record at a time). */
export class RecordSealer {
  private readonly hostLayers = new LayerCache();
  private readonly dataKeyLayers = new LayerCache();
  private readonly dataKey: BlockKey | undefined;
  private input: SharedArrayBuffer | undefined;
  private output: SharedArrayBuffer | undefined;
  private busy = false;

  constructor(
    dataKey: Buffer | undefined,
    private readonly workers: PayloadWorkers = PayloadWorkers.shared(),
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
      const output = this.scratch('output', length);
      const shared = payload.buffer instanceof SharedArrayBuffer;
      const input = shared ? payload.buffer : this.scratch('input', payload.length);
      const inputOffset = shared ? payload.byteOffset : 0;
      if (!shared) copyBytes(payload, Buffer.from(input, 0, payload.length));
      const result = await this.workers.seal({ input, inputOffset, length: payload.length, output, outputOffset: 0, outputCapacity: length }, spec);
      const stored = Buffer.from(output, 0, length);
      if ('length' in result && result.length === length) return { stored, crc: result.crc };
      // The worker stopped (or failed): seal here; a bad key or KAD throws here as it did there.
      sealLayers(spec, Buffer.from(input, inputOffset, payload.length), stored);
      return { stored, crc: crc32c(stored) };
    } finally {
      this.busy = false;
    }
  }

  private scratch(which: 'input' | 'output', bytes: number): SharedArrayBuffer {
    const kept = this[which];
    if (kept !== undefined && kept.byteLength >= bytes) return kept;
    const memory = new SharedArrayBuffer(Math.max(bytes, 1024 * 1024 + 4096));
    if (memory.byteLength <= KEPT_SCRATCH_BYTES) this[which] = memory;
    return memory;
  }
}
