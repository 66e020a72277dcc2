// A recall: the released cartridge's data comes back from its physical cartridge into a new disk copy, which must
// hold the objects and bytes the release recorded. Errors say what failed in words (the device's sense).
import type { Logger } from '../log.js';
import { readPhysicalInto } from './cartridge-reader.js';
import type { PhysicalLibrary } from './physical-library.js';
import type { ReleasedStub } from './released-store.js';

export async function recallCartridge(libraries: readonly PhysicalLibrary[], stub: ReleasedStub, medium: Parameters<typeof readPhysicalInto>[1], log: Logger): Promise<void> {
  const library = libraries.find((l) => l.name === stub.physicalLibrary);
  const doing = `recall of ${stub.barcode} from the physical library "${stub.physicalLibrary}" failed`;
  if (!library) throw new Error(`${doing}: it is not configured`);
  log.info({ barcode: stub.barcode, physicalLibrary: stub.physicalLibrary }, 'recall: started');
  try {
    const mounted = await library.mount(stub.barcode);
    try {
      const got = await readPhysicalInto(mounted.drive, medium);
      if (got.objects !== stub.objects || got.bytes !== stub.bytes) {
        throw new Error(`the physical cartridge holds ${got.objects} objects (${got.bytes} bytes) where ${stub.objects} (${stub.bytes} bytes) were released`);
      }
    } finally {
      await library.dismount(mounted).catch((err: unknown) => log.warn({ err, barcode: stub.barcode }, 'recall: could not return the physical cartridge'));
    }
  } catch (err) {
    const e = new Error(`${doing}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    log.error({ barcode: stub.barcode, err: e.message }, 'recall: failed');
    throw e;
  }
  log.info({ barcode: stub.barcode }, 'recall: done');
}
