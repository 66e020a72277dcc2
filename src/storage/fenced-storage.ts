// A Storage that refuses every change once its holder has lost the right to make them (a cluster node whose lease on
// the library is gone: src/cluster/CLUSTER.md "The fence in the storage"). The fence is asked synchronously right
// before each mutating call is issued, so nothing reaches the store after the loss is known: not a write, a sync, a
// truncate, a create, a rename nor a removal. Reads, listings and closes pass (they change nothing). What a refused
// call throws is a StorageError with code EIO, the media layer's storage fault: nothing is reported as written.
import { StorageError, type RandomAccessFile, type Storage } from './storage.js';

/** Decides whether the holder may still change the store. */
export interface StorageFence {
  /** Why changes are refused from now on (asked right before each one), or undefined while they are allowed. */
  refusal(): string | undefined;
}

/** A change refused by the fence (code EIO, so every layer above treats it as the storage failing). */
export class StorageFencedError extends StorageError {
  constructor(what: string, reason: string) {
    super(`Cannot ${what}: fenced (${reason})`, 'EIO');
    this.name = 'StorageFencedError';
  }
}

function check(fence: StorageFence, what: string): void {
  const reason = fence.refusal();
  if (reason !== undefined) throw new StorageFencedError(what, reason);
}

export class FencedStorage implements Storage {
  constructor(
    private readonly inner: Storage,
    private readonly fence: StorageFence,
  ) {}

  async open(path: string, options: { readonly create: boolean }): Promise<RandomAccessFile> {
    if (options.create) check(this.fence, `create ${path}`);
    return new FencedFile(await this.inner.open(path, options), path, this.fence);
  }

  readFile(path: string): Promise<Buffer | undefined> {
    return this.inner.readFile(path);
  }

  async writeFileAtomic(path: string, data: Buffer): Promise<void> {
    check(this.fence, `write ${path}`);
    await this.inner.writeFileAtomic(path, data);
  }

  async removeFile(path: string): Promise<void> {
    check(this.fence, `remove ${path}`);
    await this.inner.removeFile(path);
  }

  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }

  list(folder: string): Promise<string[]> {
    return this.inner.list(folder);
  }

  async makeFolder(folder: string): Promise<void> {
    check(this.fence, `create folder ${folder}`);
    await this.inner.makeFolder(folder);
  }

  async rename(from: string, to: string): Promise<void> {
    check(this.fence, `rename ${from} to ${to}`);
    await this.inner.rename(from, to);
  }

  async removeFolder(folder: string): Promise<void> {
    check(this.fence, `remove folder ${folder}`);
    await this.inner.removeFolder(folder);
  }
}

class FencedFile implements RandomAccessFile {
  constructor(
    private readonly inner: RandomAccessFile,
    private readonly name: string,
    private readonly fence: StorageFence,
  ) {}

  length(): Promise<number> {
    return this.inner.length();
  }

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    return this.inner.read(buffer, offset, length, position);
  }

  async write(buffers: readonly Buffer[], position: number): Promise<void> {
    check(this.fence, `write ${this.name} at ${position}`);
    await this.inner.write(buffers, position);
  }

  async truncate(length: number): Promise<void> {
    check(this.fence, `truncate ${this.name} to ${length}`);
    await this.inner.truncate(length);
  }

  async sync(): Promise<void> {
    check(this.fence, `sync ${this.name}`);
    await this.inner.sync();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
