// The JSON shapes the management API returns (and the CLI prints): flat, stable, operator-named, independent of
// how the library model stores things. Their types come from the API's schemas (schemas/inventory-schemas.ts), from
// which the OpenAPI document is generated; these functions build them from the model.
import type { Cartridge, CartridgeLocation } from '../library/cartridge.js';
import type { ElementType } from '../library/layout.js';
import type { LibraryEvent } from '../library/library-event.js';
import type { DriveInfo, ElementStatus, LibraryInfo } from '../library/library-manager.js';
import { LTO_GENERATIONS } from '../library/lto.js';
import type { CartridgeView, DrivePosition, DriveView, ElementView, EventView, LibraryView, LocationView } from './schemas/inventory-schemas.js';
import type { LocationKind } from './schemas/location-kinds.js';

export type { CartridgeView, CopyEventView, DrivePosition, DriveView, ElementView, EventView, LibraryView, LocationView } from './schemas/inventory-schemas.js';
export { LOCATION_KINDS, type LocationKind } from './schemas/location-kinds.js';

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
