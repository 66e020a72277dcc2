// The management service's requests in the model's terms (the routes turn the API's bodies and queries into them).
// Its answers' types come from the API's schemas: ServerStatus and RetentionView are re-exported from there.
import type { LtoGeneration } from '../library/lto.js';
import type { LocationKind } from './views.js';

export type { ServerStatus } from './schemas/inventory-schemas.js';
export type { RetentionView } from './schemas/security-schemas.js';

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
