// Part of the composition root: the management API's view of deduplication (`GET /dedup`, the cartridge and status
// views, the metrics), read from the chunk stores and their pass for every cartridge of a deduplicating library.
import type { VtlConfig } from './config/schema.js';
import type { LibraryManager } from './library/library-manager.js';
import {
  dedupTotals, type CartridgeDedupView, type DedupFigures, type DedupPassView, type DedupStatusView, type DedupStoreView, type DedupSummaryView, type DedupView,
} from './management/dedup-status.js';
import { chunkStoreOf } from './media/dedup/create-dedup-media.js';
import type { DedupMediaStore } from './media/dedup/dedup-media-store.js';
import type { DedupScheduler } from './media/dedup/dedup-scheduler.js';

export function dedupView(dedup: { store: DedupMediaStore; scheduler: DedupScheduler }, manager: LibraryManager, config: VtlConfig): DedupView {
  const { store, scheduler } = dedup;
  const deduplicating = config.libraries.filter((l) => l.dedup.enabled);
  const storeOfLibrary = new Map(deduplicating.map((l) => [l.name, chunkStoreOf(l)]));
  const storeNames = [...new Set(storeOfLibrary.values())];
  const libraryOf = (barcode: string): string | undefined => {
    try {
      return manager.cartridge(barcode).location.library;
    } catch {
      return undefined;
    }
  };
  const cartridgesOf = (library: string): string[] => manager.cartridges({ library }).filter((c) => !c.cleaning && !c.mediaMissing).map((c) => c.barcode);
  /** The cartridges measured so far (a cartridge not measured since it changed is left out until it is). */
  const measuredOf = (library: string): CartridgeDedupView[] =>
    cartridgesOf(library).flatMap((barcode) => {
      const usage = store.usageNow(barcode);
      return usage ? [{ barcode, library, ...usage }] : [];
    });
  const passView = (): DedupPassView => {
    const p = scheduler.status;
    return {
      movedBytes: p.movedBytes, busySeconds: p.busySeconds, rounds: p.rounds, containersCollected: p.containersCollected,
      running: p.running, cartridge: p.cartridge ?? null, lastRoundAt: p.lastRoundAt ?? null,
    };
  };
  const storesView = (cartridges: readonly CartridgeDedupView[]): DedupStoreView[] => {
    const stats = new Map(store.stores.stats().map((s) => [s.name, s.stats]));
    return storeNames.map((name) => {
      const libraries = deduplicating.filter((l) => storeOfLibrary.get(l.name) === name).map((l) => l.name);
      const own = cartridges.filter((c) => libraries.includes(c.library));
      const s = stats.get(name);
      const containerBytes = s?.storedBytes ?? 0;
      // What the store holds on disk: its containers, and the data its cartridges have not moved into them yet.
      const totals = dedupTotals(own.map((c) => ({ ...c, storedBytes: c.backlogBytes })), containerBytes);
      return { name, libraries, ...totals, uniqueChunks: s?.uniqueChunks ?? 0, containers: s?.containers ?? 0, containerBytes, indexMemoryBytes: s?.indexMemoryBytes ?? 0 };
    });
  };
  const status = async (): Promise<DedupStatusView> => {
    for (const name of storeNames) await store.chunks(name); // opened, so their figures are there
    const cartridges: CartridgeDedupView[] = [];
    for (const library of deduplicating) {
      for (const barcode of cartridgesOf(library.name)) {
        // A cartridge whose files cannot be read now is left out of the figures, not the whole answer.
        const usage = await store.usage(barcode).catch(() => undefined);
        if (usage) cartridges.push({ barcode, library: library.name, ...usage });
      }
    }
    const stores = storesView(cartridges);
    const logicalBytes = cartridges.reduce((n, c) => n + c.logicalBytes, 0);
    const totals = dedupTotals(stores);
    return { ...totals, logicalBytes, ratio: totals.storedBytes === 0 ? 1 : logicalBytes / totals.storedBytes, pass: passView(), stores, cartridges };
  };
  return {
    status,
    async runPass() {
      await scheduler.runNow();
      return status();
    },
    cartridge(barcode): DedupFigures | undefined {
      return storeOfLibrary.has(libraryOf(barcode) ?? '') ? store.usageNow(barcode) : undefined;
    },
    library(name): DedupFigures | undefined {
      return storeOfLibrary.has(name) ? dedupTotals(measuredOf(name)) : undefined;
    },
    summary(): DedupSummaryView {
      return { pass: passView(), stores: storesView(deduplicating.flatMap((l) => measuredOf(l.name))) };
    },
  };
}
