// A deduplicated cartridge's data file numbers its objects from 0, the cartridge from R (the recipe's object count):
// an error the data file raises names its objects, so the cartridge moves every object number in it by R before the
// drive sees it (dedup-tape-medium.ts `shifted`).
import { MediaFormatError, MediaWriteError, StorageFullError } from '../tape-medium.js';

/** `error` as the cartridge reports it when its recipe holds `r` objects; other errors unchanged. */
export function shiftTailError(error: unknown, r: number): unknown {
  if (r === 0) return error;
  // StorageFullError first: it is a MediaWriteError too.
  if (error instanceof StorageFullError) return new StorageFullError(error.message, error.code, error.endOfData + r);
  if (error instanceof MediaWriteError) return new MediaWriteError(error.message, error.code, error.endOfData + r, error.lostAcknowledged);
  if (error instanceof MediaFormatError) return new MediaFormatError(error.message, error.objectNumber + r);
  return error;
}
