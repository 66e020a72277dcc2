// Where bytes live: the small interface the media layer writes through (local files today, object stores later).
// Paths are relative to the store's root and use '/' separators; the store decides what they map to.

/** A storage operation failed; `code` is the system error code (ENOSPC, EIO, ...) when there is one. */
export class StorageError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}

/** A file read and written at explicit offsets (no shared file position, so no seek races). */
export interface RandomAccessFile {
  /** Current length in bytes. */
  length(): Promise<number>;
  /** Read up to `length` bytes at `position` into `buffer` from `offset`; fewer only at end of file. */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  /** Write every byte of `buffers`, in order, starting at `position` (one gathered write when the OS allows). */
  write(buffers: readonly Buffer[], position: number): Promise<void>;
  truncate(length: number): Promise<void>;
  /** Make the written data and the length durable (fdatasync). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface Storage {
  /** Open a file for reading and writing; `create` makes it when missing (never truncates). */
  open(path: string, options: { readonly create: boolean }): Promise<RandomAccessFile>;
  /** A whole small file, or undefined when it does not exist. */
  readFile(path: string): Promise<Buffer | undefined>;
  /** Replace a small file atomically and durably: after a crash it holds the old or the new bytes, never a mix. */
  writeFileAtomic(path: string, data: Buffer): Promise<void>;
  removeFile(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Names directly inside a folder ([] when it does not exist). */
  list(folder: string): Promise<string[]>;
  /** Create a folder (and its parents) if missing. */
  makeFolder(folder: string): Promise<void>;
  /** Atomically rename a file or folder inside the store (durable once it resolves). */
  rename(from: string, to: string): Promise<void>;
  /** Remove a folder and everything in it. */
  removeFolder(folder: string): Promise<void>;
}
