// CRC32C (Castagnoli, check value crc32c("123456789") = 0xE3069283): the checksum of the cartridge format and of
// iSCSI digests. aws-crt's native implementation folds with carry-less multiplies (about 20 GB/s on the benchmark
// machine, four times @node-rs/crc32, whose CRC32 instruction sits behind a function call per 8 bytes); on the
// data path every byte written and read goes through it once. Only its checksums module is loaded.
import { crc32c as nativeCrc32c } from 'aws-crt/dist/native/checksums.js';

/** CRC32C of `data` (unsigned), continuing from `previous`, the CRC32C of the bytes before it. */
export function crc32c(data: Buffer, previous = 0): number {
  return nativeCrc32c(data, previous) >>> 0;
}
