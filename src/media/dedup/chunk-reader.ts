// Sequential reads of chunks for one reader (a mounted cartridge): the chunks of a stream written once lie one after
// another in their container, so a window of WINDOW_BYTES is read at once and serves every chunk inside it, instead
// of one read per chunk (eight per 256 KiB block at 32 KiB chunks). A later backup's stream mostly runs through the
// first one's chunks and steps aside for a changed file's: the last WINDOWS windows are kept, so the return to the
// main run finds its window still there instead of reading it again. A few windows can be read ahead (readAhead())
// while the caller works on the ones it holds, as a tape drive's read-ahead buffer does: a block that steps aside into
// a changed file needs two or three windows in a row.
import { ENTRY_HEADER_BYTES } from './chunk-container.js';
import { SEAL_TAG_BYTES } from './chunk-sealer.js';
import type { ChunkStore } from './chunk-store.js';
import type { ChunkRef } from './recipe.js';

export const WINDOW_BYTES = 1024 * 1024;
/** Memory of the windows kept per reader, in whole windows (WINDOWS x WINDOW_BYTES per mounted cartridge at most). */
export const WINDOWS = 4;
/** Windows read ahead at once at most (as much memory again at most). */
export const WINDOWS_AHEAD = 3;
/** Windows kept at most (short ones: steps aside into changed files' chunks). */
export const MAX_WINDOWS = 16;

interface Ahead {
  readonly container: number;
  readonly start: number;
  readonly length: number;
  readonly mark: number;
  readonly window: Promise<ChunkWindow>;
}

export interface ChunkWindow {
  readonly container: number;
  readonly start: number;
  readonly bytes: Buffer;
}

export class ChunkReader {
  /** Most recently used first. */
  private windows: ChunkWindow[] = [];
  /** The windows being read ahead, and the caller's mark of each (readAhead()); a failure is reported only to a read that needs it. */
  private ahead: Ahead[] = [];
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
    this.store.decodeEntryInto(ref, window.bytes.subarray(ref.offset - window.start), { output, offset: 0 });
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

  /** Whether `ref`'s entry is in a kept window or in one being read ahead (no read, no reordering). */
  covered(ref: ChunkRef): boolean {
    return this.ahead.some((ahead) => ahead.container === ref.container && ref.offset >= ahead.start && ref.offset + entryBound(ref) <= ahead.start + ahead.length) || this.windows.some((window) => holds(window, ref));
  }

  /**
   * The window that holds `ref`'s entry: a kept one, the one read ahead, or one read now from the entry on, `length`
   * bytes (WINDOW_BYTES at most; the caller knows which chunks it will want next: windowLength()).
   */
  async windowFor(ref: ChunkRef, length = WINDOW_BYTES): Promise<ChunkWindow> {
    const kept = this.held(ref);
    if (kept !== undefined) return kept;
    const at = this.ahead.findIndex((ahead) => ahead.container === ref.container && ref.offset >= ahead.start && ref.offset < ahead.start + ahead.length);
    const ahead = this.ahead[at];
    if (ahead !== undefined) {
      this.ahead.splice(at, 1);
      const window = this.keep(await ahead.window);
      if (holds(window, ref)) return window;
    }
    return this.keep(await this.read(ref, length));
  }

  /** Drop the windows read ahead whose mark is below `mark` (the caller has passed where it wanted them), or all. */
  dropAhead(mark = Infinity): void {
    this.ahead = this.ahead.filter((ahead) => ahead.mark >= mark);
  }

  /** Whether no more windows can be read ahead now (WINDOWS_AHEAD are being read or wait to be used). */
  get readingAhead(): boolean {
    return this.ahead.length >= WINDOWS_AHEAD;
  }

  /**
   * Start reading the window from `ref`'s entry on (`length` as windowFor() says), unless it is covered or
   * WINDOWS_AHEAD are being read ahead; `mark`: the caller's, for dropAhead() (where in its stream it needs `ref`).
   */
  readAhead(ref: ChunkRef, length = WINDOW_BYTES, mark = 0): void {
    if (this.readingAhead || this.covered(ref)) return;
    const bytes = Math.min(WINDOW_BYTES, Math.max(length, entryBound(ref)));
    const window = this.read(ref, bytes);
    window.catch(() => undefined); // reported to the read that needs it, dropped otherwise
    this.ahead.push({ container: ref.container, start: ref.offset, length: bytes, mark, window });
  }

  /** The reader is done: wait for the reads ahead to end (their outcome no longer matters), keep nothing. */
  async close(): Promise<void> {
    const ahead = this.ahead;
    this.reset();
    await Promise.allSettled(ahead.map((a) => a.window));
    this.free.length = 0;
  }

  /** Forget the windows (the store may have changed under them: a collection). */
  reset(): void {
    this.windows = [];
    this.ahead = [];
  }

  private async read(ref: ChunkRef, length: number): Promise<ChunkWindow> {
    const bytesWanted = Math.max(length, entryBound(ref));
    // A short read (a step aside into a changed file's chunks) gets memory of its own size, so that a few of them
    // fit in the budget beside the main run's whole windows.
    const buffer = bytesWanted > WINDOW_BYTES ? Buffer.allocUnsafe(bytesWanted) : bytesWanted < WINDOW_BYTES / 4 ? Buffer.allocUnsafe(bytesWanted) : (this.free.pop() ?? Buffer.allocUnsafeSlow(WINDOW_BYTES));
    const bytes = await this.store.readRangeInto(ref.container, ref.offset, buffer.subarray(0, Math.min(buffer.length, bytesWanted)));
    this.bytesRead += bytes.length;
    return { container: ref.container, start: ref.offset, bytes };
  }

  /** `window` becomes the most recently used; those used longest ago go while the windows pass the budget. */
  private keep(window: ChunkWindow): ChunkWindow {
    const windows = this.windows;
    windows.unshift(window);
    let memory = windows.reduce((sum, w) => sum + memoryOf(w), 0);
    while (windows.length > MAX_WINDOWS || (memory > WINDOWS * WINDOW_BYTES && windows.length > 1)) {
      const dropped = windows.pop();
      if (dropped === undefined) break;
      memory -= memoryOf(dropped);
      // Nothing outside this reader refers to a window's bytes (chunks are decoded out of it at once), so a whole
      // window's memory is read into again instead of allocated anew (fresh pages cost more CPU than the read).
      if (dropped.bytes.buffer.byteLength === WINDOW_BYTES) this.free.push(Buffer.from(dropped.bytes.buffer, 0, WINDOW_BYTES));
    }
    return window;
  }
}

/** Memory a window holds: a whole window's buffer, or its own bytes. */
function memoryOf(window: ChunkWindow): number {
  return Math.max(window.bytes.length, window.bytes.buffer.byteLength === WINDOW_BYTES ? WINDOW_BYTES : 0);
}

/** Bytes of `ref`'s entry at most: its stored length is at most its logical length (and a seal's tag). */
export function entryBound(ref: ChunkRef): number {
  return ENTRY_HEADER_BYTES + ref.length + SEAL_TAG_BYTES;
}

/** Whether `window` holds `ref`'s entry header and the stored payload it names. */
function holds(window: ChunkWindow, ref: ChunkRef): boolean {
  if (window.container !== ref.container || ref.offset < window.start) return false;
  const at = ref.offset - window.start;
  if (at + ENTRY_HEADER_BYTES > window.bytes.length) return false;
  const stored = window.bytes.readUInt32LE(at + 12);
  return at + ENTRY_HEADER_BYTES + Math.min(stored, ref.length + SEAL_TAG_BYTES) <= window.bytes.length;
}
