// The management service's request and answer shapes that are not views of the model (views.ts has those).
import type { LtoGeneration } from '../library/lto.js';
import type { RetentionStatus } from '../library/retention.js';
import type { DedupFigures, DedupSummaryView } from './dedup-status.js';
import type { SessionView } from './session-view.js';
import type { LocationKind } from './views.js';

export interface ServerStatus {
  readonly version: string;
  readonly startedAt: string;
  readonly uptimeSeconds: number;
  readonly pid: number;
  readonly libraries: readonly {
    readonly name: string;
    readonly iqn: string;
    readonly drives: number;
    readonly mountedDrives: number;
    readonly cartridges: number;
    readonly freeSlots: number;
    readonly freeMailSlots: number;
    /** A deduplicating library's cartridges in all. */
    readonly dedup?: DedupFigures;
  }[];
  readonly sessions: readonly SessionView[];
  /** With a deduplicating library: the chunk stores and the background pass. */
  readonly dedup?: DedupSummaryView;
  /** Whether the catalog can write; while it cannot, every change is refused with 507 or 503. */
  readonly catalog: { readonly writable: boolean; readonly problem: 'no-space' | 'io-error' | null; readonly since: string | null };
}

export interface CartridgeQuery {
  readonly library?: string;
  /** Barcode prefix, or a glob with `*` and `?`. */
  readonly barcode?: string;
  readonly location?: LocationKind;
  readonly generation?: LtoGeneration;
  readonly worm?: boolean;
}

export interface CreateCartridges {
  readonly library: string;
  /** One barcode, or the first of a range of `count`. */
  readonly barcode: string;
  readonly count?: number;
  readonly generation?: LtoGeneration;
  readonly capacityBytes?: number;
  readonly worm?: boolean;
  /** Put them in free mail slots instead of free storage slots. */
  readonly mailSlot?: boolean;
}

/** A cartridge's retention lock: `locked` now or not, and the last lock it had (kept after expiry). */
export interface RetentionView extends RetentionStatus {
  readonly barcode: string;
  readonly startedAt: string | null;
  readonly setBy: string | null;
}
