// Reads a physical cartridge from BOP into a virtual one, object for object: every record at its size, every
// filemark, up to end of data. A recall of a released cartridge and an import of one written elsewhere both do this.
import type { TapeMedium } from '../media/tape-medium.js';
import type { CopyCheckpoint } from './cartridge-copier.js';
import { CopyCancelledError } from './cartridge-copier.js';
import { MAX_RECORD_BYTES, type PhysicalRead } from './tape-drive.js';

/** The part of a physical drive the reader uses. */
export interface ReadSource {
  rewind(): Promise<void>;
  read(maxBytes: number): Promise<PhysicalRead>;
}

export interface ReadIntoHooks {
  progress?(at: CopyCheckpoint): void;
  cancelled?(): boolean;
}

/**
 * Copies the physical tape at BOP into `medium` (blank, at BOP) and makes it durable. Records are asked for at the
 * largest READ(6) length, so a record of any size comes whole (a longer one is an error of the drive's read).
 */
export async function readPhysicalInto(drive: ReadSource, medium: Pick<TapeMedium, 'write' | 'writeFilemarks' | 'flush'>, hooks: ReadIntoHooks = {}): Promise<CopyCheckpoint> {
  await drive.rewind();
  let objects = 0;
  let bytes = 0;
  for (;;) {
    if (hooks.cancelled?.()) throw new CopyCancelledError();
    const r = await drive.read(MAX_RECORD_BYTES);
    if (r.kind === 'end-of-data') break;
    if (r.kind === 'filemark') {
      await medium.writeFilemarks(1);
    } else {
      await medium.write(r.data, { compress: true });
      bytes += r.data.length;
    }
    objects++;
    hooks.progress?.({ objects, bytes });
  }
  await medium.flush();
  return { objects, bytes };
}
