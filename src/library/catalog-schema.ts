// The catalog's rows as the library reads them (CATALOG.md's tables, one to one; catalog-migrations.ts makes them).
import type { ElementType } from './layout.js';

export interface LibraryRow {
  readonly name: string;
  readonly storageCount: number;
  readonly importExportCount: number;
  readonly dataTransferCount: number;
  readonly createdAt: string;
}

export interface CartridgeRow {
  readonly barcode: string;
  readonly generation: number | null;
  readonly worm: boolean;
  readonly cleaning: boolean;
  readonly capacityBytes: number;
  readonly writeProtected: boolean;
  readonly library: string;
  readonly elementType: ElementType | null;
  readonly elementIndex: number | null;
  readonly sourceType: ElementType | null;
  readonly sourceIndex: number | null;
  readonly placedByOperator: boolean;
  readonly mediaMissing: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A place: an element of a library, or the shelf (type and index null). */
export interface Place {
  readonly library: string;
  readonly type: ElementType | null;
  readonly index: number | null;
}

export type IntentKind = 'move' | 'create' | 'delete';

export interface IntentRow {
  readonly id: number;
  readonly kind: IntentKind;
  readonly barcode: string;
  readonly payload: unknown;
  readonly createdAt: string;
}

export interface RawCartridge {
  barcode: string;
  generation: number | null;
  worm: number;
  cleaning: number;
  capacity_bytes: number;
  write_protected: number;
  library: string;
  element_type: ElementType | null;
  element_index: number | null;
  source_type: ElementType | null;
  source_index: number | null;
  placed_by_operator: number;
  media_missing: number;
  created_at: string;
  updated_at: string;
}

export function toRow(r: RawCartridge): CartridgeRow {
  return {
    barcode: r.barcode,
    generation: r.generation,
    worm: r.worm !== 0,
    cleaning: r.cleaning !== 0,
    capacityBytes: r.capacity_bytes,
    writeProtected: r.write_protected !== 0,
    library: r.library,
    elementType: r.element_type,
    elementIndex: r.element_index,
    sourceType: r.source_type,
    sourceIndex: r.source_index,
    placedByOperator: r.placed_by_operator !== 0,
    mediaMissing: r.media_missing !== 0,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export type NewCartridgeRow = Omit<CartridgeRow, 'createdAt' | 'updatedAt' | 'sourceType' | 'sourceIndex' | 'mediaMissing' | 'writeProtected'> & {
  readonly writeProtected?: boolean;
};
