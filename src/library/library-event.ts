// Changes the library announces (after they are committed): the management API streams them, the changer raises
// UNIT ATTENTION 28/01 when the operator touched its mail slots.
import type { CartridgeLocation } from './cartridge.js';

export type Actor = 'operator' | 'host' | 'system';

export interface LibraryEvent {
  readonly type:
    | 'cartridge-created'
    | 'cartridge-moved'
    | 'cartridge-deleted'
    | 'cartridge-updated'
    | 'drive-attached'
    | 'removal-prevention-changed';
  readonly library: string;
  readonly barcode?: string;
  readonly from?: CartridgeLocation;
  readonly to?: CartridgeLocation;
  readonly actor: Actor;
  /** ISO 8601. */
  readonly at: string;
}

export type LibraryListener = (event: LibraryEvent) => void;

/** True when the event put a cartridge into, or took one out of, a mail slot of `library`. */
export function touchesMailSlots(event: LibraryEvent, library: string): boolean {
  const isMail = (l: CartridgeLocation | undefined): boolean =>
    l !== undefined && l.kind === 'element' && l.library === library && l.type === 'importExport';
  return isMail(event.from) || isMail(event.to);
}
