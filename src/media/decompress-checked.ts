// A compressed payload read back (FORMAT.md "Reading"): its CRC is checked before anything else, then it is
// decompressed into the buffer given, on a payload worker when both sides are shared memory, on the event loop when
// they are not or the worker fails. Problems come back as values, never as thrown errors.
import { uncompressSync } from 'lz4-napi';
import { crc32c } from '../crc32c.js';
import { copyBytes } from './copy-bytes.js';
import type { PayloadWorkers } from './payload-workers.js';

export const CRC_PROBLEM = 'the record payload fails its CRC';

/**
 * Check `stored` against `payloadCrc` and decompress it into `out`: the decompressed length (larger than `out` when
 * it did not fit, and then nothing is promised of `out`), CRC_PROBLEM, or why the codec refused the payload. A worker
 * that answers with a problem (it stopped) is not trusted with the CRC: the event loop does both checks again.
 */
export async function decompressChecked(workers: Pick<PayloadWorkers, 'decompress'>, stored: Buffer, out: Buffer, payloadCrc: number): Promise<number | string> {
  if (stored.buffer instanceof SharedArrayBuffer && out.buffer instanceof SharedArrayBuffer) {
    const result = await workers.decompress({
      input: stored.buffer, inputOffset: stored.byteOffset, length: stored.length,
      output: out.buffer, outputOffset: out.byteOffset, outputCapacity: out.length,
    });
    if ('crc' in result) return result.crc === payloadCrc ? result.length : CRC_PROBLEM;
  }
  if (crc32c(stored) !== payloadCrc) return CRC_PROBLEM;
  try {
    const data = uncompressSync(stored);
    if (data.length > out.length) return data.length;
    copyBytes(data, out);
    return data.length;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
