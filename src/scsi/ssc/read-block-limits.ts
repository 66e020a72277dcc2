// SSC-4 READ BLOCK LIMITS: granularity 0, 1 byte .. 8 MiB; with MLOI the maximum logical object identifier.
import { DataDirection } from '../command.js';
import type { CommandDescriptor, DecodedCdb } from '../command.js';
import { MAX_BLOCK_LENGTH, MIN_BLOCK_LENGTH } from './ssc-mode-state.js';
import type { TapeDrive } from './tape-drive.js';
import { ReservationAccess } from '../reservation.js';

const MLOI = 0x01;
/** Positions are JavaScript numbers (safe integers): the largest identifier LOCATE(16) accepts. */
export const MAX_LOGICAL_OBJECT_IDENTIFIER = BigInt(Number.MAX_SAFE_INTEGER);

export function encodeBlockLimits(): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntBE(MAX_BLOCK_LENGTH, 1, 3);
  b.writeUInt16BE(MIN_BLOCK_LENGTH, 4);
  return b;
}

export interface ReadBlockLimitsCdb extends DecodedCdb {
  /** MLOI=1: report the maximum logical object identifier instead of the block limits. */
  readonly mloi: boolean;
}

export function decodeReadBlockLimits(cdb: Buffer): ReadBlockLimitsCdb {
  const mloi = (cdb[1] & MLOI) !== 0;
  return { direction: DataDirection.IN, lengthBytes: mloi ? 20 : 6, mloi };
}

export const readBlockLimits: CommandDescriptor<TapeDrive, ReadBlockLimitsCdb> = {
  opcode: 0x05,
  name: 'READ BLOCK LIMITS',
  // Reports without changing state: write exclusive persistent reservations let it through (SPC-4 5.13.1).
  flags: { reservationAccess: ReservationAccess.READ },
  cdbUsage: [0x05, MLOI, 0x00, 0x00, 0x00, 0x00],
  decode: decodeReadBlockLimits,
  execute({ decoded }) {
    if (!decoded.mloi) return { dataIn: encodeBlockLimits() };
    const b = Buffer.alloc(20);
    b.writeBigUInt64BE(MAX_LOGICAL_OBJECT_IDENTIFIER, 12);
    return { dataIn: b };
  },
};
