// Storage in memory: for tests that open cartridges thousands of times, and for callers (drive tests) that want
// a real cartridge format without a disk. Same semantics as LocalStorage, minus durability (there is nothing
// to lose but the process).
import { StorageError, type RandomAccessFile, type Storage } from './storage.js';

class MemoryFile implements RandomAccessFile {
  constructor(
    private readonly files: Map<string, Buffer>,
    private readonly name: string,
  ) {}

  private get bytes(): Buffer {
    const bytes = this.files.get(this.name);
    if (bytes === undefined) throw new StorageError(`Cannot use ${this.name}: it was removed`, 'ENOENT');
    return bytes;
  }

  async length(): Promise<number> {
    return this.bytes.length;
  }

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    const bytes = this.bytes;
    if (position >= bytes.length) return 0;
    return bytes.copy(buffer, offset, position, Math.min(bytes.length, position + length));
  }

  async write(buffers: readonly Buffer[], position: number): Promise<void> {
    const total = buffers.reduce((sum, b) => sum + b.length, 0);
    let bytes = this.bytes;
    if (position + total > bytes.length) {
      const grown = Buffer.alloc(position + total);
      bytes.copy(grown);
      bytes = grown;
      this.files.set(this.name, bytes);
    }
    let at = position;
    for (const buffer of buffers) at += buffer.copy(bytes, at);
  }

  async truncate(length: number): Promise<void> {
    const bytes = this.bytes;
    const cut = Buffer.alloc(length);
    bytes.copy(cut, 0, 0, Math.min(length, bytes.length));
    this.files.set(this.name, cut);
  }

  async sync(): Promise<void> {}

  async close(): Promise<void> {}
}

function normalize(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new StorageError(`Cannot use path "${path}": it leaves the storage root`, undefined);
    parts.push(part);
  }
  return parts.join('/');
}

export class MemoryStorage implements Storage {
  /** File contents by normalized path; folders exist implicitly (and explicitly in `folders`). */
  readonly files = new Map<string, Buffer>();
  private readonly folders = new Set<string>(['']);

  async open(path: string, options: { readonly create: boolean }): Promise<RandomAccessFile> {
    const name = normalize(path);
    if (!this.files.has(name)) {
      if (!options.create) throw new StorageError(`Cannot open ${path}: no such file`, 'ENOENT');
      this.files.set(name, Buffer.alloc(0));
    }
    return new MemoryFile(this.files, name);
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    const bytes = this.files.get(normalize(path));
    return bytes === undefined ? undefined : Buffer.from(bytes);
  }

  async writeFileAtomic(path: string, data: Buffer): Promise<void> {
    this.files.set(normalize(path), Buffer.from(data));
  }

  async removeFile(path: string): Promise<void> {
    this.files.delete(normalize(path));
  }

  async exists(path: string): Promise<boolean> {
    const name = normalize(path);
    return this.files.has(name) || this.folders.has(name);
  }

  async list(folder: string): Promise<string[]> {
    const prefix = normalize(folder);
    const names = new Set<string>();
    for (const name of [...this.files.keys(), ...this.folders]) {
      if (prefix !== '' && !name.startsWith(`${prefix}/`)) continue;
      const rest = prefix === '' ? name : name.slice(prefix.length + 1);
      if (rest !== '') names.add(rest.split('/')[0]);
    }
    return [...names];
  }

  async makeFolder(folder: string): Promise<void> {
    const parts = normalize(folder).split('/');
    for (let i = 1; i <= parts.length; i++) this.folders.add(parts.slice(0, i).join('/'));
  }

  async rename(from: string, to: string): Promise<void> {
    const source = normalize(from);
    const target = normalize(to);
    if (await this.exists(target)) throw new StorageError(`Cannot rename ${from} to ${to}: the target exists`, 'EEXIST');
    const moves = (name: string): string | undefined =>
      name === source ? target : name.startsWith(`${source}/`) ? `${target}${name.slice(source.length)}` : undefined;
    for (const [name, bytes] of [...this.files]) {
      const moved = moves(name);
      if (moved !== undefined) {
        this.files.delete(name);
        this.files.set(moved, bytes);
      }
    }
    for (const name of [...this.folders]) {
      const moved = moves(name);
      if (moved !== undefined) {
        this.folders.delete(name);
        this.folders.add(moved);
      }
    }
  }

  async removeFolder(folder: string): Promise<void> {
    const prefix = normalize(folder);
    for (const name of [...this.files.keys()]) if (name.startsWith(`${prefix}/`)) this.files.delete(name);
    for (const name of [...this.folders]) if (name === prefix || name.startsWith(`${prefix}/`)) this.folders.delete(name);
  }
}
