// FORMAT.md "Deduplication": the chunk store of a library (or of every library, scope global): container files of
// unique chunks under one folder, and the in-memory index from hash to location, rebuilt from the containers when
// the store opens. The store owns the ordering of what changes it: every move of a data file into a recipe and every
// collection runs through exclusive(), one at a time, so a collection never sees chunks that a move has stored or
// found again but not yet referenced from a saved recipe. Reads run beside them: containers are append-only.
import { blake3 } from '@napi-rs/blake-hash';
import type { Logger } from '../../log.js';
import { SerialQueue } from '../../serial-queue.js';
import type { Storage } from '../../storage/storage.js';
import { codecChoice, describeCodecChoice, type CodecChoice } from '../codec/codec-choice.js';
import { ChunkEncoder, type ChunkCompression, type StoredPayload } from './chunk-compression.js';
import { ChunkDamagedError, decodeChunkEntry, decodeChunkEntryInto, type ChunkOutput } from './chunk-entry.js';
import { ChunkIndex } from './chunk-index.js';
import { SEAL_TAG_BYTES, type ChunkSealer } from './chunk-sealer.js';
import { ENTRY_HEADER_BYTES } from './chunk-container.js';
import { ContainerFiles } from './container-files.js';
import { scanContainer } from './container-scan.js';
import { ContainerWriter } from './container-writer.js';
import type { ChunkRef } from './recipe.js';

export { ChunkDamagedError } from './chunk-entry.js';
export { CONTAINER_BYTES } from './container-writer.js';

/** How a store compresses new chunks, and with which codecs (tests pass a choice without zstd). */
export interface ChunkStoreCompression {
  readonly compression?: ChunkCompression;
  readonly codecs?: CodecChoice;
}

export interface ChunkStoreStats {
  readonly uniqueChunks: number;
  readonly storedBytes: number;
  readonly containers: number;
  readonly indexMemoryBytes: number;
}

export class ChunkStore {
  private readonly index: ChunkIndex;
  private readonly files: ContainerFiles;
  private writer: ContainerWriter;
  private storedBytes = 0;
  private readonly jobs = new SerialQueue();
  private readonly codecs: CodecChoice;
  private readonly encoder: ChunkEncoder;

  private constructor(
    storage: Storage,
    folder: string,
    private readonly log: Logger,
    maxChunks: number,
    /** The id recipes record for this store (chunk-stores.ts). */
    readonly id: number,
    /** With encryption at rest: new containers are sealed (chunk-sealer.ts). */
    private readonly sealer: ChunkSealer | undefined,
    compression: ChunkStoreCompression,
  ) {
    this.codecs = compression.codecs ?? codecChoice();
    this.encoder = new ChunkEncoder(compression.compression, this.codecs);
    this.index = new ChunkIndex(maxChunks);
    this.files = new ContainerFiles(storage, folder);
    this.writer = new ContainerWriter(this.files, sealer, 0);
  }

  /** Open the store in `folder` (created if missing): index every entry of every container; appends go
   * to a new container, so a torn tail of the last one is never appended to. */
  static async open(storage: Storage, folder: string, log: Logger, maxChunks = 100_000_000, id = 0, sealer?: ChunkSealer, compression: ChunkStoreCompression = {}): Promise<ChunkStore> {
    await storage.makeFolder(folder);
    const store = new ChunkStore(storage, folder, log, maxChunks, id, sealer, compression);
    const { encoder } = store;
    if (encoder.fallbackReason === undefined) log.info({ codecs: describeCodecChoice(store.codecs) }, `new chunks are compressed with ${encoder.effective}`);
    else log.warn({ reason: encoder.fallbackReason }, 'new chunks are compressed with LZ4, not zstd: zstd is unavailable (zstd chunks cannot be read here either)');
    const numbers = await store.files.onDisk();
    for (const n of numbers) store.storedBytes += await scanContainer(store.files, n, store.index, sealer, log);
    store.writer = new ContainerWriter(store.files, sealer, numbers.length === 0 ? 0 : (numbers.at(-1) ?? 0) + 1);
    return store;
  }

  /** Run `job` (a move into a recipe, or a collection) after every one queued before it, alone. */
  exclusive<T>(job: () => Promise<T>): Promise<T> {
    return this.jobs.run(job);
  }

  stats(): ChunkStoreStats {
    return { uniqueChunks: this.index.size, storedBytes: this.storedBytes, containers: this.files.count, indexMemoryBytes: this.index.memoryBytes };
  }

  /** Store `chunk` unless an identical one is stored: where it is. Durable only after sync(). */
  async put(chunk: Buffer): Promise<ChunkRef> {
    return (await this.store(chunk)).ref;
  }

  /** Like put(), saying how many bytes the store grew by (0 when the chunk was there already). */
  async store(chunk: Buffer): Promise<{ ref: ChunkRef; addedBytes: number }> {
    const hash = this.idOf(chunk);
    return this.find(hash, chunk.length) ?? this.append(chunk, hash, this.encoder.encode(chunk));
  }

  /**
   * store() for several chunks in order: the new ones are compressed on the thread pool in parallel (compression
   * was the pass's largest cost, and this is what puts it on the second core), then appended in order; a chunk
   * repeated within `batch` is stored once.
   */
  async storeBatch(batch: readonly Buffer[]): Promise<{ ref: ChunkRef; addedBytes: number }[]> {
    const hashes = batch.map((chunk) => this.idOf(chunk));
    const found: ({ ref: ChunkRef; addedBytes: number } | undefined)[] = [];
    const firstOf = new Map<string, number>();
    const compressing: (Promise<StoredPayload> | undefined)[] = [];
    for (const [i, chunk] of batch.entries()) {
      const hash = hashes[i] ?? this.idOf(chunk);
      const hit = this.find(hash, chunk.length);
      found.push(hit);
      const key = hash.toString('latin1');
      compressing.push(hit === undefined && !firstOf.has(key) ? this.encoder.encodeAsync(chunk) : undefined);
      if (hit === undefined && !firstOf.has(key)) firstOf.set(key, i);
    }
    const results: { ref: ChunkRef; addedBytes: number }[] = [];
    for (const [i, chunk] of batch.entries()) {
      const hit = found[i];
      const hash = hashes[i] ?? this.idOf(chunk);
      const first = firstOf.get(hash.toString('latin1'));
      if (hit !== undefined) results.push(hit);
      else if (first !== undefined && first < i) {
        const earlier = results[first];
        results.push(earlier ? { ref: earlier.ref, addedBytes: 0 } : await this.store(chunk));
      }
      else results.push(await this.append(chunk, hash, await (compressing[i] ?? this.encoder.encodeAsync(chunk))));
    }
    return results;
  }

  /** Where an identical chunk is stored (the index compares 128 bits of its id: chunk-index.ts), or undefined. */
  private find(hash: Buffer, length: number): { ref: ChunkRef; addedBytes: number } | undefined {
    const at = this.index.find(hash);
    return at === undefined ? undefined : { ref: { container: at.container, offset: at.offset, length }, addedBytes: 0 };
  }

  private async append(chunk: Buffer, hash: Buffer, stored: StoredPayload): Promise<{ ref: ChunkRef; addedBytes: number }> {
    const entry = await this.writer.append(hash, chunk.length, stored);
    const ref = { container: entry.container, offset: entry.offset, length: chunk.length };
    this.storedBytes += entry.entryBytes;
    this.index.add(hash, ref);
    return { ref, addedBytes: entry.entryBytes };
  }

  /** Everything put so far is durable. */
  sync(): Promise<void> {
    return this.writer.sync();
  }

  /** The chunk's bytes, checked (header CRC, payload CRC, length, seal); ChunkDamagedError when a check fails. */
  async get(ref: ChunkRef): Promise<Buffer> {
    return this.decodeEntry(ref, await this.readRange(ref.container, ref.offset, ENTRY_HEADER_BYTES + ref.length + SEAL_TAG_BYTES));
  }

  /** Up to `length` bytes of a container from `offset` (fewer at its end); ChunkDamagedError when it is missing. */
  async readRange(container: number, offset: number, length: number): Promise<Buffer> {
    return this.readRangeInto(container, offset, Buffer.allocUnsafe(length));
  }

  /** readRange() into `bytes` (as many as it holds): the part of it read. */
  async readRangeInto(container: number, offset: number, bytes: Buffer): Promise<Buffer> {
    const length = bytes.length;
    await this.writer.beforeRead(container, offset, length);
    const file = await this.files.open(container, false).catch(() => undefined);
    if (file === undefined) throw new ChunkDamagedError(`chunk container ${container} is missing`, { container, offset, length });
    return bytes.subarray(0, await file.read(bytes, 0, length, offset));
  }


  /** The chunk `ref` from `bytes`, which start with its entry (and may hold more after it); checked as get() says. */
  decodeEntry(ref: ChunkRef, bytes: Buffer): Buffer {
    return decodeChunkEntry(ref, bytes, this.files.header(ref.container)?.salt, this.sealer, this.codecs);
  }

  /** decodeEntry() written straight into `into` (ref.length bytes at its offset): for a restore into its block. */
  decodeEntryInto(ref: ChunkRef, bytes: Buffer, into: ChunkOutput): void {
    decodeChunkEntryInto(ref, bytes, this.files.header(ref.container)?.salt, this.sealer, into, this.codecs);
  }

  /** Check a chunk end to end, its BLAKE3 hash included (scrub); the reason it is damaged, or undefined. */
  async verify(ref: ChunkRef): Promise<string | undefined> {
    try {
      const data = await this.get(ref);
      await this.writer.beforeRead(ref.container, ref.offset, ENTRY_HEADER_BYTES);
      const header = await this.files.readEntryHeader(ref.container, ref.offset);
      if (typeof header === 'string') return header;
      return this.idOf(data).equals(header.hash) ? undefined : 'BLAKE3 mismatch';
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** Container numbers on disk, and which one is being appended to (never collected). */
  containers(): { readonly numbers: number[]; readonly open: number } {
    return { numbers: this.files.numbers(), open: this.writer.current };
  }

  /**
   * Remove containers no recipe references (mark and sweep, dedup-pass.ts `collect`), then rebuild the index from
   * what is left, so no removed location is offered again.
   */
  async removeContainers(numbers: readonly number[]): Promise<void> {
    await this.writer.writePending();
    for (const n of numbers) {
      if (n === this.writer.current) continue;
      await this.files.remove(n);
      this.log.info({ container: n }, 'chunk container collected');
    }
    this.index.clear();
    this.storedBytes = 0;
    for (const n of this.files.numbers()) this.storedBytes += await scanContainer(this.files, n, this.index, this.sealer, this.log);
  }

  async close(): Promise<void> {
    await this.sync();
    await this.files.closeAll();
  }

  /** What the index and the entry header know a chunk by: its BLAKE3, keyed when the store is sealed. */
  private idOf(chunk: Buffer): Buffer {
    const hash = blake3(chunk);
    return this.sealer ? this.sealer.id(hash) : hash;
  }
}
