// The TapeMedium contract (tape-medium-contract.ts) on every implementation.
import { MemoryMediaStore } from '../../src/scsi/ssc/testing/memory-media-store.js';
import type { MediaStore } from '../../src/media/tape-medium.js';
import { cartridge, memoryStore, tempStore } from './cartridge-fixture.js';
import { onePartitionContract, partitionContract } from './partition-contract.js';
import { silentLogger } from '../../src/log.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { tapeMediumContract, type MountBlank } from './tape-medium-contract.js';

/** A blank cartridge of `store`, opened; reopen() closes it if needed and opens it again. */
function mountFrom(store: MediaStore, cleanup: () => Promise<void>): MountBlank {
  return async (options = {}) => {
    const descriptor = cartridge({ worm: options.worm ?? false, capacityBytes: options.capacityBytes ?? 64 * 1024 * 1024 });
    await store.create(descriptor);
    let medium = await store.open(descriptor);
    const closeQuietly = (): Promise<void> => medium.close().catch(() => undefined);
    return {
      medium,
      reopen: async () => {
        await closeQuietly();
        medium = await store.open(descriptor);
        return medium;
      },
      cleanup: async () => {
        await closeQuietly();
        await cleanup();
      },
    };
  };
}

tapeMediumContract('FileTapeMedium on MemoryStorage', (options) => mountFrom(memoryStore().store, () => Promise.resolve())(options));

tapeMediumContract('FileTapeMedium on local files', async (options) => {
  const fixture = await tempStore();
  return mountFrom(fixture.store, () => fixture.cleanup())(options);
});

tapeMediumContract('MemoryTapeMedium (the SSC unit tests\' double)', (options) => mountFrom(new MemoryMediaStore(), () => Promise.resolve())(options));

partitionContract('FileTapeMedium on MemoryStorage', (options) => mountFrom(memoryStore().store, () => Promise.resolve())(options));

partitionContract('FileTapeMedium on local files', async (options) => {
  const fixture = await tempStore();
  return mountFrom(fixture.store, () => fixture.cleanup())(options);
});

partitionContract('MemoryTapeMedium', (options) => mountFrom(new MemoryMediaStore(), () => Promise.resolve())(options));

onePartitionContract('FileTapeMedium on a store without partitions (an object store)', (options) => {
  const { storage } = memoryStore();
  return mountFrom(new FileMediaStore({ directory: '.', log: silentLogger(), storage, partitions: false }), () => Promise.resolve())(options);
});
