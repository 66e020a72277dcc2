// `vtl dedup status|run` (issue 17): what deduplication saves, per cartridge, chunk store and in all, and the
// background pass (its progress and backlog; a round on request).
import type { CartridgeDedupView, DedupPassView, DedupStatusView, DedupStoreView, DedupSummaryView } from '../schemas/api-types.js';
import { dedupColumns, formatBytes } from './format.js';
import type { CommandBuilders } from './register.js';
import { formatFields, formatTable } from './table.js';

function passText(p: DedupPassView, backlogBytes: number): string {
  const now = p.running ? (p.cartridge ? `moving ${p.cartridge.barcode} (${formatBytes(p.cartridge.backlogBytes)})` : 'running') : 'idle';
  return `${now}; ${formatBytes(backlogBytes)} waiting; ${formatBytes(p.movedBytes)} moved in ${p.busySeconds.toFixed(1)} s over ${p.rounds} rounds, ${p.containersCollected} containers collected${p.lastRoundAt ? `, last round ${p.lastRoundAt}` : ''}`;
}

function storesTable(stores: readonly DedupStoreView[]): string {
  return formatTable(
    [
      { header: 'CHUNK STORE', value: (s: DedupStoreView) => s.name },
      { header: 'LIBRARIES', value: (s) => s.libraries.join(', ') },
      ...dedupColumns((s: DedupStoreView) => s),
      { header: 'BACKLOG', value: (s) => formatBytes(s.backlogBytes), align: 'right' },
      { header: 'CHUNKS', value: (s) => s.uniqueChunks, align: 'right' },
      { header: 'CONTAINERS', value: (s) => s.containers, align: 'right' },
      { header: 'INDEX MEMORY', value: (s) => formatBytes(s.indexMemoryBytes), align: 'right' },
    ],
    stores,
  );
}

/** The chunk stores and the pass, as `vtl status` shows them under the libraries. */
export function dedupSummaryText(summary: DedupSummaryView): string {
  const backlogBytes = summary.stores.reduce((n, s) => n + s.backlogBytes, 0);
  return `Deduplication pass: ${passText(summary.pass, backlogBytes)}\n${storesTable(summary.stores)}`;
}

function statusText(s: DedupStatusView): string {
  return (
    formatFields([
      ['Logical', formatBytes(s.logicalBytes)],
      ['Stored', formatBytes(s.storedBytes)],
      ['Ratio', `${s.ratio.toFixed(2)}x`],
      ['Backlog', formatBytes(s.backlogBytes)],
      ['Pass', passText(s.pass, s.backlogBytes)],
    ]) +
    `\n${storesTable(s.stores)}\n` +
    (s.cartridges.length === 0
      ? 'No cartridges in deduplicating libraries.\n'
      : formatTable(
          [
            { header: 'BARCODE', value: (c: CartridgeDedupView) => c.barcode },
            { header: 'LIBRARY', value: (c) => c.library },
            ...dedupColumns((c: CartridgeDedupView) => c),
            { header: 'BACKLOG', value: (c) => formatBytes(c.backlogBytes), align: 'right' },
          ],
          s.cartridges,
        ))
  );
}

export function registerDedupCommands({ group, leaf, bind }: CommandBuilders): void {
  const dedup = group('dedup', 'deduplication: what the chunk stores save, and the background pass');
  bind(leaf(dedup, 'status', 'logical and stored bytes, ratio and backlog per cartridge, chunk store and in all'), async ({ client, print }) => {
    const status = await client.get<DedupStatusView>('/dedup');
    print(status, () => statusText(status));
  });
  bind(leaf(dedup, 'run', 'run a round of the background pass now (cartridges in drives wait), and show the status after it'), async ({ client, print }) => {
    const status = await client.post<DedupStatusView>('/dedup/pass');
    print(status, () => statusText(status));
  });
}
