// Test support: a Storage that makes the Nth call of one kind fail with a chosen errno, the way LocalStorage would
// raise it (a StorageError with that code). Every call is counted per kind, so a test first runs a session without
// faults to learn how many calls of each kind it makes, then sweeps N over all of them.
import { StorageError, type RandomAccessFile, type Storage } from '../storage.js';

/** The storage calls a fault can hit (`replace` is `writeFileAtomic`, `remove` is `removeFile` and `removeFolder`). */
export const FaultKind = {
  OPEN: 'open',
  WRITE: 'write',
  SYNC: 'sync',
  TRUNCATE: 'truncate',
  REPLACE: 'replace',
  RENAME: 'rename',
  REMOVE: 'remove',
} as const;
export type FaultKind = (typeof FaultKind)[keyof typeof FaultKind];
export const FAULT_KINDS: readonly FaultKind[] = Object.values(FaultKind);

/** The errors a full or failing disk gives. */
export const FAULT_CODES = ['EIO', 'ENOSPC', 'EDQUOT'] as const;
export type FaultCode = (typeof FAULT_CODES)[number];

export interface FaultPlan {
  readonly kind: FaultKind;
  /** 1-based: the Nth call of `kind` counted from the start (or the last `reset`) fails. */
  readonly nth: number;
  readonly code: FaultCode;
  /** Every call of `kind` from the Nth on fails until `clear()` (a disk that stays full); default: only the Nth. */
  readonly sticky?: boolean;
}

export type CallCounts = Record<FaultKind, number>;

function zeroCounts(): CallCounts {
  return Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as CallCounts;
}

/**
 * What a failed write or sync leaves behind. A failed write stores a first part of its bytes (as a short write
 * before ENOSPC does). A failed sync, with `failedSyncLosesData`, puts back what the file held at its last
 * successful sync: on Linux the kernel may drop the dirty pages after reporting the error, so a later read can see
 * the old bytes, and a later fsync succeeds without writing them.
 */
export interface FaultyStorageOptions {
  readonly failedSyncLosesData?: boolean;
}

export class FaultyStorage implements Storage {
  /** Calls per kind since the start or the last `reset()`, failed ones included. */
  readonly counts: CallCounts = zeroCounts();
  /** The faults injected so far, in order. */
  readonly injected: { kind: FaultKind; nth: number; code: FaultCode; what: string }[] = [];
  private plan: FaultPlan | undefined;

  constructor(
    private readonly inner: Storage,
    readonly options: FaultyStorageOptions = {},
  ) {}

  /** Arm a fault (replacing any other) and start counting from zero. */
  arm(plan: FaultPlan): void {
    this.plan = plan;
    this.reset();
  }

  /** The fault clears: every call succeeds from now on (counting goes on). */
  clear(): void {
    this.plan = undefined;
  }

  reset(): void {
    for (const kind of FAULT_KINDS) this.counts[kind] = 0;
  }

  /** Count a call of `kind`; the error to throw when the plan says this one fails. */
  fault(kind: FaultKind, what: string): StorageError | undefined {
    const n = ++this.counts[kind];
    const plan = this.plan;
    if (plan === undefined || plan.kind !== kind || (plan.sticky === true ? n < plan.nth : n !== plan.nth)) return undefined;
    this.injected.push({ kind, nth: n, code: plan.code, what });
    const cause = Object.assign(new Error(`${plan.code}: injected fault`), { code: plan.code });
    return new StorageError(`Cannot ${what}: ${cause.message}`, plan.code, { cause });
  }

  async open(path: string, options: { readonly create: boolean }): Promise<RandomAccessFile> {
    const error = this.fault(FaultKind.OPEN, `open ${path}`);
    if (error !== undefined) throw error;
    const file = await this.inner.open(path, options);
    return FaultyFile.over(file, path, this);
  }

  readFile(path: string): Promise<Buffer | undefined> {
    return this.inner.readFile(path);
  }

  async writeFileAtomic(path: string, data: Buffer): Promise<void> {
    // Atomic: a failure at any step inside leaves the old file, so failing before it is the whole story.
    const error = this.fault(FaultKind.REPLACE, `write ${path}`);
    if (error !== undefined) throw error;
    await this.inner.writeFileAtomic(path, data);
  }

  async removeFile(path: string): Promise<void> {
    const error = this.fault(FaultKind.REMOVE, `remove ${path}`);
    if (error !== undefined) throw error;
    await this.inner.removeFile(path);
  }

  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }

  list(folder: string): Promise<string[]> {
    return this.inner.list(folder);
  }

  makeFolder(folder: string): Promise<void> {
    return this.inner.makeFolder(folder);
  }

  async rename(from: string, to: string): Promise<void> {
    const error = this.fault(FaultKind.RENAME, `rename ${from} to ${to}`);
    if (error !== undefined) throw error;
    await this.inner.rename(from, to);
  }

  async removeFolder(folder: string): Promise<void> {
    const error = this.fault(FaultKind.REMOVE, `remove folder ${folder}`);
    if (error !== undefined) throw error;
    await this.inner.removeFolder(folder);
  }
}

class FaultyFile implements RandomAccessFile {
  /** The bytes as of the last successful sync (or the open): what a failed sync may leave. */
  private durable: Buffer;

  private constructor(
    private readonly inner: RandomAccessFile,
    private readonly name: string,
    private readonly storage: FaultyStorage,
    durable: Buffer,
  ) {
    this.durable = durable;
  }

  static async over(inner: RandomAccessFile, name: string, storage: FaultyStorage): Promise<FaultyFile> {
    const durable = storage.options.failedSyncLosesData === true ? await readAll(inner) : Buffer.alloc(0);
    return new FaultyFile(inner, name, storage, durable);
  }

  length(): Promise<number> {
    return this.inner.length();
  }

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    return this.inner.read(buffer, offset, length, position);
  }

  async write(buffers: readonly Buffer[], position: number): Promise<void> {
    const error = this.storage.fault(FaultKind.WRITE, `write ${this.name} at ${position}`);
    if (error === undefined) return this.inner.write(buffers, position);
    const all = Buffer.concat(buffers);
    const part = all.subarray(0, all.length >>> 1);
    if (part.length > 0) await this.inner.write([part], position);
    throw error;
  }

  async truncate(length: number): Promise<void> {
    const error = this.storage.fault(FaultKind.TRUNCATE, `truncate ${this.name} to ${length}`);
    if (error !== undefined) throw error;
    await this.inner.truncate(length);
  }

  async sync(): Promise<void> {
    const error = this.storage.fault(FaultKind.SYNC, `sync ${this.name}`);
    const losesData = this.storage.options.failedSyncLosesData === true;
    if (error !== undefined) {
      if (losesData) {
        await this.inner.truncate(0);
        await this.inner.write([this.durable], 0);
      }
      throw error;
    }
    await this.inner.sync();
    if (losesData) this.durable = await readAll(this.inner);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

async function readAll(file: RandomAccessFile): Promise<Buffer> {
  const bytes = Buffer.alloc(await file.length());
  await file.read(bytes, 0, bytes.length, 0);
  return bytes;
}
