// FORMAT.md "Deduplication / The background pass": moves a cartridge's data file into its recipe (chunk, store the
// unique chunks, sync, switch the recipe, erase the data file) and collects containers no recipe references. It
// runs on cartridges that are not mounted, one job at a time (SerialQueue), and every step is crash safe: before
// the switch nothing references the new chunks (a crash leaves garbage for the collector); after it, open() finishes
// the switch (dedup-media-store.ts).
import type { Logger } from '../../log.js';
import { SerialQueue } from '../../serial-queue.js';
import type { CartridgeDescriptor } from '../tape-medium.js';
import { absorbDataFile, HostEncryptedDataError, WormNotDeduplicatedError, type AbsorbResult, type StepHook } from './absorb-data-file.js';
import { DEFAULT_CHUNK_SIZES, type ChunkSizes } from './content-chunker.js';
import type { DedupMediaStore } from './dedup-media-store.js';
import type { ChunkRef } from './recipe.js';

export interface ScrubReport {
  readonly chunks: number;
  readonly verifiedBytes: number;
  readonly damaged: readonly { readonly store: string; readonly container: number; readonly offset: number; readonly problem: string; readonly cartridges: readonly string[] }[];
  readonly affectedCartridges: readonly string[];
}

export class DedupPass {
  private readonly queue = new SerialQueue();
  /** WORM cartridges, and those whose data file holds host-encrypted records (HostEncryptedDataError): left out until a restart. */
  private readonly hostEncrypted = new Set<string>();

  constructor(
    private readonly store: DedupMediaStore,
    private readonly log: Logger,
    private readonly sizes: ChunkSizes = DEFAULT_CHUNK_SIZES,
    private readonly step: StepHook = () => undefined,
  ) {}

  /** Move the cartridge's data file into its recipe; undefined when it is mounted (try again when it is idle). */
  absorb(cartridge: CartridgeDescriptor): Promise<AbsorbResult | undefined> {
    return this.queue.run(() => this.absorbNow(cartridge));
  }

  /**
   * Remove every closed container that no recipe references (mark and sweep), in each chunk store; the containers
   * removed. A store's live set is the recipes that name it (chunk-stores.ts), read inside its exclusive() so no move
   * is half done. Retention-locked and WORM cartridges are never collected: their recipes mark their chunks.
   * `barcodes`: recipes to mark besides those of the store's folder (none in the composition today).
   */
  collect(barcodes: readonly string[] = []): Promise<number[]> {
    return this.queue.run(async () => {
      const removed: number[] = [];
      for (const name of this.store.stores.all) {
        const chunks = await this.store.chunks(name);
        removed.push(...(await chunks.exclusive(async () => {
          const live = new Set<number>();
          for (const barcode of new Set([...(await this.store.list()), ...barcodes])) {
            const recipe = await this.store.readRecipe(barcode);
            if (recipe.chunkStoreId !== chunks.id) continue;
            for (const ref of recipe.chunks) live.add(ref.container);
          }
          const { numbers, open } = chunks.containers();
          const dead = numbers.filter((n) => n !== open && !live.has(n));
          if (dead.length > 0) await chunks.removeContainers(dead);
          return dead;
        })));
      }
      return removed;
    });
  }

  /**
   * Verify every chunk the recipes reference, BLAKE3 included (`vtl scrub`), at most `bytesPerSecond` (a bounded
   * rate: scrub must not take the disk from the hosts). Returns the damaged chunks and the cartridges using them.
   */
  scrub(bytesPerSecond = 100 * 1024 * 1024): Promise<ScrubReport> {
    return this.queue.run(async () => {
      const users = new Map<string, { store: string; ref: ChunkRef; barcodes: Set<string> }>();
      for (const barcode of await this.store.list()) {
        const recipe = await this.store.readRecipe(barcode);
        if (recipe.chunks.length === 0) continue;
        const store = this.store.stores.nameOf(recipe.chunkStoreId, barcode);
        for (const ref of recipe.chunks) {
          const key = `${store}:${ref.container}:${ref.offset}`;
          const entry = users.get(key) ?? { store, ref, barcodes: new Set<string>() };
          entry.barcodes.add(barcode);
          users.set(key, entry);
        }
      }
      const started = Date.now();
      let verifiedBytes = 0;
      const damaged: ScrubReport['damaged'][number][] = [];
      for (const { store, ref, barcodes } of users.values()) {
        const problem = await (await this.store.chunks(store)).verify(ref);
        if (problem !== undefined) {
          damaged.push({ store, container: ref.container, offset: ref.offset, problem, cartridges: [...barcodes].sort() });
          this.log.error({ store, container: ref.container, offset: ref.offset, problem, cartridges: [...barcodes] }, 'scrub found a damaged chunk');
        }
        verifiedBytes += ref.length;
        const aheadMs = (verifiedBytes / bytesPerSecond) * 1000 - (Date.now() - started);
        if (aheadMs > 10) await new Promise((resolve) => setTimeout(resolve, aheadMs));
      }
      return { chunks: users.size, verifiedBytes, damaged, affectedCartridges: [...new Set(damaged.flatMap((d) => d.cartridges))].sort() };
    });
  }

  private async absorbNow(cartridge: CartridgeDescriptor): Promise<AbsorbResult | undefined> {
    if (this.store.isMounted(cartridge.barcode) || this.hostEncrypted.has(cartridge.barcode)) return undefined;
    return this.store.holdForPass(cartridge.barcode, async (signal) => {
      const { tail, recipe } = await this.store.openParts(cartridge);
      try {
        const { result } = await absorbDataFile({ tail, recipe, chunks: await this.store.chunksFor(cartridge.barcode, recipe), storage: this.store.storage, sizes: this.sizes, step: this.step, signal });
        if (result.objects > 0) this.log.info({ barcode: cartridge.barcode, ...result }, 'data file moved into the deduplicated recipe');
        return result;
      } catch (error) {
        if (error instanceof HostEncryptedDataError || error instanceof WormNotDeduplicatedError) {
          // Not tried again until the next start: reading the whole data file every round would find the same.
          this.hostEncrypted.add(cartridge.barcode);
          this.log.info({ barcode: cartridge.barcode, reason: error.message }, 'cartridge left out of deduplication');
          return undefined;
        }
        if (!signal.aborted) throw error;
        this.log.info({ barcode: cartridge.barcode }, 'the pass gave way (a mount, a delete or shutdown) before its switch');
        return undefined;
      } finally {
        await tail.close();
      }
    });
  }

}
