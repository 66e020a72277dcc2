// The JSON shapes the management API returns (and the CLI prints): flat, stable, operator-named, independent of
// how the library model stores things. The OpenAPI document (http/openapi.ts) describes exactly these.
import type { Cartridge, CartridgeLocation } from '../library/cartridge.js';
import type { ElementType } from '../library/layout.js';
import type { LibraryEvent } from '../library/library-event.js';
import type { DriveInfo, ElementStatus, LibraryInfo } from '../library/library-manager.js';
import { LTO_GENERATIONS } from '../library/lto.js';
import type { DedupFigures } from './dedup-status.js';

/** Where a cartridge is, in operator words: `robot` is the transport element, `shelf` the offline vault. */
export const LOCATION_KINDS = ['slot', 'mailslot', 'drive', 'robot', 'shelf'] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];

export const KIND_OF_ELEMENT = {
  transport: 'robot',
  storage: 'slot',
  importExport: 'mailslot',
  dataTransfer: 'drive',
} as const satisfies Record<ElementType, LocationKind>;

export const ELEMENT_OF_KIND = {
  robot: 'transport',
  slot: 'storage',
  mailslot: 'importExport',
  drive: 'dataTransfer',
} as const satisfies Record<Exclude<LocationKind, 'shelf'>, ElementType>;

export interface LocationView {
  readonly kind: LocationKind;
  readonly library: string;
  /** Element address; null on the shelf. */
  readonly address: number | null;
  /** 0-based position among the elements of its kind; null on the shelf. */
  readonly index: number | null;
}

export interface CartridgeView {
  readonly barcode: string;
  /** 5..10; null for universal cleaning cartridges (CLNxxxCU). */
  readonly generation: number | null;
  readonly media: string;
  readonly worm: boolean;
  readonly cleaning: boolean;
  readonly writeProtected: boolean;
  readonly capacityBytes: number;
  readonly location: LocationView;
  /** The element it last left (where an unload returns it); null when at home. */
  readonly sourceAddress: number | null;
  readonly placedByOperator: boolean;
  readonly mediaMissing: boolean;
  /** Why its last load into a drive failed (e.g. its data key does not unwrap with the master key); absent when none did. */
  readonly loadError?: string;
  /** In a deduplicating library: logical and stored bytes, ratio and backlog (absent until first measured). */
  readonly dedup?: DedupFigures;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface LibraryView {
  readonly name: string;
  readonly iqn: string;
  readonly slots: number;
  readonly mailSlots: number;
  readonly drives: number;
  readonly cartridges: number;
  readonly freeSlots: number;
  readonly freeMailSlots: number;
  /** A host holds PREVENT MEDIUM REMOVAL on the changer: the mail slots are locked. */
  readonly removalPrevented: boolean;
  readonly elementAddresses: Readonly<Record<'robot' | 'slot' | 'mailslot' | 'drive', { readonly first: number; readonly count: number }>>;
}

export interface ElementView {
  readonly kind: Exclude<LocationKind, 'shelf'>;
  readonly address: number;
  readonly index: number;
  readonly barcode: string | null;
  readonly accessible: boolean;
  /** A mail slot opened by OPEN IMPORT/EXPORT ELEMENT (out of the robot's reach). */
  readonly open: boolean;
  readonly exception: string | null;
}

export interface DrivePosition {
  readonly partition: number;
  /** Logical object (block) number, as READ POSITION reports it. */
  readonly blockNumber: number;
  /** Filemarks before the position; null when the drive does not track it. */
  readonly fileNumber: number | null;
}

export interface DriveView {
  readonly library: string;
  /** 0-based, as mtx numbers data transfer elements. */
  readonly index: number;
  readonly address: number;
  readonly vendor: string;
  readonly product: string;
  readonly revision: string;
  readonly serial: string;
  /** A drive is connected to this element (false only during start-up). */
  readonly attached: boolean;
  /** The cartridge in the drive element (the catalog's view). */
  readonly barcode: string | null;
  /** The drive has the cartridge mounted (the drive's own view). */
  readonly mounted: boolean;
  readonly ejected: boolean;
  readonly removalPrevented: boolean;
  readonly position: DrivePosition | null;
  /** Host bytes written and read since the cartridge was loaded; null when no cartridge is mounted. */
  readonly bytesWritten: number | null;
  readonly bytesRead: number | null;
}

export interface EventView {
  /** Increasing from 1 since the server started; `since` and SSE `Last-Event-ID` take it. */
  readonly id: number;
  readonly type: LibraryEvent['type'] | 'copy-job-changed';
  readonly library: string;
  readonly barcode: string | null;
  readonly from: LocationView | null;
  readonly to: LocationView | null;
  readonly actor: LibraryEvent['actor'];
  readonly at: string;
  /** For `copy-job-changed` (staging to physical tape, docs/STAGING.md): the job's state and progress. */
  readonly copy?: CopyEventView;
}

export interface CopyEventView {
  readonly id: string;
  readonly state: string;
  readonly phase: string;
  readonly percent: number;
  readonly bytesCopied: number;
  readonly bytesVerified: number;
  readonly physicalLibrary: string | null;
  readonly reason: string | null;
}

export function locationView(location: CartridgeLocation): LocationView {
  if (location.kind === 'shelf') return { kind: 'shelf', library: location.library, address: null, index: null };
  return { kind: KIND_OF_ELEMENT[location.type], library: location.library, address: location.address, index: location.index };
}

export function cartridgeView(c: Cartridge): CartridgeView {
  const media = c.generation === undefined ? 'cleaning' : `${LTO_GENERATIONS[c.generation].name}${c.worm ? ' WORM' : ''}${c.cleaning ? ' cleaning' : ''}`;
  return {
    barcode: c.barcode,
    generation: c.generation ?? null,
    media,
    worm: c.worm,
    cleaning: c.cleaning,
    writeProtected: c.writeProtected,
    capacityBytes: c.capacityBytes,
    location: locationView(c.location),
    sourceAddress: c.source?.address ?? null,
    placedByOperator: c.placedByOperator,
    mediaMissing: c.mediaMissing,
    ...(c.loadError !== undefined ? { loadError: c.loadError } : {}),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export function libraryView(info: LibraryInfo): LibraryView {
  const range = (t: ElementType): { first: number; count: number } => ({ first: info.layout[t].firstAddress, count: info.layout[t].count });
  return {
    name: info.name,
    iqn: info.iqn,
    slots: info.slots,
    mailSlots: info.mailSlots,
    drives: info.drives,
    cartridges: info.cartridges,
    freeSlots: info.freeSlots,
    freeMailSlots: info.freeMailSlots,
    removalPrevented: info.removalPrevented,
    elementAddresses: { robot: range('transport'), slot: range('storage'), mailslot: range('importExport'), drive: range('dataTransfer') },
  };
}

export function elementView(e: ElementStatus): ElementView {
  return {
    kind: KIND_OF_ELEMENT[e.type],
    address: e.address,
    index: e.index,
    barcode: e.cartridge?.barcode ?? null,
    accessible: e.accessible,
    open: e.open,
    exception: e.exception ?? null,
  };
}

/** What the drive itself reports beyond the library's view: the drives implement it, main.ts wires it. */
export interface DriveActivity {
  readonly position: DrivePosition | undefined;
  readonly bytesWritten: number;
  readonly bytesRead: number;
}

export function driveView(d: DriveInfo, activity: DriveActivity | undefined): DriveView {
  const mounted = d.state?.loaded !== undefined;
  return {
    library: d.library,
    index: d.index,
    address: d.address,
    vendor: d.identity.vendor,
    product: d.identity.product,
    revision: d.identity.revision,
    serial: d.identity.serial,
    attached: d.mechanism !== undefined,
    barcode: d.cartridge?.barcode ?? null,
    mounted,
    ejected: d.state?.ejected ?? false,
    removalPrevented: d.state?.removalPrevented ?? false,
    position: mounted ? (activity?.position ?? null) : null,
    bytesWritten: mounted ? (activity?.bytesWritten ?? null) : null,
    bytesRead: mounted ? (activity?.bytesRead ?? null) : null,
  };
}

export function eventView(id: number, e: LibraryEvent): EventView {
  return {
    id,
    type: e.type,
    library: e.library,
    barcode: e.barcode ?? null,
    from: e.from ? locationView(e.from) : null,
    to: e.to ? locationView(e.to) : null,
    actor: e.actor,
    at: e.at,
  };
}
