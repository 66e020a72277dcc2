// FORMAT.md "Encrypted records", reading: open an encrypted block's envelope with the host's key and undo the
// compression under it. The drive calls this with the key it holds; the medium never sees a key for reading.
import { uncompressSync } from 'lz4-napi';
import { openRecord, type KeyDeriver, type OpenProblem, type RecordPlace } from './record-envelope.js';

export type OpenBlockProblem = OpenProblem | 'decompress';

/** The block as the host wrote it, or why it cannot be had. */
export function openBlock(hostKey: Buffer, envelope: Buffer, place: RecordPlace, deriver?: KeyDeriver): Buffer | OpenBlockProblem {
  const sealed = openRecord(hostKey, envelope, place, deriver);
  if (typeof sealed === 'string' || !place.compressed) return sealed;
  try {
    const block = uncompressSync(sealed);
    return block.length === place.logicalLength ? block : 'decompress';
  } catch {
    return 'decompress';
  }
}
