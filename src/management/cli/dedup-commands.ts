// `vtl dedup status` (issue 17): what deduplication saves, per cartridge and in all, and the background pass.
import type { CartridgeDedupView, DedupStatusView } from '../schemas/api-types.js';
import { formatBytes } from './format.js';
import type { CommandBuilders } from './register.js';
import { formatFields, formatTable } from './table.js';

function statusText(s: DedupStatusView): string {
  return (
    formatFields([
      ['Logical', formatBytes(s.logicalBytes)],
      ['Stored', formatBytes(s.storedBytes)],
      ['Ratio', `${s.ratio.toFixed(2)}x`],
      ['Backlog', formatBytes(s.backlogBytes)],
      ['Pass', `${formatBytes(s.pass.movedBytes)} moved in ${s.pass.busySeconds.toFixed(1)} s over ${s.pass.rounds} rounds, ${s.pass.containersCollected} containers collected`],
    ]) +
    (s.cartridges.length === 0
      ? 'No cartridges in deduplicating libraries.\n'
      : formatTable(
          [
            { header: 'BARCODE', value: (c: CartridgeDedupView) => c.barcode },
            { header: 'LIBRARY', value: (c) => c.library },
            { header: 'LOGICAL', value: (c) => formatBytes(c.logicalBytes), align: 'right' },
            { header: 'STORED', value: (c) => formatBytes(c.storedBytes), align: 'right' },
            { header: 'RATIO', value: (c) => `${c.ratio.toFixed(2)}x`, align: 'right' },
            { header: 'BACKLOG', value: (c) => formatBytes(c.backlogBytes), align: 'right' },
          ],
          s.cartridges,
        ))
  );
}

export function registerDedupCommands({ group, leaf, bind }: CommandBuilders): void {
  const dedup = group('dedup', 'deduplication: what the chunk store saves, and the background pass');
  bind(leaf(dedup, 'status', 'logical and stored bytes, ratio and backlog per cartridge and in all'), async ({ client, print }) => {
    const status = await client.get<DedupStatusView>('/dedup');
    print(status, () => statusText(status));
  });
}
