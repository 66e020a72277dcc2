// Which cartridges a CartridgeFilter selects (the management API's cartridge list).
import type { Cartridge, CartridgeFilter } from './cartridge.js';

export function cartridgeMatcher(filter: CartridgeFilter): (c: Cartridge) => boolean {
  const glob = filter.barcode === undefined ? undefined : globToRegExp(filter.barcode);
  return (c) =>
    (filter.library === undefined || c.location.library === filter.library)
    && (filter.location === undefined || c.location.kind === filter.location)
    && (filter.elementType === undefined || (c.location.kind === 'element' && c.location.type === filter.elementType))
    && (glob === undefined || glob.test(c.barcode))
    && (filter.generation === undefined || c.generation === filter.generation)
    && (filter.worm === undefined || c.worm === filter.worm)
    && (filter.cleaning === undefined || c.cleaning === filter.cleaning)
    && (filter.writeProtected === undefined || c.writeProtected === filter.writeProtected)
    && (filter.mediaMissing === undefined || c.mediaMissing === filter.mediaMissing);
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  // Without wildcards the pattern is a prefix.
  return new RegExp(`^${escaped}${/[*?]/.test(pattern) ? '$' : ''}`, 'i');
}
