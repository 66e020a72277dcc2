// The changer's NAA designator (VPD 83h): NAA 3h, locally assigned, since we hold no IEEE company ID.
// 60 bits from two CRC32C of the serial keep it stable across restarts and distinct per library.
import { crc32c } from '../../crc32c.js';

export function changerNaa(serial: string): Buffer {
  const key = Buffer.from(`changer/${serial}`, 'utf8');
  const hi = crc32c(key) >>> 4; // 28 bits
  const lo = crc32c(key, 0x82f63b78);
  const b = Buffer.alloc(8);
  b.writeUInt32BE(((0x3 << 28) | hi) >>> 0, 0);
  b.writeUInt32BE(lo, 4);
  return b;
}
