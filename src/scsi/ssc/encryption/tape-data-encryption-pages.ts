// SSC-4 8.5.2 / 8.5.3 SECURITY PROTOCOL IN pages of protocol 20h (tape data encryption), and SPC-4 7.7.1 protocol
// 00h (security protocol information). Encoders allocate once at the exact size; field values are in
// docs/CONFORMANCE.md "Encryption".
import { ALGORITHM_INDEX, decodeEnvelope, KEY_BYTES, MAX_AKAD_BYTES, MAX_UKAD_BYTES } from '../../../media/crypto/record-envelope.js';
import type { NextObject } from '../../../media/tape-medium.js';
import type { ParametersInUse } from './drive-encryption.js';
import { KadType, KeyFormat, RawDecryptionModeControl, TapeDataEncryptionPage } from './set-data-encryption-page.js';

export const SecurityProtocol = { INFORMATION: 0x00, TAPE_DATA_ENCRYPTION: 0x20 } as const;
export const SecurityProtocolInformationPage = { SUPPORTED_PROTOCOLS: 0x0000, CERTIFICATE_DATA: 0x0001 } as const;
/** SSC-4 security algorithm code of AES-256-GCM (algorithm index 1). */
export const AES_256_GCM_ALGORITHM_CODE = 0x00010014;

export const IN_PAGES: readonly number[] = [
  TapeDataEncryptionPage.SUPPORTED_PAGES,
  TapeDataEncryptionPage.SUPPORTED_OUT_PAGES,
  TapeDataEncryptionPage.DATA_ENCRYPTION_CAPABILITIES,
  TapeDataEncryptionPage.SUPPORTED_KEY_FORMATS,
  TapeDataEncryptionPage.DATA_ENCRYPTION_MANAGEMENT_CAPABILITIES,
  TapeDataEncryptionPage.DATA_ENCRYPTION_STATUS,
  TapeDataEncryptionPage.NEXT_BLOCK_ENCRYPTION_STATUS,
];
export const OUT_PAGES: readonly number[] = [TapeDataEncryptionPage.SET_DATA_ENCRYPTION];

/** SPC-4 Supported Security Protocols List: six reserved bytes, the list length, one byte per protocol. */
export function supportedProtocolsPage(): Buffer {
  const protocols = [SecurityProtocol.INFORMATION, SecurityProtocol.TAPE_DATA_ENCRYPTION];
  const page = Buffer.alloc(8 + protocols.length);
  page.writeUInt16BE(protocols.length, 6);
  protocols.forEach((p, i) => (page[8 + i] = p));
  return page;
}

/** SPC-4 certificate data: no certificate (length 0). */
export function certificateDataPage(): Buffer {
  return Buffer.alloc(4);
}

function page(code: number, bodyLength: number): Buffer {
  const b = Buffer.alloc(4 + bodyLength);
  b.writeUInt16BE(code, 0);
  b.writeUInt16BE(bodyLength, 2);
  return b;
}

function pageList(code: number, codes: readonly number[]): Buffer {
  const b = page(code, 2 * codes.length);
  codes.forEach((c, i) => b.writeUInt16BE(c, 4 + 2 * i));
  return b;
}

export function supportedPagesPage(): Buffer {
  return pageList(TapeDataEncryptionPage.SUPPORTED_PAGES, IN_PAGES);
}

export function supportedOutPagesPage(): Buffer {
  return pageList(TapeDataEncryptionPage.SUPPORTED_OUT_PAGES, OUT_PAGES);
}

/** Data Encryption Capabilities: one algorithm descriptor, AES-256-GCM as an LTO drive reports it. */
export function dataEncryptionCapabilitiesPage(mounted: boolean): Buffer {
  const b = page(TapeDataEncryptionPage.DATA_ENCRYPTION_CAPABILITIES, 16 + 24);
  b[4] = (0b01 << 2) | 0b01; // EXTDECC 01b: no external data encryption control; CFG_P 01b: configuration allowed
  const d = 20;
  b[d] = ALGORITHM_INDEX;
  b.writeUInt16BE(20, d + 2);
  // AVFMV, SDK_C 0, MAC_C 1 (GCM authenticates), DELB_C 1, DECRYPT_C 10b, ENCRYPT_C 10b (in the device)
  b[d + 4] = (mounted ? 0x80 : 0) | 0x20 | 0x10 | (0b10 << 2) | 0b10;
  // AVFCP 01b when a volume is mounted, NONCE_C 00b, KADF_C 1, VCELB_C 0, UKADF 0, AKADF 0
  b[d + 5] = (mounted ? 0b01 << 6 : 0) | 0x08;
  b.writeUInt16BE(MAX_UKAD_BYTES, d + 6);
  b.writeUInt16BE(MAX_AKAD_BYTES, d + 8);
  b.writeUInt16BE(KEY_BYTES, d + 10);
  // DKAD_C 01b (the KADs are reported when decrypting), EEMC_C 00b, RDMC_C 100b (RDMC honoured), EAREM 1
  b[d + 12] = (0b01 << 6) | (0b100 << 1) | 0x01;
  b.writeUInt32BE(AES_256_GCM_ALGORITHM_CODE, d + 20);
  return b;
}

export function supportedKeyFormatsPage(): Buffer {
  const b = page(TapeDataEncryptionPage.SUPPORTED_KEY_FORMATS, 1);
  b[4] = KeyFormat.PLAIN_TEXT;
  return b;
}

/** Data Encryption Management Capabilities: LOCK, CKOD, CKORP, CKORL and all three scopes are supported. */
export function dataEncryptionManagementCapabilitiesPage(): Buffer {
  const b = page(TapeDataEncryptionPage.DATA_ENCRYPTION_MANAGEMENT_CAPABILITIES, 12);
  b[4] = 0x01; // LOCK_C
  b[5] = 0x07; // CKOD_C, CKORP_C, CKORL_C
  b[7] = 0x07; // AITN_C, LOCAL_C, PUBLIC_C
  return b;
}

function kadDescriptors(ukad: Buffer, akad: Buffer, authenticated: (type: number) => number): Buffer[] {
  const out: Buffer[] = [];
  for (const [type, value] of [[KadType.U_KAD, ukad], [KadType.A_KAD, akad]] as const) {
    if (value.length === 0) continue;
    const d = Buffer.alloc(4 + value.length);
    d[0] = type;
    d[1] = authenticated(type);
    d.writeUInt16BE(value.length, 2);
    value.copy(d, 4);
    out.push(d);
  }
  return out;
}

/** Data Encryption Status of the parameters the nexus uses (none: every mode DISABLE). */
export function dataEncryptionStatusPage(inUse: ParametersInUse | undefined, keyInstanceCounter: number): Buffer {
  const p = inUse?.parameters;
  const kads = p === undefined ? [] : kadDescriptors(p.ukad, p.akad, () => 0);
  const kadBytes = kads.reduce((n, k) => n + k.length, 0);
  const b = page(TapeDataEncryptionPage.DATA_ENCRYPTION_STATUS, 20 + kadBytes);
  if (p !== undefined && inUse !== undefined) {
    b[4] = (inUse.nexusScope << 5) | p.scope; // I_T NEXUS SCOPE, KEY SCOPE
    b[5] = p.encryptionMode;
    b[6] = p.decryptionMode;
    b[7] = p.key === undefined ? 0 : p.algorithmIndex;
    b.writeUInt32BE(keyInstanceCounter >>> 0, 8);
    // PARAMETERS CONTROL 001b (no external control), VCELB 0 (not reported), CEEMS, RDMD
    b[12] = (0b001 << 4) | (p.ceem << 1) | (p.rdmc === RawDecryptionModeControl.DISABLED ? 1 : 0);
    b[13] = p.kadFormat;
  } else {
    b.writeUInt32BE(keyInstanceCounter >>> 0, 8);
    b[12] = 0b001 << 4;
  }
  let at = 24;
  for (const k of kads) at += k.copy(b, at);
  return b;
}

/** ENCRYPTION STATUS values of Next Block Encryption Status. */
export const NextBlockEncryption = {
  UNABLE_TO_DETERMINE: 0x1,
  NOT_A_LOGICAL_BLOCK: 0x2,
  NOT_ENCRYPTED: 0x3,
  UNSUPPORTED_ALGORITHM: 0x4,
  ENCRYPTED_CAN_DECRYPT: 0x5,
  ENCRYPTED_CANNOT_DECRYPT: 0x6,
} as const;

/** Next Block Encryption Status of the object at `objectNumber`; `canOpen` says whether the nexus's key opens it. */
export function nextBlockEncryptionStatusPage(objectNumber: number, next: NextObject, canOpen: (envelope: Buffer) => boolean): Buffer {
  let status: number = NextBlockEncryption.NOT_A_LOGICAL_BLOCK;
  let kads: Buffer[] = [];
  let algorithmIndex = 0;
  let flags = 0;
  let kadFormat = 0;
  if (next.kind === 'end-of-data') status = NextBlockEncryption.UNABLE_TO_DETERMINE;
  else if (next.kind === 'block') status = NextBlockEncryption.NOT_ENCRYPTED;
  else if (next.kind === 'encrypted-block') {
    const info = decodeEnvelope(next.envelope);
    if (info === undefined || info.algorithmIndex !== ALGORITHM_INDEX) status = NextBlockEncryption.UNSUPPORTED_ALGORITHM;
    else {
      const opens = canOpen(next.envelope);
      status = opens ? NextBlockEncryption.ENCRYPTED_CAN_DECRYPT : NextBlockEncryption.ENCRYPTED_CANNOT_DECRYPT;
      algorithmIndex = info.algorithmIndex;
      flags = info.rawReadDisabled ? 0x01 : 0; // RDMDS
      kadFormat = info.kadFormat;
      // AUTHENTICATED: 1h the KAD was not authenticated, 2h it was (an A-KAD, once the key is known to be right).
      kads = kadDescriptors(info.ukad, info.akad, (type) => (type === KadType.A_KAD && opens ? 2 : 1));
    }
  }
  const kadBytes = kads.reduce((n, k) => n + k.length, 0);
  const b = page(TapeDataEncryptionPage.NEXT_BLOCK_ENCRYPTION_STATUS, 12 + kadBytes);
  b.writeBigUInt64BE(BigInt(objectNumber), 4);
  b[12] = status; // COMPRESSION STATUS 0h: not reported
  b[13] = algorithmIndex;
  b[14] = flags;
  b[15] = kadFormat;
  let at = 16;
  for (const k of kads) at += k.copy(b, at);
  return b;
}
