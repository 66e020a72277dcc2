// FORMAT.md "Deduplication / Containers", the appending side: entries go to one open container, gathered and written
// about 4 MiB at a time; a container is closed (synced) and the next one started past its size, and the first entry
// of a container is preceded by its header (sealed: with a fresh random salt). Nothing is ever written before the end
// of what is there, so a crash leaves at most a torn tail, which the scan at open leaves out (container-scan.ts).
import { randomBytes } from 'node:crypto';
import { crc32c } from '../../crc32c.js';
import { CONTAINER_HEADER_BYTES, encodeContainerHeader, encodeEntryHeader, ENTRY_HEADER_BYTES, SEALED_CONTAINER_HEADER_BYTES } from './chunk-container.js';
import type { StoredPayload } from './chunk-compression.js';
import { CONTAINER_SALT_BYTES, SEAL_TAG_BYTES, type ChunkSealer } from './chunk-sealer.js';
import type { ContainerFiles } from './container-files.js';

/** A container is closed and a new one started past this size, so collection can free space a container at a time. */
export const CONTAINER_BYTES = 64 * 1024 * 1024;
/** Entries are gathered and written in one write of about this size. */
const WRITE_BATCH_BYTES = 4 * 1024 * 1024;

export interface AppendedEntry {
  readonly container: number;
  readonly offset: number;
  /** The entry's bytes in the container (header and stored payload). */
  readonly entryBytes: number;
}

export class ContainerWriter {
  private currentNumber: number;
  /** The open container has no header yet: the next append() writes it. */
  private fresh = true;
  private end = 0;
  private pending: Buffer[] = [];
  /** Where the pending bytes go in the open container: everything before is written. */
  private pendingStart = 0;
  private pendingBytes = 0;

  /** Appends go to container `first` (a number no container on disk has), then on. */
  constructor(
    private readonly files: ContainerFiles,
    private readonly sealer: ChunkSealer | undefined,
    first: number,
    private readonly containerBytes = CONTAINER_BYTES,
  ) {
    this.currentNumber = first;
    this.start();
  }

  /** The container being appended to (never collected). */
  get current(): number {
    return this.currentNumber;
  }

  /** Append the entry of a chunk of `logicalLength` bytes known by `id`, stored as `stored`; written by sync() at the latest. */
  async append(id: Buffer, logicalLength: number, stored: StoredPayload): Promise<AppendedEntry> {
    const { codec, payload: plain } = stored;
    const storedLength = plain.length + (this.sealer ? SEAL_TAG_BYTES : 0);
    if (this.end + ENTRY_HEADER_BYTES + storedLength > this.containerBytes && !this.fresh) await this.roll();
    if (this.fresh) {
      const salt = this.sealer ? randomBytes(CONTAINER_SALT_BYTES) : undefined;
      const head = encodeContainerHeader(salt);
      this.pending.push(head);
      this.files.setHeader(this.currentNumber, { headerBytes: head.length, salt });
      this.fresh = false;
    }
    const offset = this.end;
    // Sealed: the header's fields (codec, lengths, id) are the seal's authenticated data, so neither moves alone.
    const salt = this.files.header(this.currentNumber)?.salt;
    const payload = this.sealer && salt
      ? this.sealer.seal(salt, offset, encodeEntryHeader({ payloadCrc: 0, codec, storedLength, logicalLength, hash: id }).subarray(8), plain)
      : plain;
    const header = encodeEntryHeader({ payloadCrc: crc32c(payload), codec, storedLength, logicalLength, hash: id });
    this.pending.push(header, Buffer.from(payload));
    this.end += header.length + payload.length;
    this.pendingBytes = this.end - this.pendingStart;
    if (this.pendingBytes >= WRITE_BATCH_BYTES) await this.writePending();
    return { container: this.currentNumber, offset, entryBytes: header.length + payload.length };
  }

  /** Bytes from `offset` to `offset + length` of `container` are about to be read: write them first if pending. */
  async beforeRead(container: number, offset: number, length: number): Promise<void> {
    if (container === this.currentNumber && offset + length > this.pendingStart) await this.writePending();
  }

  /** Everything appended so far is durable. */
  async sync(): Promise<void> {
    await this.writePending();
    await this.files.handle(this.currentNumber)?.sync();
  }

  async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const buffers = this.pending;
    const at = this.pendingStart;
    this.pending = [];
    this.pendingStart += this.pendingBytes;
    this.pendingBytes = 0;
    await (await this.files.open(this.currentNumber, true)).write(buffers, at);
  }

  private async roll(): Promise<void> {
    await this.sync();
    this.currentNumber++;
    this.start();
  }

  /** The next append() begins container `current` with its header. */
  private start(): void {
    this.fresh = true;
    this.end = this.sealer ? SEALED_CONTAINER_HEADER_BYTES : CONTAINER_HEADER_BYTES;
    this.pendingStart = 0;
  }
}
