// Part of the composition root: the management API's view of deduplication (`GET /dedup`), read from the chunk
// store and its pass for every cartridge of a deduplicating library.
import type { VtlConfig } from './config/schema.js';
import type { LibraryManager } from './library/library-manager.js';
import { dedupTotals, type CartridgeDedupView, type DedupView } from './management/dedup-status.js';
import type { DedupMediaStore } from './media/dedup/dedup-media-store.js';
import type { DedupScheduler } from './media/dedup/dedup-scheduler.js';

export function dedupView(dedup: { store: DedupMediaStore; scheduler: DedupScheduler }, manager: LibraryManager, config: VtlConfig): DedupView {
  const deduplicating = new Set(config.libraries.filter((l) => l.dedup.enabled).map((l) => l.name));
  return {
    async status() {
      const cartridges: CartridgeDedupView[] = [];
      for (const library of deduplicating) {
        for (const c of manager.cartridges({ library })) {
          if (c.cleaning || c.mediaMissing) continue;
          // A cartridge whose files cannot be read now is left out of the figures, not the whole answer.
          const usage = await dedup.store.usage(c.barcode).catch(() => undefined);
          if (usage) cartridges.push({ barcode: c.barcode, library, ...usage });
        }
      }
      const { movedBytes, busySeconds, rounds, containersCollected } = dedup.scheduler.status;
      return { ...dedupTotals(cartridges), pass: { movedBytes, busySeconds, rounds, containersCollected }, cartridges };
    },
  };
}
