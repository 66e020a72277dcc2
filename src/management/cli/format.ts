// How the CLI writes and reads human values: sizes, locations, durations, barcode ranges.
import type { LocationKind, LocationView } from '../schemas/api-types.js';
import type { Column } from './table.js';

/**
 * "lib0 slot 3 (1002h)": slots and mail slots count from 1 and drives from 0, as mtx numbers storage and data
 * transfer elements; the element address in parentheses is unambiguous either way.
 */
export function describeLocation(location: LocationView): string {
  if (location.kind === 'shelf') return `shelf (${location.library})`;
  return `${location.library} ${describeElement(location.kind, location.index ?? 0, location.address ?? 0)}`;
}

/** "slot 3 (1002h)", "drive 0 (0100h)", "robot (0000h)". */
export function describeElement(kind: Exclude<LocationKind, 'shelf'>, index: number, address: number): string {
  const hex = `${address.toString(16).toUpperCase().padStart(4, '0')}h`;
  if (kind === 'robot') return `robot (${hex})`;
  const noun = { slot: 'slot', mailslot: 'mail slot', drive: 'drive' }[kind];
  return `${noun} ${index + (kind === 'drive' ? 0 : 1)} (${hex})`;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/** Decimal units, as tape capacities are quoted (LTO-8: 12 TB). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const text = unit === 0 ? String(value) : value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
  return `${text.replace(/\.0+$/, '')} ${UNITS[unit] ?? 'B'}`;
}

/** A deduplication ratio as `vtl tape list`, `vtl status` and `vtl dedup status` print it: "11.40x". */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}x`;
}

/** Logical, stored and ratio columns for rows that may carry deduplication figures ("-" where they do not). */
export function dedupColumns<Row>(figures: (row: Row) => { logicalBytes: number; storedBytes: number; ratio: number } | undefined): Column<Row>[] {
  return [
    { header: 'LOGICAL', value: (r) => { const f = figures(r); return f ? formatBytes(f.logicalBytes) : '-'; }, align: 'right' },
    { header: 'STORED', value: (r) => { const f = figures(r); return f ? formatBytes(f.storedBytes) : '-'; }, align: 'right' },
    { header: 'RATIO', value: (r) => { const f = figures(r); return f ? formatRatio(f.ratio) : '-'; }, align: 'right' },
  ];
}

const MULTIPLIER: Record<string, number> = {
  '': 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  p: 1e15,
  ki: 2 ** 10,
  mi: 2 ** 20,
  gi: 2 ** 30,
  ti: 2 ** 40,
  pi: 2 ** 50,
};

/** "10G" = 10^10 bytes, "512Mi" = 512 * 2^20; a bare number is bytes. Undefined when unreadable. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp]i?)?b?$/i.exec(text.trim());
  if (!match) return undefined;
  const bytes = Number(match[1]) * (MULTIPLIER[(match[2] ?? '').toLowerCase()] ?? NaN);
  return Number.isSafeInteger(Math.round(bytes)) ? Math.round(bytes) : undefined;
}

/** "A00000L8-A00009L8" -> first A00000L8, count 10; both ends must share prefix and suffix. */
export function parseBarcodeRange(text: string): { first: string; count: number } | string {
  const ends = text.split('-');
  const [first, last] = ends;
  if (ends.length !== 2 || first === undefined || last === undefined) return `"${text}" is not a range FIRST-LAST, e.g. A00000L8-A00009L8`;
  const shape = /^([A-Z0-9]*?)(\d+)([A-Z0-9]{2})$/;
  const a = shape.exec(first);
  const b = shape.exec(last);
  if (!a || !b || first.length !== 8 || last.length !== 8) return `"${text}": both ends must be 8-character barcodes ending in digits and a suffix, e.g. A00000L8-A00009L8`;
  if (a[1] !== b[1] || a[3] !== b[3] || a[2]?.length !== b[2]?.length) return `"${text}": both ends must have the same prefix and suffix`;
  const count = Number(b[2]) - Number(a[2]) + 1;
  if (count < 1) return `"${text}": the last barcode comes before the first`;
  return { first, count };
}

export function formatDuration(totalSeconds: number): string {
  const d = Math.floor(totalSeconds / 86400);
  const h = Math.floor((totalSeconds % 86400) / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  if (d > 0) return `${d}d ${h}h ${String(m).padStart(2, '0')}m`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(s).padStart(2, '0')}s`;
}
