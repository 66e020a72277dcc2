// SSC-4 READ BLOCK LIMITS: granularity 0, 1 byte .. 8 MiB; with MLOI the maximum logical object identifier.
import { DataDirection } from '../command.js';
import type { CommandDescriptor } from '../command.js';
import { MAX_BLOCK_LENGTH, MIN_BLOCK_LENGTH } from './ssc-mode-state.js';
import type { TapeDrive } from './tape-drive.js';

const MLOI = 0x01;
/** Positions are JavaScript numbers (safe integers): the largest identifier LOCATE(16) accepts. */
export const MAX_LOGICAL_OBJECT_IDENTIFIER = BigInt(Number.MAX_SAFE_INTEGER);

export function encodeBlockLimits(): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntBE(MAX_BLOCK_LENGTH, 1, 3);
  b.writeUInt16BE(MIN_BLOCK_LENGTH, 4);
  return b;
}

export const readBlockLimits: CommandDescriptor<TapeDrive> = {
  opcode: 0x05,
  name: 'READ BLOCK LIMITS',
  cdbUsage: [0x05, MLOI, 0x00, 0x00, 0x00, 0x00],
  transfer: (cdb) => ({ direction: DataDirection.IN, lengthBytes: (cdb[1] & MLOI) !== 0 ? 20 : 6 }),
  execute: ({ cdb }) => {
    if ((cdb[1] & MLOI) === 0) return { dataIn: encodeBlockLimits() };
    const b = Buffer.alloc(20);
    b.writeBigUInt64BE(MAX_LOGICAL_OBJECT_IDENTIFIER, 12);
    return { dataIn: b };
  },
};
