// FORMAT.md "Deduplication": the chunk store of a library (or of every library, scope global): container files of
// unique chunks under one folder, and the in-memory index from hash to location, rebuilt from the containers when
// the store opens. The store owns the ordering of what changes it: every move of a data file into a recipe and every
// collection runs through exclusive(), one at a time, so a collection never sees chunks that a move has stored or
// found again but not yet referenced from a saved recipe. Reads run beside them: containers are append-only.
import { blake3 } from '@napi-rs/blake-hash';
import { crc32c } from '../../crc32c.js';
import type { Logger } from '../../log.js';
import { SerialQueue } from '../../serial-queue.js';
import type { RandomAccessFile, Storage } from '../../storage/storage.js';
import { randomBytes } from 'node:crypto';
import {
  CONTAINER_HEADER_BYTES, decodeContainerHeader, decodeEntryHeader, encodeContainerHeader, encodeEntryHeader, ENTRY_HEADER_BYTES,
  SEALED_CONTAINER_HEADER_BYTES, type ContainerHeader,
} from './chunk-container.js';
import { CONTAINER_SALT_BYTES, type ChunkSealer } from './chunk-sealer.js';
import { ChunkIndex } from './chunk-index.js';
import { decodeChunkPayload, encodeChunk, encodeChunkSync, type StoredPayload } from './chunk-compression.js';
import type { ChunkRef } from './recipe.js';

/** A container is closed and a new one started past this size, so collection can free space a container at a time. */
export const CONTAINER_BYTES = 64 * 1024 * 1024;
/** Entries are gathered and written in one write of about this size. */
const WRITE_BATCH_BYTES = 4 * 1024 * 1024;
/** The AES-GCM tag a sealed entry's payload ends with. */
const SEAL_TAG_BYTES = 16;

/** A chunk failed its check on read: SSC MEDIUM ERROR on the blocks that use it. */
export class ChunkDamagedError extends Error {
  constructor(
    message: string,
    readonly ref: ChunkRef,
  ) {
    super(message);
    this.name = 'ChunkDamagedError';
  }
}

export interface ChunkStoreStats {
  readonly uniqueChunks: number;
  readonly storedBytes: number;
  readonly containers: number;
  readonly indexMemoryBytes: number;
}

const containerName = (n: number): string => `${n.toString().padStart(8, '0')}.vtchunk`;

export class ChunkStore {
  private readonly index: ChunkIndex;
  private readonly files = new Map<number, RandomAccessFile>();
  /** Each container's header as read or written (where its entries start; its salt when sealed). */
  private readonly headers = new Map<number, ContainerHeader>();
  private current = 0;
  /** The open container has no header yet: the next store() writes it. */
  private fresh = true;
  private currentEnd = CONTAINER_HEADER_BYTES;
  private pending: Buffer[] = [];
  private pendingStart = CONTAINER_HEADER_BYTES;
  private pendingBytes = 0;
  private storedBytes = 0;
  private readonly jobs = new SerialQueue();

  private constructor(
    private readonly storage: Storage,
    private readonly folder: string,
    private readonly log: Logger,
    maxChunks: number,
    /** The id recipes record for this store (chunk-stores.ts). */
    readonly id: number,
    /** With encryption at rest: new containers are sealed (chunk-sealer.ts). */
    private readonly sealer: ChunkSealer | undefined,
  ) {
    this.index = new ChunkIndex(maxChunks);
  }

  /** Open the store in `folder` (created if missing): index every entry of every container; appends go
   * to a new container, so a torn tail of the last one is never appended to. */
  static async open(storage: Storage, folder: string, log: Logger, maxChunks = 100_000_000, id = 0, sealer?: ChunkSealer): Promise<ChunkStore> {
    await storage.makeFolder(folder);
    const store = new ChunkStore(storage, folder, log, maxChunks, id, sealer);
    const numbers = (await storage.list(folder)).map((name) => /^(\d{8})\.vtchunk$/.exec(name)?.[1]).filter((n) => n !== undefined).map(Number).sort((a, b) => a - b);
    for (const n of numbers) await store.scan(n);
    store.current = numbers.length === 0 ? 0 : (numbers.at(-1) ?? 0) + 1;
    store.startContainer();
    return store;
  }

  /** Run `job` (a move into a recipe, or a collection) after every one queued before it, alone. */
  exclusive<T>(job: () => Promise<T>): Promise<T> {
    return this.jobs.run(job);
  }

  stats(): ChunkStoreStats {
    return { uniqueChunks: this.index.size, storedBytes: this.storedBytes, containers: this.files.size, indexMemoryBytes: this.index.memoryBytes };
  }

  /** Store `chunk` unless an identical one is stored: where it is. Durable only after sync(). */
  async put(chunk: Buffer): Promise<ChunkRef> {
    return (await this.store(chunk)).ref;
  }

  /** Like put(), saying how many bytes the store grew by (0 when the chunk was there already). */
  async store(chunk: Buffer): Promise<{ ref: ChunkRef; addedBytes: number }> {
    const hash = this.idOf(chunk);
    return this.find(hash, chunk.length) ?? this.append(chunk, hash, encodeChunkSync(chunk));
  }

  /**
   * store() for several chunks in order: the new ones are compressed on the thread pool in parallel (LZ4 is the
   * pass's largest cost, and this is what puts it on the second core), then appended in order; a chunk repeated
   * within `batch` is stored once.
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
      compressing.push(hit === undefined && !firstOf.has(key) ? encodeChunk(chunk) : undefined);
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
      else results.push(await this.append(chunk, hash, await (compressing[i] ?? encodeChunk(chunk))));
    }
    return results;
  }

  /** Where an identical chunk is stored (the index compares 128 bits of its id: chunk-index.ts), or undefined. */
  private find(hash: Buffer, length: number): { ref: ChunkRef; addedBytes: number } | undefined {
    const at = this.index.find(hash);
    return at === undefined ? undefined : { ref: { container: at.container, offset: at.offset, length }, addedBytes: 0 };
  }

  private async append(chunk: Buffer, hash: Buffer, stored: StoredPayload): Promise<{ ref: ChunkRef; addedBytes: number }> {
    const { codec, payload: plain } = stored;
    const storedLength = plain.length + (this.sealer ? SEAL_TAG_BYTES : 0);
    if (this.currentEnd + ENTRY_HEADER_BYTES + storedLength > CONTAINER_BYTES && !this.fresh) await this.roll();
    if (this.fresh) {
      const salt = this.sealer ? randomBytes(CONTAINER_SALT_BYTES) : undefined;
      const head = encodeContainerHeader(salt);
      this.pending.push(head); // a new container
      this.headers.set(this.current, { headerBytes: head.length, salt });
      this.fresh = false;
    }
    const ref = { container: this.current, offset: this.currentEnd, length: chunk.length };
    // Sealed: the header's fields (codec, lengths, id) are the seal's authenticated data, so neither moves alone.
    const salt = this.headers.get(this.current)?.salt;
    const payload = this.sealer && salt
      ? this.sealer.seal(salt, ref.offset, encodeEntryHeader({ payloadCrc: 0, codec, storedLength, logicalLength: chunk.length, hash }).subarray(8), plain)
      : plain;
    const header = encodeEntryHeader({ payloadCrc: crc32c(payload), codec, storedLength, logicalLength: chunk.length, hash });
    this.pending.push(header, Buffer.from(payload));
    this.pendingBytes = this.currentEnd + header.length + payload.length - this.pendingStart;
    this.currentEnd += header.length + payload.length;
    this.storedBytes += header.length + payload.length;
    this.index.add(hash, ref);
    if (this.pendingBytes >= WRITE_BATCH_BYTES) await this.writePending();
    return { ref, addedBytes: header.length + payload.length };
  }

  /** Everything put so far is durable. */
  async sync(): Promise<void> {
    await this.writePending();
    await this.files.get(this.current)?.sync();
  }

  /** The chunk's bytes, checked (header CRC, payload CRC, length, seal); ChunkDamagedError when a check fails. */
  async get(ref: ChunkRef): Promise<Buffer> {
    return this.decodeEntry(ref, await this.readRange(ref.container, ref.offset, ENTRY_HEADER_BYTES + ref.length + SEAL_TAG_BYTES));
  }

  /** Up to `length` bytes of a container from `offset` (fewer at its end); ChunkDamagedError when it is missing. */
  async readRange(container: number, offset: number, length: number): Promise<Buffer> {
    if (container === this.current && offset + length > this.pendingStart) await this.writePending();
    const file = await this.containerFile(container, false).catch(() => undefined);
    if (file === undefined) throw new ChunkDamagedError(`chunk container ${container} is missing`, { container, offset, length });
    const bytes = Buffer.allocUnsafe(length);
    return bytes.subarray(0, await file.read(bytes, 0, length, offset));
  }

  /** The chunk `ref` from `bytes`, which start with its entry (and may hold more after it); checked as get() says. */
  decodeEntry(ref: ChunkRef, bytes: Buffer): Buffer {
    const fail = (why: string): never => {
      throw new ChunkDamagedError(`chunk at ${containerName(ref.container)}:${ref.offset} is damaged: ${why}`, ref);
    };
    const salt = this.headers.get(ref.container)?.salt;
    const header = decodeEntryHeader(bytes, salt !== undefined);
    if (typeof header === 'string') return fail(header);
    if (header.logicalLength !== ref.length) return fail(`it holds ${header.logicalLength} bytes, the recipe says ${ref.length}`);
    if (bytes.length < ENTRY_HEADER_BYTES + header.storedLength) return fail('short payload');
    const stored = bytes.subarray(ENTRY_HEADER_BYTES, ENTRY_HEADER_BYTES + header.storedLength);
    if (crc32c(stored) !== header.payloadCrc) return fail('payload CRC mismatch');
    let payload = stored;
    if (salt !== undefined) {
      if (this.sealer === undefined) return fail('its container is sealed and no master key is configured');
      payload = this.sealer.open(salt, ref.offset, bytes.subarray(8, ENTRY_HEADER_BYTES), stored) ?? fail('its seal does not open (damaged, or another master key)');
    }
    const data = decodeChunkPayload(header.codec, payload);
    return data.length === ref.length ? data : fail('decompressed length mismatch');
  }

  /** Check a chunk end to end, its BLAKE3 hash included (scrub); the reason it is damaged, or undefined. */
  async verify(ref: ChunkRef): Promise<string | undefined> {
    try {
      const data = await this.get(ref);
      const header = await this.readHeader(ref.container, ref.offset);
      if (typeof header === 'string') return header;
      return this.idOf(data).equals(header.hash) ? undefined : 'BLAKE3 mismatch';
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** Container numbers on disk, and which one is being appended to (never collected). */
  containers(): { readonly numbers: number[]; readonly open: number } {
    return { numbers: [...this.files.keys()].sort((a, b) => a - b), open: this.current };
  }

  /**
   * Remove containers no recipe references (mark and sweep, dedup-collector.ts), then rebuild the index from what
   * is left, so no removed location is offered again.
   */
  async removeContainers(numbers: readonly number[]): Promise<void> {
    await this.writePending();
    for (const n of numbers) {
      if (n === this.current) continue;
      await this.files.get(n)?.close();
      this.files.delete(n);
      this.headers.delete(n);
      await this.storage.removeFile(`${this.folder}/${containerName(n)}`);
      this.log.info({ container: n }, 'chunk container collected');
    }
    this.index.clear();
    this.storedBytes = 0;
    for (const n of [...this.files.keys()].sort((a, b) => a - b)) await this.scan(n);
  }

  async close(): Promise<void> {
    await this.sync();
    for (const file of this.files.values()) await file.close();
    this.files.clear();
  }

  private async roll(): Promise<void> {
    await this.sync();
    this.current++;
    this.startContainer();
  }

  /** The next store() begins container `current` with its header. */
  private startContainer(): void {
    this.fresh = true;
    this.currentEnd = this.sealer ? SEALED_CONTAINER_HEADER_BYTES : CONTAINER_HEADER_BYTES;
    this.pendingStart = 0;
  }

  /** What the index and the entry header know a chunk by: its BLAKE3, keyed when the store is sealed. */
  private idOf(chunk: Buffer): Buffer {
    const hash = blake3(chunk);
    return this.sealer ? this.sealer.id(hash) : hash;
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const buffers = this.pending;
    const at = this.pendingStart;
    this.pending = [];
    this.pendingStart += this.pendingBytes;
    this.pendingBytes = 0;
    await (await this.containerFile(this.current, true)).write(buffers, at);
  }

  private async containerFile(n: number, create: boolean): Promise<RandomAccessFile> {
    let file = this.files.get(n);
    if (file === undefined) {
      file = await this.storage.open(`${this.folder}/${containerName(n)}`, { create });
      this.files.set(n, file);
    }
    return file;
  }

  private async readHeader(container: number, offset: number): Promise<ReturnType<typeof decodeEntryHeader>> {
    if (container === this.current && offset >= this.pendingStart) await this.writePending();
    const file = this.files.get(container);
    if (file === undefined) return 'container missing';
    const bytes = Buffer.alloc(ENTRY_HEADER_BYTES);
    const got = await file.read(bytes, 0, ENTRY_HEADER_BYTES, offset);
    return decodeEntryHeader(bytes.subarray(0, got), this.headers.get(container)?.salt !== undefined);
  }

  /** Index container `n` up to its first unreadable entry header. */
  private async scan(n: number): Promise<void> {
    const file = await this.containerFile(n, false);
    const length = await file.length();
    const head = Buffer.alloc(SEALED_CONTAINER_HEADER_BYTES);
    const got = await file.read(head, 0, SEALED_CONTAINER_HEADER_BYTES, 0);
    const decoded = decodeContainerHeader(head.subarray(0, got));
    if (decoded === undefined) {
      this.log.warn({ container: n, bytes: length }, 'chunk container without a valid header: its chunks are not offered again');
      return;
    }
    this.headers.set(n, decoded);
    if (decoded.salt !== undefined && this.sealer === undefined) {
      this.log.warn({ container: n }, 'chunk container sealed and no master key configured: its chunks are not offered again, and read as damaged');
      return;
    }
    if (decoded.salt === undefined && this.sealer !== undefined) {
      this.log.warn({ container: n }, 'chunk container written in clear before encryption at rest was on: its chunks are not offered again (new copies are sealed)');
      return;
    }
    let at = decoded.headerBytes;
    let lastStart = -1;
    let lastCrc = 0;
    let lastStored = 0;
    while (at < length) {
      const header = await this.readHeader(n, at);
      if (typeof header === 'string' || at + ENTRY_HEADER_BYTES + header.storedLength > length) break;
      this.index.add(header.hash, { container: n, offset: at });
      lastStart = at;
      lastCrc = header.payloadCrc;
      lastStored = header.storedLength;
      at += ENTRY_HEADER_BYTES + header.storedLength;
      this.storedBytes += ENTRY_HEADER_BYTES + header.storedLength;
    }
    if (at < length) {
      // A torn tail (a crash while the container was written) or damage. Nothing is cut: appends always go to a new
      // container after an open, and a chunk referenced past a damaged header must stay for its reads to report.
      this.log.warn({ container: n, offset: at, bytes: length - at }, 'chunk container entries past this offset are not indexed');
    }
    if (lastStart >= 0) {
      const payload = Buffer.alloc(lastStored);
      await file.read(payload, 0, lastStored, lastStart + ENTRY_HEADER_BYTES);
      if (crc32c(payload) !== lastCrc) this.log.warn({ container: n, offset: lastStart }, 'the last chunk of a container fails its CRC: kept for the reads to report');
    }
  }
}
