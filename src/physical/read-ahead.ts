// The virtual side of a copy or a verify: the next object is read from the virtual cartridge while the physical
// drive works on the ones before, so the two overlap instead of adding up. Records the host wrote encrypted stop it.
import type { MediumPosition, ReadOutcome } from '../media/tape-medium.js';

/** The part of a virtual cartridge (TapeMedium) the copy reads. */
export interface CopySource {
  position(): MediumPosition;
  read(): Promise<ReadOutcome>;
  rewind(): Promise<void>;
  spaceFilemarks(count: number): Promise<unknown>;
  locate(objectNumber: number): Promise<unknown>;
}

/**
 * A record the host wrote through drive encryption (SECURITY PROTOCOL OUT): vtl never holds the host's key after the
 * write, so it can neither decrypt the record nor make a physical drive write it encrypted under the same key.
 */
export class HostEncryptedRecordError extends Error {
  constructor(objectNumber: number) {
    super(`object ${objectNumber} was written encrypted by the host (drive encryption): vtl does not keep the host's key, so the cartridge cannot be copied to physical tape`);
    this.name = 'HostEncryptedRecordError';
  }
}

/** What the copy reads: an encrypted block stops it. */
type CopyRead = Exclude<ReadOutcome, { readonly kind: 'encrypted-block' }>;

/**
 * Reads the next virtual object while the physical drive writes the current one: the two then overlap instead of
 * adding up. A medium's read buffer stays lent until release(), so the object in hand is never overwritten.
 */
export class ReadAhead {
  private pending: Promise<ReadOutcome> | undefined;

  constructor(private readonly source: CopySource) {}

  private objectNumber = 0;

  /** `objectNumber` is where the source is when the first read starts (for the error message). */
  startAt(objectNumber: number): this {
    this.objectNumber = objectNumber;
    return this;
  }

  async next(): Promise<CopyRead> {
    const r = await (this.pending ?? this.source.read());
    this.pending = r.kind === 'end-of-data' ? undefined : this.source.read();
    if (r.kind === 'encrypted-block') {
      r.release?.();
      throw new HostEncryptedRecordError(this.objectNumber);
    }
    this.objectNumber++;
    return r;
  }

  /** Runs `loop`; when it fails, the read in flight is awaited (its buffer released) before the error goes on. */
  async around<T>(loop: () => Promise<T>): Promise<T> {
    try {
      return await loop();
    } catch (err) {
      const pending = this.pending;
      this.pending = undefined;
      const r = await pending?.catch(() => undefined);
      if (r?.kind === 'block' || r?.kind === 'encrypted-block') r.release?.();
      throw err;
    }
  }
}

