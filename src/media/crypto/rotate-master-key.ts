// `vtl key rotate` (docs/SECURITY.md "Encryption at rest"): every cartridge's data key is unwrapped with the current
// master key and wrapped with the new one; only the metadata files change (replaced atomically), never a record.
// Run it with vtl stopped: a loaded cartridge would save its metadata, with the old wrap, over the new one.
import type { Logger } from '../../log.js';
import type { Storage } from '../../storage/storage.js';
import { decodeMetadata, encodeMetadata } from '../cartridge-metadata.js';
import { BARCODE_PATTERN, CartridgeFile, cartridgePath } from '../cartridge-files.js';
import { chunkStoreKeyFolders, rewrapChunkStoreKey } from '../dedup/chunk-sealer.js';
import { CartridgeKeyError, type MasterKey } from './master-key.js';

export interface RotationReport {
  /** Re-wrapped under the new key. */
  readonly rotated: string[];
  /** Already under the new key (a rotation that was interrupted and run again). */
  readonly alreadyNew: string[];
  /** Not encrypted at rest (they get a data key at their next load with the new key). */
  readonly plain: string[];
  /** Could not be re-wrapped, with the reason; left as they were. */
  readonly failed: { barcode: string; reason: string }[];
}

export async function rotateMasterKey(storage: Storage, current: MasterKey | undefined, next: MasterKey, log: Logger): Promise<RotationReport> {
  const report: RotationReport = { rotated: [], alreadyNew: [], plain: [], failed: [] };
  for (const name of (await storage.list('.')).sort()) {
    if (!BARCODE_PATTERN.test(name)) continue;
    const path = cartridgePath(name, CartridgeFile.METADATA);
    const bytes = await storage.readFile(path);
    if (bytes === undefined) continue;
    const metadata = decodeMetadata(bytes);
    if (typeof metadata === 'string') {
      report.failed.push({ barcode: name, reason: `its metadata file is unusable: ${metadata}` });
      continue;
    }
    const wrapped = metadata.atRest;
    if (wrapped === undefined) {
      report.plain.push(name);
      continue;
    }
    if (wrapped.master === next.id) {
      report.alreadyNew.push(name);
      continue;
    }
    try {
      if (current === undefined) throw new CartridgeKeyError(`Cannot re-wrap cartridge "${name}": no current master key is configured`, name);
      const dataKey = current.unwrap(wrapped, name);
      metadata.atRest = next.wrap(dataKey, name);
      await storage.writeFileAtomic(path, encodeMetadata(metadata));
      report.rotated.push(name);
      log.info({ barcode: name, from: wrapped.master, to: next.id }, 'data key re-wrapped under the new master key');
    } catch (error) {
      if (!(error instanceof CartridgeKeyError)) throw error;
      report.failed.push({ barcode: name, reason: error.message });
    }
  }
  // The chunk stores' keys (deduplication, FORMAT.md "Deduplication / Encryption at rest"), reported by folder.
  for (const folder of await chunkStoreKeyFolders(storage)) {
    try {
      report[(await rewrapChunkStoreKey(storage, folder, current, next)) === 'rotated' ? 'rotated' : 'alreadyNew'].push(folder);
    } catch (error) {
      if (!(error instanceof CartridgeKeyError)) throw error;
      report.failed.push({ barcode: folder, reason: error.message });
    }
  }
  return report;
}
