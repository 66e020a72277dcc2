// A library's elements (SMC-3 element types) and how their addresses are assigned: one contiguous range per type,
// from the configured first address. Contents are kept by (type, index), so a changed first address in the
// config renumbers the elements without moving a cartridge.
import type { LibraryConfig } from '../config/schema.js';
import { LibraryStateError } from './library-state-error.js';

export const ElementType = {
  TRANSPORT: 'transport',
  STORAGE: 'storage',
  IMPORT_EXPORT: 'importExport',
  DATA_TRANSFER: 'dataTransfer',
} as const;
export type ElementType = (typeof ElementType)[keyof typeof ElementType];
export const ELEMENT_TYPES: readonly ElementType[] = ['transport', 'storage', 'importExport', 'dataTransfer'];

/** Operator-facing element names, used in messages ("slot 12", "drive 2"). */
const NOUN: Record<ElementType, string> = {
  transport: 'robot',
  storage: 'slot',
  importExport: 'mail slot',
  dataTransfer: 'drive',
};

export interface ElementRange {
  readonly firstAddress: number;
  readonly count: number;
}

export interface LibraryLayout {
  readonly transport: ElementRange;
  readonly storage: ElementRange;
  readonly importExport: ElementRange;
  readonly dataTransfer: ElementRange;
}

export interface ElementRef {
  readonly type: ElementType;
  /** 0-based position within its type. */
  readonly index: number;
  readonly address: number;
}

/** The layout a library config asks for; refuses overlapping ranges or ranges past FFFFh. */
export function layoutOf(config: LibraryConfig): LibraryLayout {
  const a = config.elementAddresses;
  const layout: LibraryLayout = {
    transport: { firstAddress: a.transport, count: 1 },
    storage: { firstAddress: a.storage, count: config.slots },
    importExport: { firstAddress: a.importExport, count: config.mailSlots },
    dataTransfer: { firstAddress: a.dataTransfer, count: config.drives?.length ?? config.driveCount },
  };
  checkLayout(config.name, layout);
  return layout;
}

export function checkLayout(name: string, layout: LibraryLayout): void {
  const ranges = ELEMENT_TYPES.map((t) => ({ t, ...layout[t] })).filter((r) => r.count > 0);
  for (const r of ranges) {
    if (r.firstAddress + r.count - 1 > 0xffff) {
      throw new LibraryStateError('invalid-argument', `Library "${name}": ${r.t} addresses run past FFFFh`);
    }
  }
  for (const x of ranges) {
    for (const y of ranges) {
      if (x.t < y.t && x.firstAddress < y.firstAddress + y.count && y.firstAddress < x.firstAddress + x.count) {
        throw new LibraryStateError('invalid-argument',
          `Library "${name}": ${x.t} and ${y.t} element addresses overlap`);
      }
    }
  }
}

export function elementAt(layout: LibraryLayout, address: number): ElementRef | undefined {
  for (const type of ELEMENT_TYPES) {
    const r = layout[type];
    if (address >= r.firstAddress && address < r.firstAddress + r.count) {
      return { type, index: address - r.firstAddress, address };
    }
  }
  return undefined;
}

export function addressOf(layout: LibraryLayout, type: ElementType, index: number): number {
  return layout[type].firstAddress + index;
}

/** Every element of the given types (all when omitted), in ascending address order. */
export function elementsOf(layout: LibraryLayout, types: readonly ElementType[] = ELEMENT_TYPES): ElementRef[] {
  const out: ElementRef[] = [];
  for (const type of types) {
    const r = layout[type];
    for (let index = 0; index < r.count; index++) out.push({ type, index, address: r.firstAddress + index });
  }
  return out.sort((x, y) => x.address - y.address);
}

/** "slot 12 (1000Bh)": 1-based as operators count, with the SCSI element address hosts see. */
export function describeElement(ref: ElementRef): string {
  const hex = ref.address.toString(16).toUpperCase().padStart(4, '0');
  return ref.type === 'transport' ? `robot (${hex}h)` : `${NOUN[ref.type]} ${ref.index + 1} (${hex}h)`;
}
