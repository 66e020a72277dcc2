// What deduplication saves (issue 17), as the API (`GET /dedup`, the cartridge and status views), the CLI and the
// metrics show it. main.ts reads it from the chunk stores (src/dedup-view.ts): management does not import the media
// layer. Their types come from the API's schemas (schemas/dedup-schemas.ts): a new field goes there, with its description.
import type { DedupFigures, DedupStatusView, DedupSummaryView } from './schemas/dedup-schemas.js';

export type {
  CartridgeDedupView, DedupFigures, DedupPassView, DedupStatusView, DedupStoreView, DedupSummaryView,
} from './schemas/dedup-schemas.js';

/** What main.ts gives the routes, the service and the metrics (management does not import the media layer). */
export interface DedupView {
  /** Every cartridge measured (those not measured since they changed are read now). */
  status(): Promise<DedupStatusView>;
  /** A round of the background pass now, as if the drives were idle; the status after it. */
  runPass(): Promise<DedupStatusView>;
  /** Without I/O, from the figures at hand: undefined for a cartridge not deduplicating or not measured yet. */
  cartridge(barcode: string): DedupFigures | undefined;
  /** Without I/O: a deduplicating library's cartridges in all (those measured); undefined for another library. */
  library(name: string): DedupFigures | undefined;
  /** Without I/O. */
  summary(): DedupSummaryView;
}

/** Totals over cartridges (or libraries); the ratio is 1 when nothing is stored. */
export function dedupTotals(parts: readonly DedupFigures[], extraStoredBytes = 0): DedupFigures {
  const logicalBytes = parts.reduce((n, c) => n + c.logicalBytes, 0);
  const storedBytes = parts.reduce((n, c) => n + c.storedBytes, 0) + extraStoredBytes;
  const backlogBytes = parts.reduce((n, c) => n + c.backlogBytes, 0);
  return { logicalBytes, storedBytes, ratio: storedBytes === 0 ? 1 : logicalBytes / storedBytes, backlogBytes };
}
