// SSC-4 logical block protection: the Control Data Protection mode page (0Ah/F0h) and the protection information a
// protected WRITE carries and a protected READ returns, 4 bytes after each logical block, for the two methods LTO
// drives offer:
// - 01h Reed-Solomon CRC (ECMA-319): the remainder of data(x)·x^4 divided by G(x) = x^4 + α^201·x^3 + α^246·x^2 +
//   α^201·x + 1 over GF(2^8) with field polynomial x^8 + x^4 + x^3 + x^2 + 1 (α = 02h), most significant byte first;
// - 02h CRC32C (Castagnoli), least significant byte first.
// The byte orders are those LTFS (the client that turns LBP on) uses with LTO drives; the products the generator
// gives (e.g. FFh -> 76h 3Fh 76h FFh) match the published encoder table of that implementation.
import { crc32c } from '../../crc32c.js';
import { Sense, SenseError, senseOf } from '../sense.js';
import { DerivedModePage } from './derived-mode-page.js';
import type { SscModeState } from './ssc-mode-state.js';

export const LbpMethod = { NONE: 0x00, REED_SOLOMON_CRC: 0x01, CRC32C: 0x02 } as const;
export const LBP_INFORMATION_LENGTH = 4;

const LBP_W = 0x80;
const LBP_R = 0x40;
/** Page offsets (header of 4 bytes included). */
const METHOD_BYTE = 4;
const LENGTH_BYTE = 5;
const FLAGS_BYTE = 6;

/** GF(2^8) with field polynomial 11Dh: exponent and logarithm tables. */
const GF_EXP = new Uint8Array(255);
const GF_LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++) {
  GF_EXP[i] = x;
  GF_LOG[x] = i;
  x <<= 1;
  if (x & 0x100) x ^= 0x11d;
}
const gfMul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : GF_EXP[(GF_LOG[a] + GF_LOG[b]) % 255]);

/** For each byte b: b times the generator's coefficients (x^3, x^2, x, 1) as one 32-bit word, for a byte-wise LFSR. */
const RS_TABLE = (() => {
  const g3 = GF_EXP[201];
  const g2 = GF_EXP[246];
  const table = new Uint32Array(256);
  for (let b = 0; b < 256; b++) table[b] = ((gfMul(b, g3) << 24) | (gfMul(b, g2) << 16) | (gfMul(b, g3) << 8) | b) >>> 0;
  return table;
})();

export function reedSolomonCrc(data: Buffer): number {
  let reg = 0;
  for (let i = 0; i < data.length; i++) reg = ((reg << 8) ^ RS_TABLE[data[i] ^ (reg >>> 24)]) >>> 0;
  return reg;
}

/** The protection information of `data` for `method` (01h or 02h). */
export function protectionOf(data: Buffer, method: number): Buffer {
  const b = Buffer.alloc(LBP_INFORMATION_LENGTH);
  if (method === LbpMethod.REED_SOLOMON_CRC) b.writeUInt32BE(reedSolomonCrc(data), 0);
  else b.writeUInt32LE(crc32c(data) >>> 0, 0);
  return b;
}

/**
 * LBP_W: split each transferred block into its data and check the CRC that ends it. Every block is checked before
 * any is written, so a bad one refuses the whole command with nothing written: HARDWARE ERROR 10/01 LOGICAL BLOCK
 * GUARD CHECK FAILED (the sense LTO drives give and LTFS recognises), INFORMATION = the command's residue.
 */
export function unprotectBlocks(blocks: readonly Buffer[], method: number, residue: number): Buffer[] {
  return blocks.map((block) => {
    if (block.length < LBP_INFORMATION_LENGTH) throw new SenseError(senseOf('LOGICAL_BLOCK_GUARD_CHECK_FAILED', { information: residue }));
    const data = block.subarray(0, block.length - LBP_INFORMATION_LENGTH);
    if (!protectionOf(data, method).equals(block.subarray(block.length - LBP_INFORMATION_LENGTH))) {
      throw new SenseError(senseOf('LOGICAL_BLOCK_GUARD_CHECK_FAILED', { information: residue }));
    }
    return data;
  });
}

/** LBP_R: the block as READ returns it, with its protection information after it. */
export function protectBlock(data: Buffer, method: number): Buffer {
  return Buffer.concat([data, protectionOf(data, method)]);
}

/** 0Ah/F0h Control Data Protection: LBP METHOD, LBP INFORMATION LENGTH, LBP_W, LBP_R (RBDP 0: not supported). */
export function controlDataProtectionPage(mode: SscModeState): DerivedModePage {
  const body = (): number[] => {
    const b = new Array<number>(28).fill(0);
    b[0] = mode.lbpMethod;
    b[1] = mode.lbpMethod === LbpMethod.NONE ? 0 : LBP_INFORMATION_LENGTH;
    b[2] = (mode.lbpWrite ? LBP_W : 0) | (mode.lbpRead ? LBP_R : 0);
    return b;
  };
  const changeable = new Array<number>(28).fill(0);
  changeable[0] = 0xff;
  changeable[1] = 0x3f;
  changeable[2] = LBP_W | LBP_R;
  return new DerivedModePage({
    pageCode: 0x0a,
    subpageCode: 0xf0,
    body,
    defaults: () => new Array<number>(28).fill(0),
    changeable,
    validate: (next) => {
      const method = next[METHOD_BYTE];
      if (method !== LbpMethod.NONE && method !== LbpMethod.REED_SOLOMON_CRC && method !== LbpMethod.CRC32C) throw Sense.invalidFieldInParameterList(METHOD_BYTE);
      const length = next[LENGTH_BYTE] & 0x3f;
      if (length !== (method === LbpMethod.NONE ? 0 : LBP_INFORMATION_LENGTH)) throw Sense.invalidFieldInParameterList(LENGTH_BYTE);
    },
    apply: (next) => {
      const method = next[METHOD_BYTE] as (typeof LbpMethod)[keyof typeof LbpMethod];
      mode.setProtection(method, (next[FLAGS_BYTE] & LBP_W) !== 0, (next[FLAGS_BYTE] & LBP_R) !== 0);
    },
  });
}
