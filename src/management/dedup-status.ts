// What deduplication saves (issue 17), as the API (`GET /dedup`), the CLI and the metrics show it. main.ts reads it
// from the chunk store (src/dedup-view.ts): management does not import the media layer.
// Their types come from the API's schemas (schemas/dedup-schemas.ts): a new field goes there, with its description.
import type { CartridgeDedupView, DedupStatusView } from './schemas/dedup-schemas.js';

export type { CartridgeDedupView, DedupStatusView } from './schemas/dedup-schemas.js';

/** What main.ts gives the routes (management does not import the media layer). */
export interface DedupView {
  status(): Promise<DedupStatusView>;
}

/** Totals over the cartridges; the ratio is 1 when nothing is stored. */
export function dedupTotals(cartridges: readonly CartridgeDedupView[]): Pick<DedupStatusView, 'logicalBytes' | 'storedBytes' | 'ratio' | 'backlogBytes'> {
  const logicalBytes = cartridges.reduce((n, c) => n + c.logicalBytes, 0);
  const storedBytes = cartridges.reduce((n, c) => n + c.storedBytes, 0);
  const backlogBytes = cartridges.reduce((n, c) => n + c.backlogBytes, 0);
  return { logicalBytes, storedBytes, ratio: storedBytes === 0 ? 1 : logicalBytes / storedBytes, backlogBytes };
}
