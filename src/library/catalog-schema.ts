// The catalog's SQL schema and its rows as the library reads them (CATALOG.md's tables, one to one).
import type { ElementType } from './layout.js';

/** 1: libraries, cartridges, intents. 2: api_tokens, retention_locks, cartridge_times (additive: a version-1 catalog
 * gains the empty tables when it is opened). */
export const CATALOG_SCHEMA_VERSION = 2;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS libraries (
  name TEXT PRIMARY KEY,
  storage_count INTEGER NOT NULL,
  import_export_count INTEGER NOT NULL,
  data_transfer_count INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cartridges (
  barcode TEXT PRIMARY KEY,
  generation INTEGER,
  worm INTEGER NOT NULL,
  cleaning INTEGER NOT NULL,
  capacity_bytes INTEGER NOT NULL,
  write_protected INTEGER NOT NULL DEFAULT 0,
  library TEXT NOT NULL REFERENCES libraries(name),
  element_type TEXT CHECK (element_type IN ('transport', 'storage', 'importExport', 'dataTransfer')),
  element_index INTEGER,
  source_type TEXT,
  source_index INTEGER,
  placed_by_operator INTEGER NOT NULL DEFAULT 0,
  media_missing INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK ((element_type IS NULL) = (element_index IS NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS cartridges_by_element
  ON cartridges (library, element_type, element_index) WHERE element_type IS NOT NULL;
CREATE TABLE IF NOT EXISTS intents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  barcode TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  secret_sha256 TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS retention_locks (
  barcode TEXT PRIMARY KEY REFERENCES cartridges(barcode) ON DELETE CASCADE,
  mode TEXT NOT NULL CHECK (mode IN ('governance', 'compliance')),
  started_at TEXT NOT NULL,
  until TEXT NOT NULL,
  set_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cartridge_times (
  barcode TEXT PRIMARY KEY REFERENCES cartridges(barcode) ON DELETE CASCADE,
  first_write_at TEXT,
  last_write_at TEXT,
  last_unload_at TEXT
);
`;

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
