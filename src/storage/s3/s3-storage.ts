// Storage in an S3 object store with a bounded local cache (FORMAT.md "Object store"). Files are segment objects
// (segment-layout.ts); writes land in the cache and its journal (cached-file.ts) and go up in the background
// (uploader.ts). Namespace changes (rename, removal) need the store reachable: they are rare (creating and deleting
// cartridges) and a rename is made crash-safe by a marker object replayed at start-up.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from '../../log.js';
import { LocalStorage } from '../local-storage.js';
import { StorageError, type RandomAccessFile, type Storage } from '../storage.js';
import { S3File } from './s3-file.js';
import { withBackoff } from './backoff.js';
import { CacheSpace } from './cache-space.js';
import { CachedFile, type CachedFileContext } from './cached-file.js';
import { ObjectStore, type ObjectStoreOptions, type PutRetention } from './object-store.js';
import { recoverJournals } from './recover-journals.js';
import { Uploader } from './uploader.js';

/** 16 MiB: see FORMAT.md "Object store" for the measurement behind it (bench/s3-segment-size.ts). */
export const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;
const RENAMES = '.vtl-renames';
/**
 * The latest retain-until date asked for: 2106-02-07, 2^32 - 1 seconds after 1970. RGW 16 keeps the date in 32 bits
 * and turns a later one into a date in the past (measured: 100 years from 2026 came back as 1990), which would
 * leave the object unprotected.
 */
export const LATEST_RETAIN_UNTIL_MS = 0xffff_ffff * 1000;

export interface S3StorageOptions extends ObjectStoreOptions {
  /** Prepended to every key (e.g. "library1/"), so several libraries can share a bucket. */
  readonly prefix?: string | undefined;
  readonly cacheDir: string;
  readonly cacheBytes: number;
  readonly segmentBytes?: number | undefined;
  /** Every object is stored with this retention (S3 Object Lock); start-up refuses a bucket without Object Lock. */
  readonly objectLock?: { readonly mode: 'COMPLIANCE' | 'GOVERNANCE'; readonly retainDays: number } | undefined;
  /**
   * WORM cartridges (FORMAT.md "Object Lock"): every object under a top-level folder `isWormFolder` names is stored
   * with this retention, and removing or renaming such a folder is refused before the store is touched.
   * Start-up refuses a bucket without Object Lock.
   */
  readonly worm?: { readonly mode: 'COMPLIANCE' | 'GOVERNANCE'; readonly retainDays: number; readonly isWormFolder: (name: string) => boolean } | undefined;
  /** Refuse a bucket without Object Lock even when no retention is asked for. */
  readonly requireObjectLock?: boolean | undefined;
  /** Attempts of a foreground call (a read of data only in the store, a listing, a namespace change). */
  readonly attempts?: number | undefined;
  readonly log: Logger;
}

export class S3Storage implements Storage {
  readonly store: ObjectStore;
  private readonly local: LocalStorage;
  private readonly space: CacheSpace;
  private readonly uploader: Uploader;
  private readonly files = new Map<string, CachedFile>();
  private readonly loading = new Map<string, Promise<CachedFile | undefined>>();
  private readonly ctx: CachedFileContext;
  private readonly prefix: string;
  private readonly attempts: number;
  private localNames = 0;
  /** The body of the upload in progress (one at a time): one allocation instead of 16 MiB of garbage per PUT. */
  private uploadBody = Buffer.alloc(0);

  private constructor(private readonly options: S3StorageOptions) {
    this.store = new ObjectStore(options);
    this.local = new LocalStorage(options.cacheDir);
    this.prefix = options.prefix ?? '';
    this.attempts = options.attempts ?? 6;
    const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    const log = options.log;
    this.uploader = new Uploader(log, () => this.space.changed(), () => this.space.pressed());
    this.space = new CacheSpace(options.cacheBytes, segmentBytes, () => this.uploader.down);
    this.ctx = {
      store: this.store,
      local: this.local,
      space: this.space,
      segmentBytes,
      log,
      readAttempts: this.attempts,
      keyOf: (p) => this.prefix + p,
      retention: (p) => this.retention(p),
      uploadBuffer: (size) => {
        if (this.uploadBody.length < size) this.uploadBody = Buffer.allocUnsafe(Math.max(size, segmentBytes));
        return this.uploadBody;
      },
      requestUpload: (file) => this.uploader.request(file),
      noteWrite: () => this.uploader.noteWrite(),
      nextLocalName: (index) => `${index}.${++this.localNames}`,
    };
  }

  /** Check the bucket, finish an interrupted rename, upload the cache's journals, then empty the cache. */
  static async open(options: S3StorageOptions): Promise<S3Storage> {
    const storage = new S3Storage(options);
    try {
      await storage.start();
    } catch (error) {
      storage.store.destroy();
      throw error;
    }
    return storage;
  }

  private async start(): Promise<void> {
    const { log } = this.options;
    await withBackoff(() => this.store.checkBucket(), { attempts: this.attempts });
    const wanted = this.options.objectLock ?? this.options.worm;
    if (wanted !== undefined || this.options.requireObjectLock === true) {
      const lock = await withBackoff(() => this.store.objectLock(), { attempts: this.attempts });
      if (lock === undefined) {
        const asked = wanted === undefined ? 'Object Lock' : `${wanted.mode} retention of ${wanted.retainDays} days by S3 Object Lock`;
        throw new StorageError(`Cannot use bucket ${this.store.bucket}: it was not created with Object Lock, so it cannot honour the ${asked} the library's policy asks for`, 'EINVAL');
      }
      const worm = this.options.worm && { mode: this.options.worm.mode, retainDays: this.options.worm.retainDays };
      log.info({ bucket: this.store.bucket, defaultMode: lock.defaultMode, retention: this.options.objectLock, worm }, 'bucket has Object Lock');
    }
    const markers = await withBackoff(() => this.store.listAll(`${this.prefix}${RENAMES}/`), { attempts: this.attempts });
    for (const marker of markers) {
      const body = await withBackoff(() => this.store.get(marker.key), { attempts: this.attempts });
      if (body !== undefined) {
        const { from, to } = JSON.parse(body.toString('utf8')) as { from: string; to: string };
        log.warn({ from, to }, 'finishing a rename a crash interrupted');
        await this.moveObjects(from, to);
      }
      await withBackoff(() => this.store.delete(marker.key), { attempts: this.attempts });
    }
    await recoverJournals(this.ctx, this.attempts);
  }

  /** Why uploads fail right now (the store unreachable), or undefined. */
  get storeDown(): string | undefined {
    return this.uploader.down;
  }

  /** Wait until everything written so far is in the store (throws EIO while the store is down). */
  async drain(): Promise<void> {
    for (const file of this.files.values()) await file.sync();
    await this.uploader.drain([...this.files.values()], 'upload the cache');
  }

  /** Wait until everything written so far is in the store, however long the store is away. */
  async uploaded(): Promise<void> {
    for (const file of this.files.values()) await file.sync();
    await this.uploader.idle();
  }

  /** Upload what is left if the store is reachable (the journal keeps it otherwise), then stop. */
  async close(): Promise<void> {
    if (this.uploader.down === undefined) await this.drain().catch((error: unknown) => this.options.log.warn({ err: error }, 'cache not fully uploaded at close; the journal keeps it for the next start'));
    await this.uploader.stop();
    for (const file of this.files.values()) await file.closeLocal();
    this.files.clear();
    this.store.destroy();
  }

  async open(p: string, options: { readonly create: boolean }): Promise<RandomAccessFile> {
    const name = this.normalize(p);
    let file = await this.file(name);
    if (file === undefined) {
      if (!options.create) throw new StorageError(`Cannot open ${name}: no such file`, 'ENOENT');
      file = this.adopt(new CachedFile(name, this.ctx, 0, true));
      await file.replace(Buffer.alloc(0));
    }
    return new S3File(file, this.options.log);
  }

  async readFile(p: string): Promise<Buffer | undefined> {
    const file = await this.file(this.normalize(p));
    if (file === undefined) return undefined;
    const bytes = Buffer.alloc(file.length);
    const got = await file.read(bytes, 0, bytes.length, 0);
    return bytes.subarray(0, got);
  }

  async writeFileAtomic(p: string, data: Buffer): Promise<void> {
    const name = this.normalize(p);
    const file = this.files.get(name) ?? this.adopt(new CachedFile(name, this.ctx, 0, true));
    await file.replace(data);
  }

  async removeFile(p: string): Promise<void> {
    const name = this.normalize(p);
    this.refuseWorm(name, 'remove');
    await this.forget((f) => f === name);
    await this.removeObjects(`${this.prefix}${name}/`);
  }

  async exists(p: string): Promise<boolean> {
    return (await this.file(this.normalize(p))) !== undefined;
  }

  async list(folder: string): Promise<string[]> {
    const name = this.normalize(folder);
    const under = name === '.' ? '' : `${name}/`;
    const names = new Set(await withBackoff(() => this.store.listNames(this.prefix + under), { attempts: this.attempts }));
    for (const file of this.files.keys()) if (file.startsWith(under)) names.add(file.slice(under.length).split('/')[0]);
    names.delete(RENAMES);
    return [...names];
  }

  async makeFolder(folder: string): Promise<void> {
    this.normalize(folder); // folders are implicit in a key space: only the name is checked
    return Promise.resolve();
  }

  /** Upload what is cached under `from`, record the rename in a marker, copy, remove the sources, drop the marker. */
  async rename(from: string, to: string): Promise<void> {
    const source = this.normalize(from);
    const target = this.normalize(to);
    this.refuseWorm(source, `rename to ${target}`);
    const affected = [...this.files.values()].filter((f) => isUnder(f.path, source));
    for (const file of affected) await file.sync();
    await this.uploader.drain(affected, `rename ${source} to ${target}`);
    // Everything is in the store: the cache (and its journals) must not bring the old names back after a crash.
    await this.forget((f) => isUnder(f, source));
    const marker = `${this.prefix}${RENAMES}/${randomBytes(8).toString('hex')}`;
    await withBackoff(() => this.store.put(marker, Buffer.from(JSON.stringify({ from: source, to: target }))), { attempts: this.attempts });
    await this.moveObjects(source, target);
    await withBackoff(() => this.store.delete(marker), { attempts: this.attempts });
  }

  async removeFolder(folder: string): Promise<void> {
    const name = this.normalize(folder);
    this.refuseWorm(name, 'remove');
    await this.forget((f) => isUnder(f, name));
    await this.removeObjects(`${this.prefix}${name}/`);
  }

  /** The Object Lock an object of the file at `p` is stored with: a WORM cartridge's, else the library's policy. */
  private retention(p: string): PutRetention | undefined {
    const lock = this.isWorm(p) ? this.options.worm : this.options.objectLock;
    if (lock === undefined) return undefined;
    return { mode: lock.mode, retainUntil: new Date(Math.min(LATEST_RETAIN_UNTIL_MS, Date.now() + lock.retainDays * 86_400_000)) };
  }

  private isWorm(p: string): boolean {
    return this.options.worm?.isWormFolder(p.split('/')[0]) === true;
  }

  /** A WORM cartridge's objects are locked in the store: its folder is never removed or renamed away. */
  private refuseWorm(name: string, doing: string): void {
    if (name === '.' ? this.options.worm !== undefined : this.isWorm(name)) {
      throw new StorageError(`Cannot ${doing} ${name}: it holds a WORM cartridge, whose objects S3 Object Lock retains`, 'EACCES');
    }
  }

  private normalize(p: string): string {
    const name = path.posix.normalize(p.replace(/\/+$/, '') || '.');
    if (name.startsWith('..') || path.posix.isAbsolute(name)) throw new StorageError(`Cannot use path "${p}": it leaves the storage root`, undefined);
    if (name.split('/')[0] === RENAMES) throw new StorageError(`Cannot use path "${p}": ${RENAMES} is the storage's own`, undefined);
    return name;
  }

  private adopt(file: CachedFile): CachedFile {
    this.files.set(file.path, file);
    return file;
  }

  /** The file, loaded from the store on first use; undefined when it does not exist. */
  private async file(name: string): Promise<CachedFile | undefined> {
    const known = this.files.get(name);
    if (known !== undefined) return known;
    let loading = this.loading.get(name);
    if (loading === undefined) {
      loading = CachedFile.load(name, this.ctx).finally(() => this.loading.delete(name));
      this.loading.set(name, loading);
    }
    const file = await loading;
    if (file === undefined) return undefined;
    return this.files.get(name) ?? this.adopt(file);
  }

  /** Drop the files `match` selects from the process and the cache (after any upload of theirs in flight). */
  private async forget(match: (path: string) => boolean): Promise<void> {
    for (const file of [...this.files.values()]) {
      if (!match(file.path)) continue;
      this.files.delete(file.path);
      file.removed = true;
      await this.uploader.settle(file);
      await file.dropLocal();
    }
  }

  private async moveObjects(from: string, to: string): Promise<void> {
    const fromKey = `${this.prefix}${from}/`;
    const objects = await withBackoff(() => this.store.listAll(fromKey), { attempts: this.attempts });
    const retention = this.retention(to);
    for (const o of objects) await withBackoff(() => this.store.copy(o.key, `${this.prefix}${to}/${o.key.slice(fromKey.length)}`, retention), { attempts: this.attempts });
    for (const o of objects) await withBackoff(() => this.store.delete(o.key), { attempts: this.attempts });
  }

  private async removeObjects(prefix: string): Promise<void> {
    const objects = await withBackoff(() => this.store.listAll(prefix), { attempts: this.attempts });
    // Highest keys first: a file's segment 0 goes last, so a crash leaves a prefix of it, never a file with a hole.
    for (const o of objects.reverse()) await withBackoff(() => this.store.delete(o.key), { attempts: this.attempts });
  }
}

function isUnder(file: string, folder: string): boolean {
  return folder === '.' || file === folder || file.startsWith(`${folder}/`);
}
