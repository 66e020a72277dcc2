// Sequential reads of chunks for one reader (a mounted cartridge): the chunks of a stream written once lie one after
// another in their container, so a window of WINDOW_BYTES is read at once and serves every chunk inside it, instead
// of one read per chunk (eight per 256 KiB block at 32 KiB chunks). A later backup's stream mostly runs through the
// first one's chunks and steps aside for a changed file's: the last WINDOWS windows are kept, so the return to the
// main run finds its window still there instead of reading it again. One window can be read ahead (readAhead()) while
// the caller works on the ones it holds, as a tape drive's read-ahead buffer does.
import { ENTRY_HEADER_BYTES } from './chunk-container.js';
import { SEAL_TAG_BYTES } from './chunk-sealer.js';
import type { ChunkStore } from './chunk-store.js';
import { decodeChunkInto, type EntrySeal } from './decode-chunk-into.js';
import type { ChunkRef } from './recipe.js';

export const WINDOW_BYTES = 1024 * 1024;
/** Windows kept per reader (WINDOWS x WINDOW_BYTES of memory per mounted cartridge at most, and one read ahead). */
export const WINDOWS = 4;

export interface ChunkWindow {
  readonly container: number;
  readonly start: number;
  readonly bytes: Buffer;
  readonly seal: EntrySeal | undefined;
}

export class ChunkReader {
  /** Most recently used first. */
  private windows: ChunkWindow[] = [];
  /** The window being read ahead; its failure is reported only to a read that needs it. */
  private ahead: { readonly container: number; readonly start: number; readonly window: Promise<ChunkWindow> } | undefined;
  /** Window buffers no window uses any more; never one a read in flight may still fill. */
  private readonly free: Buffer[] = [];
  /** Bytes read from containers (for the benchmark and the tests). */
  bytesRead = 0;

  constructor(private readonly store: ChunkStore) {}

  /** The chunk's bytes in a buffer of its own, checked as ChunkStore.get() checks them. */
  async get(ref: ChunkRef): Promise<Buffer> {
    const output = Buffer.allocUnsafe(ref.length);
    this.decodeInto(this.held(ref) ?? (await this.windowFor(ref)), ref, output);
    return output;
  }

  /** Chunk `ref` from `window` (held() or windowFor()'s) into `output`, checked; ChunkDamagedError when it fails. */
  decodeInto(window: ChunkWindow, ref: ChunkRef, output: Buffer): void {
    decodeChunkInto(ref, window.bytes.subarray(ref.offset - window.start), window.seal, output);
  }

  /** The kept window that holds `ref`'s entry (now the most recently used), or undefined: no read. */
  held(ref: ChunkRef): ChunkWindow | undefined {
    const windows = this.windows;
    for (let i = 0; i < windows.length; i++) {
      const window = windows[i];
      if (window === undefined || !holds(window, ref)) continue;
      if (i > 0) {
        windows.splice(i, 1);
        windows.unshift(window);
      }
      return window;
    }
    return undefined;
  }

  /** Whether `ref`'s entry is in a kept window or in the one being read ahead (no read, no reordering). */
  covered(ref: ChunkRef): boolean {
    const ahead = this.ahead;
    if (ahead !== undefined && ahead.container === ref.container && ref.offset >= ahead.start && ref.offset + ENTRY_HEADER_BYTES + ref.length <= ahead.start + WINDOW_BYTES) return true;
    return this.windows.some((window) => holds(window, ref));
  }

  /** The window that holds `ref`'s entry: a kept one, the one read ahead, or one read now from the entry on. */
  async windowFor(ref: ChunkRef): Promise<ChunkWindow> {
    const kept = this.held(ref);
    if (kept !== undefined) return kept;
    const ahead = this.ahead;
    // A window read ahead that this read does not need was a wrong guess (the stream went elsewhere): dropped.
    this.ahead = undefined;
    if (ahead !== undefined && ahead.container === ref.container && ref.offset >= ahead.start && ref.offset < ahead.start + WINDOW_BYTES) {
      const window = this.keep(await ahead.window);
      if (holds(window, ref)) return window;
    }
    return this.keep(await this.read(ref));
  }

  /** Whether a window is being read ahead (or was, and is not used yet). */
  get readingAhead(): boolean {
    return this.ahead !== undefined;
  }

  /** Start reading the window from `ref`'s entry on, unless it is covered or another is being read ahead. */
  readAhead(ref: ChunkRef): void {
    if (this.ahead !== undefined || this.covered(ref)) return;
    const window = this.read(ref);
    window.catch(() => undefined); // reported to the read that needs it, dropped otherwise
    this.ahead = { container: ref.container, start: ref.offset, window };
  }

  /** Forget the windows (the store may have changed under them: a collection). */
  reset(): void {
    this.windows = [];
    this.ahead = undefined;
  }

  private async read(ref: ChunkRef): Promise<ChunkWindow> {
    const needed = ENTRY_HEADER_BYTES + ref.length + SEAL_TAG_BYTES; // stored length <= logical length (+ a seal's tag)
    const buffer = needed <= WINDOW_BYTES ? (this.free.pop() ?? Buffer.allocUnsafeSlow(WINDOW_BYTES)) : Buffer.allocUnsafe(needed);
    const bytes = await this.store.readRangeInto(ref.container, ref.offset, buffer);
    this.bytesRead += bytes.length;
    return { container: ref.container, start: ref.offset, bytes, seal: this.store.sealOf(ref.container) };
  }

  /** `window` becomes the most recently used; the one used longest ago goes when there are more than WINDOWS. */
  private keep(window: ChunkWindow): ChunkWindow {
    this.windows.unshift(window);
    const dropped = this.windows.length > WINDOWS ? this.windows.pop() : undefined;
    // Nothing outside this reader refers to a window's bytes (chunks are decoded out of it at once), so its memory
    // is read into again instead of allocated anew (fresh pages cost more CPU than the read).
    if (dropped !== undefined && dropped.bytes.buffer.byteLength === WINDOW_BYTES) this.free.push(Buffer.from(dropped.bytes.buffer, dropped.bytes.byteOffset, WINDOW_BYTES));
    return window;
  }
}

/** Whether `window` holds `ref`'s entry header and the stored payload it names. */
function holds(window: ChunkWindow, ref: ChunkRef): boolean {
  if (window.container !== ref.container || ref.offset < window.start) return false;
  const at = ref.offset - window.start;
  if (at + ENTRY_HEADER_BYTES > window.bytes.length) return false;
  const stored = window.bytes.readUInt32LE(at + 12);
  return at + ENTRY_HEADER_BYTES + Math.min(stored, ref.length + SEAL_TAG_BYTES) <= window.bytes.length;
}
