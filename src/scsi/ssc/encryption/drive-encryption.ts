// SSC-4 4.2.27 tape data encryption, the drive's side: the data encryption parameters each I_T nexus uses (SCOPE
// PUBLIC / LOCAL / ALL I_T NEXUS, LOCK), the key held in memory only, and when it is dropped (CKOD on unload, CKORP
// and CKORL with the reservation, nexus loss for LOCAL ones, resets). docs/SECURITY.md "Drive encryption".
import type { Logger } from '../../../log.js';
import { uncompressSync } from 'lz4-napi';
import { openBlock, type OpenBlockProblem } from '../../../media/crypto/open-block.js';
import type { EnvelopeKey, HostOpening } from '../../../media/crypto/record-opener.js';
import { decodeEnvelope, KeyDeriver, keyMatches, type BlockKey } from '../../../media/crypto/record-envelope.js';
import type { ReadOutcome } from '../../../media/tape-medium.js';
import { Sense } from '../../sense.js';
import {
  DecryptionMode, EncryptionMode, EncryptionScope, RawDecryptionModeControl, type SetDataEncryption,
} from './set-data-encryption-page.js';

/** A read's outcome as the host sees it: encrypted blocks are opened (or refused) by then. */
export type HostReadOutcome = Exclude<ReadOutcome, { readonly kind: 'encrypted-block' }>;

/** What the key rules need of the logical unit: its reservations, and its unit attentions. */
export interface ReservationView {
  /** The nexus holds a reservation (SPC-2, or a persistent one as holder). */
  holds(nexusId: string): boolean;
  /** Another nexus holds one. */
  anotherHolds(nexusId: string): boolean;
  /** The shared parameters changed: the other nexuses get a unit attention (2A/12). */
  sharedChangedBy(nexusId: string): void;
}

export interface DataEncryptionParameters extends SetDataEncryption {
  /** The I_T nexus that sent them. */
  readonly setBy: string;
  /** It held a reservation then: CKORP / CKORL apply only to such parameters. */
  readonly reservationHeld: boolean;
}

/** Which parameters a nexus uses, and in which scope (Data Encryption Status I_T NEXUS SCOPE / KEY SCOPE). */
export interface ParametersInUse {
  readonly parameters: DataEncryptionParameters;
  readonly nexusScope: EncryptionScope;
}

/** A block the medium opened, decompressed (its stored form was compressed under the envelope), or why not. */
function openedBlock(opening: HostOpening, logicalLength: number): Buffer | OpenBlockProblem {
  if ('refused' in opening) return opening.refused;
  try {
    const block = uncompressSync(opening.data);
    return block.length === logicalLength ? block : 'decompress';
  } catch {
    return 'decompress';
  }
}

export class DriveEncryption {
  /** Set with SCOPE ALL I_T NEXUS: what every nexus without LOCAL parameters uses (its PUBLIC ones). */
  private shared: DataEncryptionParameters | undefined;
  private readonly local = new Map<string, DataEncryptionParameters>();
  private lockedBy: string | undefined;
  private keyInstances = 0;
  /** Caches the last derived key (and a copy of its host key): replaced whenever a key is dropped. */
  private deriver = new KeyDeriver();
  /** The key of each parameters as lent to the medium for reading (derivations only), one per parameters. */
  private readonly readKeys = new WeakMap<DataEncryptionParameters, EnvelopeKey>();

  constructor(
    private readonly reservations: ReservationView,
    private readonly log: Logger,
  ) {}

  /** KEY INSTANCE COUNTER: bumped by every key set. */
  get keyInstanceCounter(): number {
    return this.keyInstances;
  }

  /** SET DATA ENCRYPTION from `nexusId` (decoded and checked). The key is never logged. */
  set(nexusId: string, request: SetDataEncryption): void {
    if (request.scope === EncryptionScope.ALL_I_T_NEXUS && this.lockedBy !== undefined && this.lockedBy !== nexusId) {
      throw Sense.of('DATA_ENCRYPTION_CONFIGURATION_PREVENTED');
    }
    const parameters: DataEncryptionParameters = { ...request, setBy: nexusId, reservationHeld: this.reservations.holds(nexusId) };
    switch (request.scope) {
      case EncryptionScope.PUBLIC:
        // The nexus goes back to the parameters all I_T nexuses share; the page's other fields do not apply.
        this.forgetLocal(nexusId);
        request.key?.fill(0);
        break;
      case EncryptionScope.LOCAL:
        this.forgetLocal(nexusId);
        this.local.set(nexusId, parameters);
        break;
      case EncryptionScope.ALL_I_T_NEXUS:
        this.forgetLocal(nexusId);
        this.shared?.key?.fill(0);
        this.shared = parameters;
        this.reservations.sharedChangedBy(nexusId);
        break;
    }
    if (request.lock) this.lockedBy = nexusId;
    else if (this.lockedBy === nexusId) this.lockedBy = undefined;
    if (request.scope !== EncryptionScope.PUBLIC && request.key !== undefined) this.keyInstances = (this.keyInstances + 1) >>> 0;
    this.log.info({
      nexus: nexusId, scope: request.scope, lock: request.lock, encryptionMode: request.encryptionMode, decryptionMode: request.decryptionMode,
      ckod: request.ckod, ckorp: request.ckorp, ckorl: request.ckorl, keySet: request.key !== undefined, ukadBytes: request.ukad.length,
    }, 'data encryption parameters set');
  }

  /** The parameters `nexusId` uses now (a key whose reservation was lost or preempted is dropped first). */
  inUse(nexusId: string): ParametersInUse | undefined {
    const local = this.local.get(nexusId);
    if (local !== undefined) {
      if (!this.reservationLost(local)) return { parameters: local, nexusScope: EncryptionScope.LOCAL };
      this.forgetLocal(nexusId);
    }
    const shared = this.shared;
    if (shared === undefined) return undefined;
    if (this.reservationLost(shared)) {
      shared.key?.fill(0);
      this.shared = undefined;
      return undefined;
    }
    return { parameters: shared, nexusScope: shared.setBy === nexusId ? EncryptionScope.ALL_I_T_NEXUS : EncryptionScope.PUBLIC };
  }

  /**
   * The key a WRITE from `nexusId` encrypts with: only in encryption mode ENCRYPT. A copy, since the blocks it
   * acknowledges are sealed later (the write pipeline) and a dropped key is wiped at once.
   */
  writeKey(nexusId: string): BlockKey | undefined {
    const p = this.inUse(nexusId)?.parameters;
    if (p?.encryptionMode !== EncryptionMode.ENCRYPT || p.key === undefined) return undefined;
    return { key: Buffer.from(p.key), ukad: p.ukad, akad: p.akad, kadFormat: p.kadFormat, rawReadDisabled: p.rdmc === RawDecryptionModeControl.DISABLED };
  }

  /**
   * The key a READ from `nexusId` opens encrypted blocks with (decryption mode DECRYPT or MIXED), as lent to the
   * medium so that it opens them as it reads them, ahead of the host (media/crypto/record-opener.ts). The same object
   * for as long as the parameters stand: the medium opens its read-ahead with it and compares it with the next one.
   */
  readKey(nexusId: string): EnvelopeKey | undefined {
    const p = this.inUse(nexusId)?.parameters;
    const key = p?.key;
    if (p === undefined || key === undefined || (p.decryptionMode !== DecryptionMode.DECRYPT && p.decryptionMode !== DecryptionMode.MIXED)) return undefined;
    let lent = this.readKeys.get(p);
    if (lent === undefined) {
      lent = { derive: (salt, generation) => this.deriver.derive(key, salt, generation) };
      this.readKeys.set(p, lent);
    }
    return lent;
  }

  /** Whether the key `nexusId` holds opens `envelope` (next block encryption status 5h or 6h). */
  canOpen(nexusId: string, envelope: Buffer): boolean {
    const p = this.inUse(nexusId)?.parameters;
    if (p?.key === undefined || p.decryptionMode === DecryptionMode.DISABLE || p.decryptionMode === DecryptionMode.RAW) return false;
    return keyMatches(p.key, envelope, this.deriver);
  }

  /**
   * What a READ from `nexusId` returns for the object the medium gave: a block in clear, the raw envelope (decryption
   * mode RAW), or DATA PROTECT with the 74h reason (`information` is the command's residue). The medium's buffer is
   * released when the answer is not it.
   */
  forHost(outcome: ReadOutcome, nexusId: string, information: number): HostReadOutcome {
    if (outcome.kind !== 'block' && outcome.kind !== 'encrypted-block') return outcome;
    const p = this.inUse(nexusId)?.parameters;
    const mode = p?.decryptionMode ?? DecryptionMode.DISABLE;
    if (outcome.kind === 'block') {
      if (mode !== DecryptionMode.DECRYPT) return outcome;
      outcome.release?.();
      throw Sense.of('UNENCRYPTED_DATA_ENCOUNTERED_WHILE_DECRYPTING', { information });
    }
    const { envelope, place, release } = outcome;
    if (mode === DecryptionMode.RAW) {
      if (decodeEnvelope(envelope)?.rawReadDisabled !== false) {
        release?.();
        throw Sense.of('ENCRYPTED_BLOCK_NOT_RAW_READ_ENABLED', { information });
      }
      return release ? { kind: 'block', data: envelope, release } : { kind: 'block', data: envelope };
    }
    const key = p?.key;
    if (mode === DecryptionMode.DISABLE || key === undefined) {
      release?.();
      throw Sense.of('UNABLE_TO_DECRYPT_DATA', { information });
    }
    // Opened by the medium with the key this nexus uses (readKey), or here.
    const early = p !== undefined && outcome.opened !== undefined && outcome.opened.by === this.readKeys.get(p) ? outcome.opened : undefined;
    if (early !== undefined && 'data' in early && !place.compressed) return release ? { kind: 'block', data: early.data, release } : { kind: 'block', data: early.data };
    const opened = early === undefined ? openBlock(key, envelope, place, this.deriver) : openedBlock(early, place.logicalLength);
    release?.();
    if (typeof opened !== 'string') return { kind: 'block', data: opened };
    this.log.warn({ nexus: nexusId, objectNumber: place.objectNumber, problem: opened }, 'cannot decrypt a block');
    if (opened === 'incorrect-key') throw Sense.of('INCORRECT_DATA_ENCRYPTION_KEY', { information });
    if (opened === 'integrity') throw Sense.of('CRYPTOGRAPHIC_INTEGRITY_VALIDATION_FAILED', { information });
    throw Sense.of('UNABLE_TO_DECRYPT_DATA', { information });
  }

  /** The cartridge was unloaded: parameters set with CKOD are dropped, key and all. */
  unloaded(): void {
    this.dropWhere((p) => p.ckod, 'the cartridge was unloaded (CKOD)');
  }

  /** LOCAL parameters live as long as their I_T nexus. */
  nexusLost(nexusId: string): void {
    if (this.forgetLocal(nexusId)) this.log.info({ nexus: nexusId }, 'data encryption key cleared: I_T nexus loss');
    if (this.lockedBy === nexusId) this.lockedBy = undefined;
  }

  /** A logical unit reset or a hard reset: every key is dropped (they live in volatile memory only). */
  reset(): void {
    this.dropWhere(() => true, 'reset');
    this.lockedBy = undefined;
  }

  private reservationLost(p: DataEncryptionParameters): boolean {
    if (!p.reservationHeld || (!p.ckorl && !p.ckorp) || this.reservations.holds(p.setBy)) return false;
    // CKORL: any loss of the reservation; CKORP: only a preemption, i.e. another nexus holds it now.
    const lost = p.ckorl || this.reservations.anotherHolds(p.setBy);
    if (lost) this.log.info({ nexus: p.setBy }, `data encryption key cleared: reservation ${p.ckorl ? 'lost (CKORL)' : 'preempted (CKORP)'}`);
    return lost;
  }

  private dropWhere(predicate: (p: DataEncryptionParameters) => boolean, reason: string): void {
    if (this.shared !== undefined && predicate(this.shared)) {
      this.log.info({ nexus: this.shared.setBy }, `data encryption key cleared: ${reason}`);
      this.shared.key?.fill(0);
      this.shared = undefined;
      this.deriver = new KeyDeriver();
    }
    for (const [nexusId, p] of this.local) {
      if (!predicate(p)) continue;
      this.forgetLocal(nexusId);
      this.log.info({ nexus: nexusId }, `data encryption key cleared: ${reason}`);
    }
  }

  /** Drop a nexus's LOCAL parameters, wiping the key (no copy of it stays in this object). */
  private forgetLocal(nexusId: string): boolean {
    const p = this.local.get(nexusId);
    if (p === undefined) return false;
    p.key?.fill(0);
    this.deriver = new KeyDeriver();
    return this.local.delete(nexusId);
  }
}
