// Sequential reads of chunks for one reader (a mounted cartridge): the chunks of a stream written once lie one after
// another in their container, so a window of WINDOW_BYTES is read at once and serves every chunk inside it, instead
// of one read per chunk (eight per 256 KiB block at 32 KiB chunks). A later backup's stream mostly runs through the
// first one's chunks and steps aside for a changed file's: the last WINDOWS windows are kept, so the return to the
// main run finds its window still there instead of reading it again.
import { ENTRY_HEADER_BYTES } from './chunk-container.js';
import { SEAL_TAG_BYTES } from './chunk-sealer.js';
import type { ChunkStore } from './chunk-store.js';
import type { ChunkRef } from './recipe.js';

export const WINDOW_BYTES = 1024 * 1024;
/** Windows kept per reader (WINDOWS x WINDOW_BYTES of memory per mounted cartridge at most). */
export const WINDOWS = 4;

interface Window {
  readonly container: number;
  readonly start: number;
  readonly bytes: Buffer;
}

export class ChunkReader {
  /** Most recently used first. */
  private windows: Window[] = [];
  /** Bytes read from containers (for the benchmark and the tests). */
  bytesRead = 0;

  constructor(private readonly store: ChunkStore) {}

  /** The chunk's bytes, checked as ChunkStore.get() checks them. */
  async get(ref: ChunkRef): Promise<Buffer> {
    for (const [i, window] of this.windows.entries()) {
      const at = holds(window, ref);
      if (at === undefined) continue;
      if (i > 0) this.windows = [window, ...this.windows.filter((w) => w !== window)];
      return this.store.decodeEntry(ref, window.bytes.subarray(at));
    }
    const needed = ENTRY_HEADER_BYTES + ref.length + SEAL_TAG_BYTES; // stored length <= logical length (+ a seal's tag)
    const bytes = await this.store.readRange(ref.container, ref.offset, Math.max(WINDOW_BYTES, needed));
    this.bytesRead += bytes.length;
    this.windows = [{ container: ref.container, start: ref.offset, bytes }, ...this.windows.slice(0, WINDOWS - 1)];
    return this.store.decodeEntry(ref, bytes);
  }

  /** Forget the windows (the store may have changed under them: a collection). */
  reset(): void {
    this.windows = [];
  }
}

/** Where `ref`'s entry starts in `window`, when the window holds its header and the stored payload it names. */
function holds(window: Window, ref: ChunkRef): number | undefined {
  if (window.container !== ref.container || ref.offset < window.start) return undefined;
  const at = ref.offset - window.start;
  if (at + ENTRY_HEADER_BYTES > window.bytes.length) return undefined;
  const stored = window.bytes.readUInt32LE(at + 12);
  return at + ENTRY_HEADER_BYTES + Math.min(stored, ref.length + SEAL_TAG_BYTES) <= window.bytes.length ? at : undefined;
}
