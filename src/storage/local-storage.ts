// Storage on the local file system. Durability follows the POSIX rules: fdatasync for data, fsync of the
// folder after a rename or a create so the directory entry itself survives a power cut.
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { StorageError, type RandomAccessFile, type Storage } from './storage.js';

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function wrap(what: string, error: unknown): StorageError {
  const code = codeOf(error);
  const reason = error instanceof Error ? error.message : String(error);
  return new StorageError(`Cannot ${what}: ${reason}`, code, { cause: error });
}

/** The most buffers one writev may carry (Linux IOV_MAX). */
const MAX_IOVECS = 1024;

class LocalFile implements RandomAccessFile {
  constructor(
    private readonly handle: fs.FileHandle,
    private readonly name: string,
    private readonly durable: boolean,
  ) {}

  async length(): Promise<number> {
    try {
      return (await this.handle.stat()).size;
    } catch (error) {
      throw wrap(`stat ${this.name}`, error);
    }
  }

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    let done = 0;
    try {
      while (done < length) {
        const { bytesRead } = await this.handle.read(buffer, offset + done, length - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    } catch (error) {
      throw wrap(`read ${this.name} at ${position + done}`, error);
    }
    return done;
  }

  async write(buffers: readonly Buffer[], position: number): Promise<void> {
    let pending = buffers.filter((b) => b.length > 0);
    let at = position;
    try {
      while (pending.length > 0) {
        const batch = pending.slice(0, MAX_IOVECS);
        const { bytesWritten } = await this.handle.writev(batch, at);
        if (bytesWritten === 0) throw new StorageError(`Cannot write ${this.name} at ${at}: no progress`, 'EIO');
        at += bytesWritten;
        // A short write (the disk filling up) leaves a tail to retry; the retry reports the real error.
        pending = skipBytes(pending, bytesWritten);
      }
    } catch (error) {
      throw wrap(`write ${this.name} at ${at}`, error);
    }
  }

  async truncate(length: number): Promise<void> {
    try {
      await this.handle.truncate(length);
    } catch (error) {
      throw wrap(`truncate ${this.name} to ${length}`, error);
    }
  }

  async sync(): Promise<void> {
    if (!this.durable) return;
    try {
      await this.handle.datasync();
    } catch (error) {
      throw wrap(`sync ${this.name}`, error);
    }
  }

  async close(): Promise<void> {
    try {
      await this.handle.close();
    } catch (error) {
      throw wrap(`close ${this.name}`, error);
    }
  }
}

function skipBytes(buffers: Buffer[], count: number): Buffer[] {
  let left = count;
  let index = 0;
  while (index < buffers.length && left >= buffers[index].length) {
    left -= buffers[index].length;
    index++;
  }
  const rest = buffers.slice(index);
  if (left > 0 && rest.length > 0) rest[0] = rest[0].subarray(left);
  return rest;
}

export interface LocalStorageOptions {
  /**
   * false skips every fsync: the page cache still makes writes visible to later reads and survives a killed
   * process, but not a power cut. Only for tests that open and close cartridges thousands of times.
   */
  readonly durable?: boolean;
}

export class LocalStorage implements Storage {
  private readonly root: string;
  private readonly durable: boolean;

  constructor(root: string, options: LocalStorageOptions = {}) {
    this.root = path.resolve(root);
    this.durable = options.durable ?? true;
  }

  private resolve(relative: string): string {
    const full = path.resolve(this.root, relative);
    if (full !== this.root && !full.startsWith(this.root + path.sep)) {
      throw new StorageError(`Cannot use path "${relative}": it leaves the storage root`, undefined);
    }
    return full;
  }

  async open(relative: string, options: { readonly create: boolean }): Promise<RandomAccessFile> {
    const full = this.resolve(relative);
    try {
      const flags = constants.O_RDWR | (options.create ? constants.O_CREAT : 0);
      return new LocalFile(await fs.open(full, flags, 0o644), relative, this.durable);
    } catch (error) {
      throw wrap(`open ${relative}`, error);
    }
  }

  async readFile(relative: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.resolve(relative));
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return undefined;
      throw wrap(`read ${relative}`, error);
    }
  }

  async writeFileAtomic(relative: string, data: Buffer): Promise<void> {
    const full = this.resolve(relative);
    const temporary = `${full}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const handle = await fs.open(temporary, 'w', 0o644);
      try {
        await handle.writeFile(data);
        if (this.durable) await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temporary, full);
      if (this.durable) await syncFolder(path.dirname(full));
    } catch (error) {
      await fs.rm(temporary, { force: true }).catch(() => undefined);
      throw wrap(`write ${relative}`, error);
    }
  }

  async removeFile(relative: string): Promise<void> {
    try {
      await fs.rm(this.resolve(relative), { force: true });
    } catch (error) {
      throw wrap(`remove ${relative}`, error);
    }
  }

  async exists(relative: string): Promise<boolean> {
    try {
      await fs.access(this.resolve(relative));
      return true;
    } catch {
      return false;
    }
  }

  async list(folder: string): Promise<string[]> {
    try {
      return await fs.readdir(this.resolve(folder));
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return [];
      throw wrap(`list ${folder}`, error);
    }
  }

  async makeFolder(folder: string): Promise<void> {
    try {
      await fs.mkdir(this.resolve(folder), { recursive: true });
    } catch (error) {
      throw wrap(`create folder ${folder}`, error);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const target = this.resolve(to);
    try {
      await fs.rename(this.resolve(from), target);
      if (this.durable) await syncFolder(path.dirname(target));
    } catch (error) {
      throw wrap(`rename ${from} to ${to}`, error);
    }
  }

  async removeFolder(folder: string): Promise<void> {
    try {
      await fs.rm(this.resolve(folder), { recursive: true, force: true });
    } catch (error) {
      throw wrap(`remove folder ${folder}`, error);
    }
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await fs.open(folder, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
