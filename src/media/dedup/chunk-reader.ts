// Sequential reads of chunks for one reader (a mounted cartridge): the chunks of a stream written once lie one after
// another in their container, so a window of WINDOW_BYTES is read at once and serves every chunk inside it, instead
// of one read per chunk (eight per 256 KiB block at 32 KiB chunks).
import { ENTRY_HEADER_BYTES } from './chunk-container.js';
import { SEAL_TAG_BYTES } from './chunk-sealer.js';
import type { ChunkStore } from './chunk-store.js';
import type { ChunkRef } from './recipe.js';

export const WINDOW_BYTES = 1024 * 1024;

export class ChunkReader {
  private window: { readonly container: number; readonly start: number; readonly bytes: Buffer } | undefined;

  constructor(private readonly store: ChunkStore) {}

  /** The chunk's bytes, checked as ChunkStore.get() checks them. */
  async get(ref: ChunkRef): Promise<Buffer> {
    const needed = ENTRY_HEADER_BYTES + ref.length + SEAL_TAG_BYTES; // stored length <= logical length (+ a seal's tag)
    const window = this.window;
    if (window !== undefined && window.container === ref.container && ref.offset >= window.start) {
      const at = ref.offset - window.start;
      // The window holds the whole entry when it holds its header and the stored payload the header names.
      if (at + ENTRY_HEADER_BYTES <= window.bytes.length) {
        const stored = window.bytes.readUInt32LE(at + 12);
        if (at + ENTRY_HEADER_BYTES + Math.min(stored, ref.length + SEAL_TAG_BYTES) <= window.bytes.length) return this.store.decodeEntry(ref, window.bytes.subarray(at));
      }
    }
    const bytes = await this.store.readRange(ref.container, ref.offset, Math.max(WINDOW_BYTES, needed));
    this.window = { container: ref.container, start: ref.offset, bytes };
    return this.store.decodeEntry(ref, bytes);
  }

  /** Forget the window (the store may have changed under it: a collection). */
  reset(): void {
    this.window = undefined;
  }
}
