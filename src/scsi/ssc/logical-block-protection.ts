// SSC-4 logical block protection: the Control Data Protection mode page (0Ah/F0h) and the protection information a
// protected WRITE carries and a protected READ returns. Method 02h (CRC32C, 4 bytes) is supported; 01h (the
// Reed-Solomon CRC of ECMA-319) is refused by the page until it is implemented. The CRC travels after each logical
// block, least significant byte first, as LTFS (the client that turns LBP on) appends it.
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

/** The protection information of `data`. */
export function protectionOf(data: Buffer): Buffer {
  const b = Buffer.alloc(LBP_INFORMATION_LENGTH);
  b.writeUInt32LE(crc32c(data) >>> 0, 0);
  return b;
}

/**
 * LBP_W: split each transferred block into its data and check the CRC that ends it. Every block is checked before
 * any is written, so a bad one refuses the whole command with nothing written: HARDWARE ERROR 10/01 LOGICAL BLOCK
 * GUARD CHECK FAILED (the sense LTO drives give and LTFS recognises), INFORMATION = the command's residue.
 */
export function unprotectBlocks(blocks: readonly Buffer[], residue: number): Buffer[] {
  return blocks.map((block) => {
    if (block.length < LBP_INFORMATION_LENGTH) throw new SenseError(senseOf('LOGICAL_BLOCK_GUARD_CHECK_FAILED', { information: residue }));
    const data = block.subarray(0, block.length - LBP_INFORMATION_LENGTH);
    if (!protectionOf(data).equals(block.subarray(block.length - LBP_INFORMATION_LENGTH))) {
      throw new SenseError(senseOf('LOGICAL_BLOCK_GUARD_CHECK_FAILED', { information: residue }));
    }
    return data;
  });
}

/** LBP_R: the block as READ returns it, with its protection information after it. */
export function protectBlock(data: Buffer): Buffer {
  return Buffer.concat([data, protectionOf(data)]);
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
      if (method !== LbpMethod.NONE && method !== LbpMethod.CRC32C) throw Sense.invalidFieldInParameterList(METHOD_BYTE);
      const length = next[LENGTH_BYTE] & 0x3f;
      if (length !== (method === LbpMethod.NONE ? 0 : LBP_INFORMATION_LENGTH)) throw Sense.invalidFieldInParameterList(LENGTH_BYTE);
    },
    apply: (next) => {
      const method = next[METHOD_BYTE] as (typeof LbpMethod)[keyof typeof LbpMethod];
      mode.setProtection(method, (next[FLAGS_BYTE] & LBP_W) !== 0, (next[FLAGS_BYTE] & LBP_R) !== 0);
    },
  });
}
