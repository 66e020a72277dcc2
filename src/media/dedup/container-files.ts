// FORMAT.md "Deduplication / Containers": the container files of one chunk store's folder, each opened once and kept
// open (appends and reads share the handle), with the header each one was found or written with (where its entries
// start; its salt when sealed). Removing a container closes its handle before the file goes.
import type { RandomAccessFile, Storage } from '../../storage/storage.js';
import { decodeEntryHeader, ENTRY_HEADER_BYTES, type ContainerHeader, type EntryHeader } from './chunk-container.js';

export const containerName = (n: number): string => `${n.toString().padStart(8, '0')}.vtchunk`;

export class ContainerFiles {
  private readonly files = new Map<number, RandomAccessFile>();
  private readonly headers = new Map<number, ContainerHeader>();

  constructor(
    private readonly storage: Storage,
    private readonly folder: string,
  ) {}

  /** Numbers of the container files in the folder, in order (other names are not containers). */
  async onDisk(): Promise<number[]> {
    return (await this.storage.list(this.folder)).map((name) => /^(\d{8})\.vtchunk$/.exec(name)?.[1]).filter((n) => n !== undefined).map(Number).sort((a, b) => a - b);
  }

  /** The open handle of container `n`, opening (and with `create`, creating) it the first time. */
  async open(n: number, create: boolean): Promise<RandomAccessFile> {
    let file = this.files.get(n);
    if (file === undefined) {
      file = await this.storage.open(`${this.folder}/${containerName(n)}`, { create });
      this.files.set(n, file);
    }
    return file;
  }

  /** The handle of container `n` if it was opened. */
  handle(n: number): RandomAccessFile | undefined {
    return this.files.get(n);
  }

  /** Containers opened so far, in order. */
  numbers(): number[] {
    return [...this.files.keys()].sort((a, b) => a - b);
  }

  get count(): number {
    return this.files.size;
  }

  header(n: number): ContainerHeader | undefined {
    return this.headers.get(n);
  }

  setHeader(n: number, header: ContainerHeader): void {
    this.headers.set(n, header);
  }

  /** The entry header at `offset` of container `n`, or why there is none. */
  async readEntryHeader(n: number, offset: number): Promise<EntryHeader | string> {
    const file = this.files.get(n);
    if (file === undefined) return 'container missing';
    const bytes = Buffer.alloc(ENTRY_HEADER_BYTES);
    const got = await file.read(bytes, 0, ENTRY_HEADER_BYTES, offset);
    return decodeEntryHeader(bytes.subarray(0, got), this.headers.get(n)?.salt !== undefined);
  }

  /** Close and delete container `n`. */
  async remove(n: number): Promise<void> {
    await this.files.get(n)?.close();
    this.files.delete(n);
    this.headers.delete(n);
    await this.storage.removeFile(`${this.folder}/${containerName(n)}`);
  }

  async closeAll(): Promise<void> {
    for (const file of this.files.values()) await file.close();
    this.files.clear();
  }
}
