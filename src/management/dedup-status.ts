// What deduplication saves (issue 17), as the API (`GET /dedup`), the CLI and the metrics show it. main.ts reads it
// from the chunk store (src/dedup-view.ts): management does not import the media layer.
/** One cartridge of a deduplicating library, as the media layer measures it (docs/FORMAT.md "Deduplication"). */
export interface CartridgeDedupView {
  readonly barcode: string;
  readonly library: string;
  /** Data bytes as the host wrote them. */
  readonly logicalBytes: number;
  /** What it added to the chunk store, plus what is still in its data file (an upper bound of what it holds alone). */
  readonly storedBytes: number;
  readonly ratio: number;
  /** Bytes the background pass has not moved into chunks yet. */
  readonly backlogBytes: number;
}

export interface DedupStatusView {
  readonly logicalBytes: number;
  readonly storedBytes: number;
  readonly ratio: number;
  readonly backlogBytes: number;
  /** The background pass: bytes moved into chunks, seconds it worked, rounds run, containers collected. */
  readonly pass: { readonly movedBytes: number; readonly busySeconds: number; readonly rounds: number; readonly containersCollected: number };
  readonly cartridges: readonly CartridgeDedupView[];
}

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
