// SSC-4 8.5.4.2 Set Data Encryption page (SECURITY PROTOCOL OUT, protocol 20h, page 0010h): decoded with every field
// checked; a refusal points at the field (docs/CONFORMANCE.md "Encryption").
import { ALGORITHM_INDEX, KEY_BYTES, MAX_AKAD_BYTES, MAX_UKAD_BYTES } from '../../../media/crypto/record-envelope.js';
import { Sense } from '../../sense.js';
import { highestBit } from '../../spc/field-pointer.js';

export const TapeDataEncryptionPage = {
  SUPPORTED_PAGES: 0x0000,
  SUPPORTED_OUT_PAGES: 0x0001,
  DATA_ENCRYPTION_CAPABILITIES: 0x0010,
  SUPPORTED_KEY_FORMATS: 0x0011,
  DATA_ENCRYPTION_MANAGEMENT_CAPABILITIES: 0x0012,
  DATA_ENCRYPTION_STATUS: 0x0020,
  NEXT_BLOCK_ENCRYPTION_STATUS: 0x0021,
  SET_DATA_ENCRYPTION: 0x0010,
} as const;

export const EncryptionMode = { DISABLE: 0, EXTERNAL: 1, ENCRYPT: 2 } as const;
export type EncryptionMode = (typeof EncryptionMode)[keyof typeof EncryptionMode];
export const DecryptionMode = { DISABLE: 0, RAW: 1, DECRYPT: 2, MIXED: 3 } as const;
export type DecryptionMode = (typeof DecryptionMode)[keyof typeof DecryptionMode];
export const EncryptionScope = { PUBLIC: 0, LOCAL: 1, ALL_I_T_NEXUS: 2 } as const;
export type EncryptionScope = (typeof EncryptionScope)[keyof typeof EncryptionScope];
/** RDMC: 00b the algorithm's default (raw reads allowed here), 10b raw reads allowed, 11b refused. */
export const RawDecryptionModeControl = { DEFAULT: 0, ENABLED: 2, DISABLED: 3 } as const;
export const KeyFormat = { PLAIN_TEXT: 0x00 } as const;
/** KAD FORMAT: 00h unspecified, 01h binary, 02h ASCII (printable characters only). */
export const KadFormat = { UNSPECIFIED: 0, BINARY: 1, ASCII: 2 } as const;
export const KadType = { U_KAD: 0x00, A_KAD: 0x01, NONCE: 0x02, METADATA: 0x03 } as const;

export const SdeOffset = {
  PAGE_CODE: 0,
  PAGE_LENGTH: 2,
  SCOPE_LOCK: 4,
  FLAGS: 5,
  ENCRYPTION_MODE: 6,
  DECRYPTION_MODE: 7,
  ALGORITHM_INDEX: 8,
  KEY_FORMAT: 9,
  KAD_FORMAT: 10,
  RESERVED: 11,
  KEY_LENGTH: 18,
  KEY: 20,
} as const;

export interface SetDataEncryption {
  readonly scope: EncryptionScope;
  readonly lock: boolean;
  readonly ceem: number;
  readonly rdmc: number;
  readonly ckod: boolean;
  readonly ckorp: boolean;
  readonly ckorl: boolean;
  readonly encryptionMode: EncryptionMode;
  readonly decryptionMode: DecryptionMode;
  readonly algorithmIndex: number;
  readonly kadFormat: number;
  /** Present exactly when a mode needs it (ENCRYPT, DECRYPT or MIXED). */
  readonly key: Buffer | undefined;
  readonly ukad: Buffer;
  readonly akad: Buffer;
}

/** Whether these modes need a key: writing encrypted, or reading encrypted blocks in clear. */
export function needsKey(encryptionMode: number, decryptionMode: number): boolean {
  return encryptionMode === EncryptionMode.ENCRYPT || decryptionMode === DecryptionMode.DECRYPT || decryptionMode === DecryptionMode.MIXED;
}

const SCOPE_MASK = 0xe0;
const LOCK = 0x01;
const SDK = 0x08;

/** Decode page 0010h from the parameter list (the whole data-out). Throws the SenseError the field earns. */
export function decodeSetDataEncryption(list: Buffer): SetDataEncryption {
  if (list.length < SdeOffset.KEY) throw Sense.parameterListLengthError();
  if (list.readUInt16BE(SdeOffset.PAGE_CODE) !== TapeDataEncryptionPage.SET_DATA_ENCRYPTION) throw Sense.invalidFieldInParameterList(SdeOffset.PAGE_CODE);
  const pageEnd = 4 + list.readUInt16BE(SdeOffset.PAGE_LENGTH);
  if (pageEnd < SdeOffset.KEY) throw Sense.invalidFieldInParameterList(SdeOffset.PAGE_LENGTH);
  if (pageEnd > list.length) throw Sense.parameterListLengthError();

  const scopeByte = list[SdeOffset.SCOPE_LOCK];
  const scope = (scopeByte & SCOPE_MASK) >> 5;
  if (scope > EncryptionScope.ALL_I_T_NEXUS) throw Sense.invalidFieldInParameterList(SdeOffset.SCOPE_LOCK, 7);
  if ((scopeByte & ~(SCOPE_MASK | LOCK) & 0xff) !== 0) throw Sense.invalidFieldInParameterList(SdeOffset.SCOPE_LOCK, highestBit(scopeByte & 0x1e));

  const flags = list[SdeOffset.FLAGS];
  const ceem = flags >> 6;
  // No external data encryption control (EXTDECC 01b): only CEEM 00b (vendor specific, no check) and 01b (no check).
  if (ceem > 1) throw Sense.invalidFieldInParameterList(SdeOffset.FLAGS, 7);
  const rdmc = (flags >> 4) & 0x03;
  if (rdmc === 1) throw Sense.invalidFieldInParameterList(SdeOffset.FLAGS, 5);
  if ((flags & SDK) !== 0) throw Sense.invalidFieldInParameterList(SdeOffset.FLAGS, 3); // SDK_C 0: no supplemental keys

  const encryptionMode = list[SdeOffset.ENCRYPTION_MODE];
  if (encryptionMode !== EncryptionMode.DISABLE && encryptionMode !== EncryptionMode.ENCRYPT) throw Sense.invalidFieldInParameterList(SdeOffset.ENCRYPTION_MODE);
  const decryptionMode = list[SdeOffset.DECRYPTION_MODE];
  if (decryptionMode > DecryptionMode.MIXED) throw Sense.invalidFieldInParameterList(SdeOffset.DECRYPTION_MODE);
  // Every pair of supported modes is accepted: stenc's "rawread" sends ENCRYPT with RAW.
  const keyNeeded = needsKey(encryptionMode, decryptionMode);
  const algorithmIndex = list[SdeOffset.ALGORITHM_INDEX];
  if (keyNeeded ? algorithmIndex !== ALGORITHM_INDEX : algorithmIndex > ALGORITHM_INDEX) throw Sense.invalidFieldInParameterList(SdeOffset.ALGORITHM_INDEX);
  if (list[SdeOffset.KEY_FORMAT] !== KeyFormat.PLAIN_TEXT) throw Sense.invalidFieldInParameterList(SdeOffset.KEY_FORMAT);
  const kadFormat = list[SdeOffset.KAD_FORMAT];
  if (kadFormat > KadFormat.ASCII) throw Sense.invalidFieldInParameterList(SdeOffset.KAD_FORMAT);
  for (let i = SdeOffset.RESERVED; i < SdeOffset.KEY_LENGTH; i++) if (list[i] !== 0) throw Sense.invalidFieldInParameterList(i, highestBit(list[i]));

  const keyLength = list.readUInt16BE(SdeOffset.KEY_LENGTH);
  // Without a mode that uses it a key may still be sent (it is ignored), but only one of the supported length.
  if (keyNeeded ? keyLength !== KEY_BYTES : keyLength !== 0 && keyLength !== KEY_BYTES) throw Sense.invalidFieldInParameterList(SdeOffset.KEY_LENGTH);
  const keyEnd = SdeOffset.KEY + keyLength;
  if (keyEnd > pageEnd) throw Sense.invalidFieldInParameterList(SdeOffset.PAGE_LENGTH);
  const key = keyNeeded ? Buffer.from(list.subarray(SdeOffset.KEY, keyEnd)) : undefined;

  const kads = decodeKads(list, keyEnd, pageEnd, kadFormat, encryptionMode === EncryptionMode.ENCRYPT);
  return {
    scope: scope as EncryptionScope,
    lock: (scopeByte & LOCK) !== 0,
    ceem,
    rdmc,
    ckod: (flags & 0x04) !== 0,
    ckorp: (flags & 0x02) !== 0,
    ckorl: (flags & 0x01) !== 0,
    encryptionMode: encryptionMode,
    decryptionMode: decryptionMode as DecryptionMode,
    algorithmIndex,
    kadFormat,
    key,
    ukad: kads.ukad,
    akad: kads.akad,
  };
}

/** The KAD descriptors after the key: at most one U-KAD (32 bytes) and one A-KAD (12 bytes), only when encrypting. */
function decodeKads(list: Buffer, from: number, pageEnd: number, kadFormat: number, encrypting: boolean): { ukad: Buffer; akad: Buffer } {
  let ukad: Buffer | undefined;
  let akad: Buffer | undefined;
  let at = from;
  while (at < pageEnd) {
    if (at + 4 > pageEnd) throw Sense.invalidFieldInParameterList(SdeOffset.PAGE_LENGTH);
    const type = list[at];
    if (!encrypting || (type !== KadType.U_KAD && type !== KadType.A_KAD)) throw Sense.invalidFieldInParameterList(at);
    if ((type === KadType.U_KAD && ukad) || (type === KadType.A_KAD && akad)) throw Sense.invalidFieldInParameterList(at);
    if (list[at + 1] !== 0) throw Sense.invalidFieldInParameterList(at + 1, highestBit(list[at + 1]));
    const length = list.readUInt16BE(at + 2);
    const limit = type === KadType.U_KAD ? MAX_UKAD_BYTES : MAX_AKAD_BYTES;
    if (length > limit || at + 4 + length > pageEnd) throw Sense.invalidFieldInParameterList(at + 2);
    const value = Buffer.from(list.subarray(at + 4, at + 4 + length));
    if (kadFormat === KadFormat.ASCII) {
      const bad = value.findIndex((c) => c < 0x20 || c > 0x7e);
      if (bad >= 0) throw Sense.invalidFieldInParameterList(at + 4 + bad);
    }
    if (type === KadType.U_KAD) ukad = value;
    else akad = value;
    at += 4 + length;
  }
  return { ukad: ukad ?? Buffer.alloc(0), akad: akad ?? Buffer.alloc(0) };
}
