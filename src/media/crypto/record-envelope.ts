// FORMAT.md "Encrypted records": the envelope an encrypted record stores as its payload. AES-256-GCM (aes-gcm.ts)
// under a key derived from the host's key for one cartridge and one write generation, with the record's object
// number and pass as the nonce. Pure functions; raw bytes stop here.
import { hkdfSync, timingSafeEqual } from 'node:crypto';
import { aesGcm } from './aes-gcm-choice.js';

/** The one algorithm (SSC-4 algorithm index 1, security algorithm code 00010014h: AES-256-GCM). */
export const ALGORITHM_INDEX = 1;
export const KEY_BYTES = 32;
export const MAX_UKAD_BYTES = 32;
export const MAX_AKAD_BYTES = 12;
export const SALT_BYTES = 16;
const TAG_BYTES = 16;
const CHECK_BYTES = 4;
export const ENVELOPE_VERSION = 1;
/** Bytes before the U-KAD: the largest envelope adds this plus both KADs to the stored payload. */
export const ENVELOPE_FIXED_BYTES = 48;
export const MAX_ENVELOPE_OVERHEAD = ENVELOPE_FIXED_BYTES + MAX_UKAD_BYTES + MAX_AKAD_BYTES;

export const EnvelopeOffset = {
  VERSION: 0,
  ALGORITHM_INDEX: 1,
  UKAD_LENGTH: 2,
  AKAD_LENGTH: 3,
  KAD_FORMAT: 4,
  FLAGS: 5,
  RESERVED: 6,
  GENERATION: 8,
  SALT: 12,
  KEY_CHECK: 28,
  TAG: 32,
  UKAD: 48,
} as const;

/** Envelope flag bit 0: the block was written with raw decryption mode disabled (SET DATA ENCRYPTION RDMC 11b). */
export const EnvelopeFlag = { RAW_READ_DISABLED: 0x01 } as const;

/** The host's key and what goes with it (SSC-4 SET DATA ENCRYPTION): held in memory only. */
export interface BlockKey {
  readonly key: Buffer;
  readonly ukad: Buffer;
  readonly akad: Buffer;
  readonly kadFormat: number;
  readonly rawReadDisabled: boolean;
}

/** Where the record sits: what the nonce and the authenticated data are made of. */
export interface RecordPlace {
  readonly objectNumber: number;
  readonly pass: number;
  readonly logicalLength: number;
  /** The sealed payload is LZ4-compressed (record flag bit 0). */
  readonly compressed: boolean;
}

/** The cartridge's sealing identity: its random salt and the write generation the records are written in. */
export interface SealingIdentity {
  readonly salt: Buffer;
  readonly generation: number;
}

export interface EnvelopeInfo {
  readonly algorithmIndex: number;
  readonly ukad: Buffer;
  readonly akad: Buffer;
  readonly kadFormat: number;
  readonly rawReadDisabled: boolean;
  readonly generation: number;
  readonly salt: Buffer;
}

export interface DerivedKey {
  readonly aesKey: Buffer;
  readonly check: Buffer;
}

/** HKDF-SHA256(host key, salt, "vtl record key v1" || generation): the AES key and a 4-byte key check. */
export function deriveRecordKey(hostKey: Buffer, salt: Buffer, generation: number): DerivedKey {
  const info = Buffer.alloc(21);
  info.write('vtl record key v1', 0, 'latin1');
  info.writeUInt32BE(generation >>> 0, 17);
  const out = Buffer.from(hkdfSync('sha256', hostKey, salt, info, KEY_BYTES + CHECK_BYTES));
  return { aesKey: out.subarray(0, KEY_BYTES), check: out.subarray(KEY_BYTES) };
}

/** The 12-byte GCM nonce: object number (48-bit) and pass (32-bit), big-endian, then two zero bytes. */
export function recordNonce(place: RecordPlace): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(place.objectNumber, 0, 6);
  nonce.writeUInt32BE(place.pass >>> 0, 6);
  return nonce;
}

function additionalData(header: Buffer, akad: Buffer, place: RecordPlace): Buffer {
  const identity = Buffer.alloc(11);
  identity.writeUIntBE(place.objectNumber, 0, 6);
  identity.writeUInt32BE(place.logicalLength >>> 0, 6);
  identity[10] = place.compressed ? 1 : 0;
  return Buffer.concat([header, akad, identity]);
}

/** A small cache: one derivation per (host key, salt, generation), not one per record. */
export class KeyDeriver {
  private last: { hostKey: Buffer; salt: Buffer; generation: number; derived: DerivedKey } | undefined;

  derive(hostKey: Buffer, salt: Buffer, generation: number): DerivedKey {
    const l = this.last;
    if (l !== undefined && l.generation === generation && l.hostKey.equals(hostKey) && l.salt.equals(salt)) return l.derived;
    const derived = deriveRecordKey(hostKey, salt, generation);
    this.last = { hostKey: Buffer.from(hostKey), salt: Buffer.from(salt), generation, derived };
    return derived;
  }
}

/** What a host's key brings to its envelope besides the key itself (SSC-4 SET DATA ENCRYPTION). */
export type EnvelopeFields = Omit<BlockKey, 'key'>;

/** Bytes an envelope around `payloadBytes` takes. */
export function envelopeLength(fields: EnvelopeFields, payloadBytes: number): number {
  return ENVELOPE_FIXED_BYTES + fields.ukad.length + fields.akad.length + payloadBytes;
}

/**
 * Seal `payload` into `output` at `at` with a key already derived (deriveRecordKey): envelopeLength() bytes. The
 * payload may sit in `output` right where its ciphertext goes (at + 48 + the KADs): it is then sealed in place.
 */
export function sealInto(derived: DerivedKey, fields: EnvelopeFields, payload: Buffer, place: RecordPlace, identity: SealingIdentity, output: Buffer, at = 0): number {
  if (fields.ukad.length > MAX_UKAD_BYTES || fields.akad.length > MAX_AKAD_BYTES) throw new RangeError('The key-associated data is too long');
  if (identity.salt.length !== SALT_BYTES) throw new RangeError(`A sealing salt has ${SALT_BYTES} bytes`);
  const length = envelopeLength(fields, payload.length);
  if (output.length - at < length) throw new RangeError(`An envelope of ${length} bytes does not fit in ${output.length - at}`);
  const envelope = output.subarray(at, at + length);
  envelope[EnvelopeOffset.VERSION] = ENVELOPE_VERSION;
  envelope[EnvelopeOffset.ALGORITHM_INDEX] = ALGORITHM_INDEX;
  envelope[EnvelopeOffset.UKAD_LENGTH] = fields.ukad.length;
  envelope[EnvelopeOffset.AKAD_LENGTH] = fields.akad.length;
  envelope[EnvelopeOffset.KAD_FORMAT] = fields.kadFormat;
  envelope[EnvelopeOffset.FLAGS] = fields.rawReadDisabled ? EnvelopeFlag.RAW_READ_DISABLED : 0;
  envelope.writeUInt16LE(0, EnvelopeOffset.RESERVED);
  envelope.writeUInt32LE(identity.generation >>> 0, EnvelopeOffset.GENERATION);
  identity.salt.copy(envelope, EnvelopeOffset.SALT);
  derived.check.copy(envelope, EnvelopeOffset.KEY_CHECK);
  fields.ukad.copy(envelope, EnvelopeOffset.UKAD);
  fields.akad.copy(envelope, EnvelopeOffset.UKAD + fields.ukad.length);
  const bodyAt = ENVELOPE_FIXED_BYTES + fields.ukad.length + fields.akad.length;
  const aad = additionalData(envelope.subarray(0, EnvelopeOffset.TAG), fields.akad, place);
  aesGcm().seal(derived.aesKey, recordNonce(place), aad, payload, envelope.subarray(bodyAt), envelope.subarray(EnvelopeOffset.TAG, EnvelopeOffset.TAG + TAG_BYTES));
  return length;
}

/** Seal `payload` (the stored form after compression) into a new envelope. */
export function sealRecord(key: BlockKey, payload: Buffer, place: RecordPlace, identity: SealingIdentity, deriver?: KeyDeriver): Buffer {
  if (key.key.length !== KEY_BYTES) throw new RangeError(`A record key has ${KEY_BYTES} bytes, not ${key.key.length}`);
  if (identity.salt.length !== SALT_BYTES) throw new RangeError(`A sealing salt has ${SALT_BYTES} bytes`);
  const derived = (deriver ?? new KeyDeriver()).derive(key.key, identity.salt, identity.generation);
  const envelope = Buffer.allocUnsafe(envelopeLength(key, payload.length));
  sealInto(derived, key, payload, place, identity, envelope);
  return envelope;
}

/** The envelope's clear fields, or undefined when it is not a well-formed version 1 envelope. */
export function decodeEnvelope(envelope: Buffer): EnvelopeInfo | undefined {
  if (envelope.length < ENVELOPE_FIXED_BYTES || envelope[EnvelopeOffset.VERSION] !== ENVELOPE_VERSION) return undefined;
  const ukadLength = envelope[EnvelopeOffset.UKAD_LENGTH];
  const akadLength = envelope[EnvelopeOffset.AKAD_LENGTH];
  if (ukadLength > MAX_UKAD_BYTES || akadLength > MAX_AKAD_BYTES || envelope.length < ENVELOPE_FIXED_BYTES + ukadLength + akadLength) return undefined;
  if ((envelope[EnvelopeOffset.FLAGS] & ~EnvelopeFlag.RAW_READ_DISABLED) !== 0 || envelope.readUInt16LE(EnvelopeOffset.RESERVED) !== 0) return undefined;
  const ukadAt = EnvelopeOffset.UKAD;
  return {
    algorithmIndex: envelope[EnvelopeOffset.ALGORITHM_INDEX],
    ukad: Buffer.from(envelope.subarray(ukadAt, ukadAt + ukadLength)),
    akad: Buffer.from(envelope.subarray(ukadAt + ukadLength, ukadAt + ukadLength + akadLength)),
    kadFormat: envelope[EnvelopeOffset.KAD_FORMAT],
    rawReadDisabled: (envelope[EnvelopeOffset.FLAGS] & EnvelopeFlag.RAW_READ_DISABLED) !== 0,
    generation: envelope.readUInt32LE(EnvelopeOffset.GENERATION),
    salt: Buffer.from(envelope.subarray(EnvelopeOffset.SALT, EnvelopeOffset.SALT + SALT_BYTES)),
  };
}

/** Why an envelope did not open: SSC-4 tells these apart (74/03, 74/04, and a damaged record). */
export type OpenProblem = 'incorrect-key' | 'integrity' | 'malformed' | 'unsupported-algorithm';

/** Whether `hostKey` is the key the envelope was sealed with (its key check), without decrypting. */
export function keyMatches(hostKey: Buffer, envelope: Buffer, deriver?: KeyDeriver): boolean {
  const info = decodeEnvelope(envelope);
  if (info === undefined || hostKey.length !== KEY_BYTES) return false;
  const derived = (deriver ?? new KeyDeriver()).derive(hostKey, info.salt, info.generation);
  return timingSafeEqual(derived.check, envelope.subarray(EnvelopeOffset.KEY_CHECK, EnvelopeOffset.KEY_CHECK + CHECK_BYTES));
}

/** Open an envelope: the sealed payload (still compressed when `place.compressed`), or why not. */
export function openRecord(hostKey: Buffer, envelope: Buffer, place: RecordPlace, deriver?: KeyDeriver): Buffer | OpenProblem {
  const info = decodeEnvelope(envelope);
  if (info === undefined) return 'malformed';
  if (info.algorithmIndex !== ALGORITHM_INDEX) return 'unsupported-algorithm';
  const keys = deriver ?? new KeyDeriver();
  if (!keyMatches(hostKey, envelope, keys)) return 'incorrect-key';
  const derived = keys.derive(hostKey, info.salt, info.generation);
  const body = envelope.subarray(bodyOffset(info));
  const plain = Buffer.allocUnsafe(body.length);
  return openBody(derived, envelope, info, place, plain) ? plain : 'integrity';
}

/** The salt and write generation an envelope was sealed with (what its key is derived from), if it is one. */
export function sealedWith(envelope: Buffer): SealingIdentity | undefined {
  const info = decodeEnvelope(envelope);
  return info === undefined ? undefined : { salt: info.salt, generation: info.generation };
}

/**
 * Open an envelope with a key already derived for it (deriveRecordKey with sealedWith()'s salt and generation) into
 * `output` (at least as long as the envelope, not overlapping it): the payload's length, or why it does not open.
 * `output` holds nothing usable unless a length is returned.
 */
export function openInto(derived: DerivedKey, envelope: Buffer, place: RecordPlace, output: Buffer): number | OpenProblem {
  const info = decodeEnvelope(envelope);
  if (info === undefined) return 'malformed';
  if (info.algorithmIndex !== ALGORITHM_INDEX) return 'unsupported-algorithm';
  if (!timingSafeEqual(derived.check, envelope.subarray(EnvelopeOffset.KEY_CHECK, EnvelopeOffset.KEY_CHECK + CHECK_BYTES))) return 'incorrect-key';
  const body = envelope.subarray(bodyOffset(info));
  if (output.length < body.length) throw new RangeError(`A payload of ${body.length} bytes does not fit in ${output.length}`);
  return openBody(derived, envelope, info, place, output.subarray(0, body.length)) ? body.length : 'integrity';
}

function bodyOffset(info: EnvelopeInfo): number {
  return ENVELOPE_FIXED_BYTES + info.ukad.length + info.akad.length;
}

/** Decrypt the envelope's body into `output` (its length): false when the tag does not authenticate it. */
function openBody(derived: DerivedKey, envelope: Buffer, info: EnvelopeInfo, place: RecordPlace, output: Buffer): boolean {
  const aad = additionalData(envelope.subarray(0, EnvelopeOffset.TAG), info.akad, place);
  const tag = envelope.subarray(EnvelopeOffset.TAG, EnvelopeOffset.TAG + TAG_BYTES);
  return aesGcm().open(derived.aesKey, recordNonce(place), aad, envelope.subarray(bodyOffset(info)), tag, output);
}
