// The TapeMedium contract (tape-medium-contract.ts) on deduplicated cartridges (src/media/dedup/): before every read
// and every move, the background pass moves what was written into the recipe, so reads, SPACE and LOCATE go through
// recipes and chunks, and writes after a rewind or a locate cut the recipe.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/log.js';
import { DedupMediaStore } from '../../src/media/dedup/dedup-media-store.js';
import { DedupTapeMedium } from '../../src/media/dedup/dedup-tape-medium.js';
import type { TapeMedium } from '../../src/media/tape-medium.js';
import { MemoryStorage } from '../../src/storage/memory-storage.js';
import { cartridge } from './cartridge-fixture.js';
import { onePartitionContract } from './partition-contract.js';
import { tapeMediumContract, type MountBlank } from './tape-medium-contract.js';

const ABSORB_BEFORE = new Set(['read', 'spaceBlocks', 'spaceFilemarks', 'spaceSequentialFilemarks', 'spaceToEndOfData', 'locate', 'rewind']);
/** Small chunks, so a block of the suite spans several and chunks span blocks. */
const SIZES = { minBytes: 64, averageBytes: 128, maxBytes: 512 };

/** `medium` with the background pass run before each read and move, as an idle drive would let it. */
function absorbingBeforeReads(medium: DedupTapeMedium): TapeMedium {
  return new Proxy(medium, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (typeof property !== 'string' || !ABSORB_BEFORE.has(property)) return method.bind(target);
      return async (...args: unknown[]): Promise<unknown> => {
        if (target.unabsorbedObjects > 0) await target.absorb(SIZES).catch(() => undefined); // a refused absorb leaves the call to be refused
        return method.apply(target, args);
      };
    },
  });
}

function mountFrom(store: DedupMediaStore, cleanup: () => Promise<void>): MountBlank {
  return async (options = {}) => {
    const descriptor = cartridge({ worm: options.worm ?? false, capacityBytes: options.capacityBytes ?? 64 * 1024 * 1024 });
    await store.create(descriptor);
    const mount = async (): Promise<TapeMedium> => absorbingBeforeReads((await store.open(descriptor)) as DedupTapeMedium);
    let medium = await mount();
    const closeQuietly = (): Promise<void> => medium.close().catch(() => undefined);
    return {
      medium,
      reopen: async () => {
        await closeQuietly();
        medium = await mount();
        return medium;
      },
      cleanup: async () => {
        await closeQuietly();
        await cleanup();
      },
    };
  };
}

tapeMediumContract('DedupTapeMedium on MemoryStorage', (options) => {
  const storage = new MemoryStorage();
  return mountFrom(new DedupMediaStore({ directory: '/unused', log: silentLogger(), storage }), () => Promise.resolve())(options);
});

tapeMediumContract('DedupTapeMedium on local files', async (options) => {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-dedup-'));
  return mountFrom(new DedupMediaStore({ directory, log: silentLogger() }), () => rm(directory, { recursive: true, force: true }))(options);
});

onePartitionContract('DedupTapeMedium', (options) => {
  const storage = new MemoryStorage();
  return mountFrom(new DedupMediaStore({ directory: '/unused', log: silentLogger(), storage }), () => Promise.resolve())(options);
});
