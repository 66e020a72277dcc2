// One run of a copy (or import) job once it holds a lane on `library`: the virtual cartridge is opened and the
// physical one mounted for the run only, and both are given back whatever the run ends with (the physical cartridge
// to its home element, the medium closed). A copy counts the objects and bytes to copy before it mounts anything.
import type { Cartridge } from '../library/cartridge.js';
import { descriptorOf } from '../library/cartridge-ops.js';
import type { Logger } from '../log.js';
import type { MediaStore } from '../media/tape-medium.js';
import { copyAndVerify, importAndVerify, type CopyRunContext } from './copy-and-verify.js';
import type { CopyJob } from './copy-job-store.js';
import type { PhysicalLibrary } from './physical-library.js';

export async function runOnPhysical(job: CopyJob, cartridge: Cartridge, library: Pick<PhysicalLibrary, 'mount' | 'dismount'>, mediaStore: MediaStore, ctx: CopyRunContext & { readonly log: Logger }): Promise<void> {
  const importing = job.trigger === 'import';
  const medium = await mediaStore.open(descriptorOf({ ...cartridge, generation: cartridge.generation ?? null }));
  try {
    if (!importing) {
      // A copy writes one stream to one physical tape: a second partition would be left behind, silently.
      const partitions = medium.partitionCapacities().length;
      if (partitions > 1) throw new Error(`Cannot copy cartridge ${job.barcode}: it has ${partitions} partitions and a copy to a physical tape keeps one`);
      await medium.spaceToEndOfData();
      job.totalObjects = medium.position().objectNumber;
      job.totalBytes = medium.capacity().usedBytes;
    }
    const mounted = await library.mount(job.barcode);
    try {
      await (importing ? importAndVerify : copyAndVerify)(job, medium, mounted.drive, ctx);
    } finally {
      await library.dismount(mounted).catch((err: unknown) => ctx.log.warn({ err, barcode: job.barcode }, 'copy: could not return the physical cartridge'));
    }
  } finally {
    await medium.close();
  }
}
