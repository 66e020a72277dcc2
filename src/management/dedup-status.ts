// What deduplication saves (issue 17), as the API (`GET /dedup`, the cartridge and status views), the CLI and the
// metrics show it. main.ts reads it from the chunk stores (src/dedup-view.ts): management does not import the media layer.

/** Logical and stored bytes of a cartridge, a library or a chunk store (docs/FORMAT.md "Deduplication"). */
export interface DedupFigures {
  /** Data bytes as the host wrote them. */
  readonly logicalBytes: number;
  /**
   * Per cartridge: what it added to its chunk store plus what is still in its data file (an upper bound of what it
   * holds alone: the second copy of a backup costs little). Per chunk store: its containers plus its cartridges' data files.
   */
  readonly storedBytes: number;
  /** logical / stored; 1 when nothing is stored. */
  readonly ratio: number;
  /** Bytes the background pass has not moved into chunks yet. */
  readonly backlogBytes: number;
}

/** One cartridge of a deduplicating library. */
export interface CartridgeDedupView extends DedupFigures {
  readonly barcode: string;
  readonly library: string;
}

/** A chunk store: `global` (shared by the libraries with scope global) or a library's own (scope library). */
export interface DedupStoreView extends DedupFigures {
  readonly name: string;
  readonly libraries: readonly string[];
  readonly uniqueChunks: number;
  readonly containers: number;
  /** Bytes of its container files. */
  readonly containerBytes: number;
  /** Memory its index holds (docs/FORMAT.md "Index": ~0.7 GiB per TiB of unique data). */
  readonly indexMemoryBytes: number;
}

/** The background pass: what it did since the start, and what it does now. */
export interface DedupPassView {
  readonly movedBytes: number;
  readonly busySeconds: number;
  readonly rounds: number;
  readonly containersCollected: number;
  readonly running: boolean;
  /** The cartridge it is moving now and the bytes it had to move; null between cartridges. */
  readonly cartridge: { readonly barcode: string; readonly backlogBytes: number } | null;
  readonly lastRoundAt: string | null;
}

export interface DedupStatusView extends DedupFigures {
  readonly pass: DedupPassView;
  readonly stores: readonly DedupStoreView[];
  readonly cartridges: readonly CartridgeDedupView[];
}

/** The part of the status that `GET /status` carries: the stores and the pass, no cartridge list. */
export interface DedupSummaryView {
  readonly pass: DedupPassView;
  readonly stores: readonly DedupStoreView[];
}

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
