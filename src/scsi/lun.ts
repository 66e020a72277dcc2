// SAM-5 4.7: the 8-byte LUN structure. Single-level peripheral (0..255) and flat space (0..16383) addressing.
export const MAX_LUN = 0x3fff;

export function encodeLun(lun: number): Buffer {
  if (!Number.isInteger(lun) || lun < 0 || lun > MAX_LUN) throw new RangeError(`LUN ${lun} is outside 0..${MAX_LUN}`);
  const b = Buffer.alloc(8);
  if (lun < 256) {
    b[1] = lun;
  } else {
    b[0] = 0x40 | (lun >> 8);
    b[1] = lun & 0xff;
  }
  return b;
}

/**
 * Decode the first level of a LUN field. Returns undefined for forms this target never assigns
 * (multi-level, extended, well-known), which callers treat as an unknown LUN.
 */
export function decodeLun(field: Buffer, offset = 0): number | undefined {
  const method = field[offset] >> 6;
  for (let i = offset + 2; i < offset + 8; i++) if (field[i] !== 0) return undefined;
  if (method === 0 && (field[offset] & 0x3f) === 0) return field[offset + 1];
  if (method === 1) return ((field[offset] & 0x3f) << 8) | field[offset + 1];
  return undefined;
}
