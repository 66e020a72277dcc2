// A cartridge as the library knows it: identity, media properties and where it is.
import type { LtoGeneration } from './lto.js';
import type { ElementType } from './layout.js';
import type { LoadFailureCause } from './load-failure.js';

/** Where a cartridge is: in an element of a library, or on the offline shelf (the vault), outside every library. */
export type CartridgeLocation =
  | {
      readonly kind: 'element';
      readonly library: string;
      readonly type: ElementType;
      readonly index: number;
      readonly address: number;
    }
  | {
      readonly kind: 'shelf';
      /** The library it left from (where it returns by default). */
      readonly library: string;
    };

export interface Cartridge {
  readonly barcode: string;
  /** Undefined only for universal cleaning cartridges (CLNxxxCU). */
  readonly generation: LtoGeneration | undefined;
  readonly worm: boolean;
  readonly cleaning: boolean;
  readonly capacityBytes: number;
  readonly writeProtected: boolean;
  readonly location: CartridgeLocation;
  /** The element it was last moved from (SMC source storage element address), while it sits elsewhere. */
  readonly source: { readonly type: ElementType; readonly index: number; readonly address: number } | undefined;
  /** In a mail slot because the operator put it there (SMC ImpExp = 1), not because the robot exported it. */
  readonly placedByOperator: boolean;
  /** The start-up check found no media file for it; it cannot be loaded. */
  readonly mediaMissing: boolean;
  /** Why its last load into a drive failed (LibraryCore.loadFailures); absent once a load succeeds. */
  readonly loadError?: string;
  /** What kind of failure `loadError` is (the changer's element status reports it as an exception). */
  readonly loadErrorCause?: LoadFailureCause;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface CartridgeFilter {
  readonly library?: string;
  readonly location?: 'element' | 'shelf';
  readonly elementType?: ElementType;
  /** Barcode prefix or glob with `*` and `?`. */
  readonly barcode?: string;
  readonly generation?: LtoGeneration;
  readonly worm?: boolean;
  readonly cleaning?: boolean;
  readonly writeProtected?: boolean;
  readonly mediaMissing?: boolean;
}
