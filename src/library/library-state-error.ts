// The library layer's error: an operation refused because of the library's state or its arguments.
// `code` is machine-readable: the management API maps it to HTTP status, the changer to sense data.

export const LibraryErrorCode = {
  /** Unknown library, cartridge or drive (HTTP 404). */
  NOT_FOUND: 'not-found',
  /** A malformed request: bad barcode, count, generation (HTTP 400). */
  INVALID_ARGUMENT: 'invalid-argument',
  /** No element at that address, or an element that cannot hold media for this operation (SMC 21/01). */
  INVALID_ELEMENT: 'invalid-element',
  /** The source element is empty (SMC 3B/0E). */
  SOURCE_EMPTY: 'source-empty',
  /** The destination element is full (SMC 3B/0D). */
  DESTINATION_FULL: 'destination-full',
  /** A drive (or the mail slots) holds the cartridge: PREVENT MEDIUM REMOVAL is in effect (SMC 53/02). */
  REMOVAL_PREVENTED: 'removal-prevented',
  /** The mail slot is open to the operator; the robot cannot reach it (SMC 3B/11). */
  ELEMENT_INACCESSIBLE: 'element-inaccessible',
  /** The cartridge is in the wrong place for the operation (not in a mail slot, loaded, on the shelf...). */
  WRONG_LOCATION: 'wrong-location',
  /** No free slot / mail slot to put the cartridge in. */
  NO_FREE_ELEMENT: 'no-free-element',
  /** A barcode that already exists. */
  ALREADY_EXISTS: 'already-exists',
  /** WORM cartridges are never deleted. */
  WORM: 'worm',
  /** The drive refused or failed to load or unload (SMC 53/00). */
  LOAD_FAILED: 'load-failed',
  /** A retention lock forbids it (deleting a locked cartridge, shortening a compliance lock...) (HTTP 409). */
  RETENTION_LOCKED: 'retention-locked',
  /** The cartridge's media file is missing (start-up check); it cannot be loaded. */
  MEDIA_MISSING: 'media-missing',
  /** Another node of the cluster serves the library (src/cluster): this node may not change it. */
  NOT_OWNER: 'not-owner',
} as const;
export type LibraryErrorCode = (typeof LibraryErrorCode)[keyof typeof LibraryErrorCode];

export class LibraryStateError extends Error {
  constructor(
    readonly code: LibraryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LibraryStateError';
  }
}
