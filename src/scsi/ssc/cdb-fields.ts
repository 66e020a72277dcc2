// Small CDB field readers shared by the SSC commands (SSC-4 counts are two's complement).
/** 24-bit two's complement (SPACE(6) COUNT). */
export function readInt24(cdb: Buffer, offset: number): number {
  const v = cdb.readUIntBE(offset, 3);
  return v & 0x800000 ? v - 0x1000000 : v;
}

export function readUint24(cdb: Buffer, offset: number): number {
  return cdb.readUIntBE(offset, 3);
}

/**
 * A 64-bit count or address as a number; values beyond 2^53 are refused by the caller (no tape holds that many
 * objects), so one range check here decides it for every command.
 */
export function readSafeInt64(cdb: Buffer, offset: number): number | undefined {
  const v = cdb.readBigInt64BE(offset);
  return v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER) ? undefined : Number(v);
}

export function readSafeUint64(cdb: Buffer, offset: number): number | undefined {
  const v = cdb.readBigUInt64BE(offset);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(v);
}
