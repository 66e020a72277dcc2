// Cartridges as folders of files in one directory (FORMAT.md "Files"). open() runs recovery before anything else.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import { LocalStorage } from '../storage/local-storage.js';
import { FencedStorage } from '../storage/fenced-storage.js';
import type { Storage } from '../storage/storage.js';
import { decodeMetadata, emptyLifetime, encodeMetadata, type CartridgeMetadata } from './cartridge-metadata.js';
import { BARCODE_PATTERN, CartridgeFile, cartridgePath } from './cartridge-files.js';
import { encodeFileHeader } from './file-header.js';
import type { FileTapeMedium, IngestCompression } from './file-tape-medium.js';
import { CartridgeSaver } from './cartridge-saver.js';
import { CartridgeKeyError, newDataKey, type MasterKey } from './crypto/master-key.js';
import { openPartitions, removeOtherLayouts, type CartridgeContext } from './open-partitions.js';
import { PartitionedTapeMedium } from './partitioned-tape-medium.js';
import { MediaFormatError } from './media-errors.js';
import type { CartridgeDescriptor, MediaStore, OpenOptions } from './media-store.js';
import { MAX_PARTITIONS, type TapeMedium } from './tape-medium.js';

/** The cartridge does not exist in the store, or its barcode cannot name one. */
export class CartridgeNotFoundError extends Error {
  constructor(readonly barcode: string) {
    super(`Cannot find cartridge "${barcode}" in the media store`);
    this.name = 'CartridgeNotFoundError';
  }
}

function checkBarcode(barcode: string): void {
  if (!BARCODE_PATTERN.test(barcode)) throw new RangeError(`Cannot use barcode "${barcode}": it must be 1-32 letters, digits, '_' or '-'`);
}

export class FileMediaStore implements MediaStore {
  private readonly storage: Storage;
  private readonly log: Logger;
  /** With a master key every cartridge's payloads are encrypted at rest under its own data key (FORMAT.md). */
  private readonly masterKey: MasterKey | undefined;
  private readonly ingestCompression: IngestCompression;
  /** Most partitions a FORMAT MEDIUM may make (1 on an object store: docs/CONFORMANCE.md "Partitions"). */
  private readonly partitionLimit: number;

  constructor(options: {
    directory: string; log: Logger; storage?: Storage; masterKey?: MasterKey; ingestCompression?: IngestCompression;
    /** False: cartridges keep one partition (FORMAT MEDIUM with partitions is refused). */
    partitions?: boolean;
  }) {
    this.storage = options.storage ?? new LocalStorage(options.directory);
    this.log = options.log;
    this.masterKey = options.masterKey;
    this.ingestCompression = options.ingestCompression ?? 'inline';
    this.partitionLimit = options.partitions === false ? 1 : MAX_PARTITIONS;
  }

  /** Write the three files into a hidden folder, then rename it into place: a crash leaves no half cartridge. */
  async create(cartridge: CartridgeDescriptor): Promise<void> {
    checkBarcode(cartridge.barcode);
    if (await this.exists(cartridge.barcode)) throw new RangeError(`Cannot create cartridge "${cartridge.barcode}": it already exists`);
    const staging = `.creating-${cartridge.barcode}-${randomBytes(4).toString('hex')}`;
    const metadata: CartridgeMetadata = {
      format: 1,
      barcode: cartridge.barcode,
      generation: cartridge.generation,
      worm: cartridge.worm,
      capacityBytes: cartridge.capacityBytes,
      pass: 0,
      loadCount: 0,
      lifetime: emptyLifetime(),
      attributes: {},
      createdAt: new Date().toISOString(),
      ...(this.masterKey === undefined ? {} : { atRest: this.masterKey.wrap(newDataKey(), cartridge.barcode) }),
    };
    await this.storage.makeFolder(staging);
    try {
      await this.storage.writeFileAtomic(`${staging}/${CartridgeFile.DATA}`, encodeFileHeader());
      await this.storage.writeFileAtomic(`${staging}/${CartridgeFile.METADATA}`, encodeMetadata(metadata));
      await this.storage.rename(staging, cartridge.barcode);
    } catch (error) {
      await this.storage.removeFolder(staging);
      throw error;
    }
    this.log.info({ barcode: cartridge.barcode, generation: cartridge.generation, worm: cartridge.worm }, 'cartridge created');
  }

  async open(cartridge: CartridgeDescriptor, options: OpenOptions = {}): Promise<TapeMedium> {
    const { ctx, streams } = await this.openStreams(cartridge, options);
    return new PartitionedTapeMedium(ctx, streams, this.partitionLimit);
  }

  /**
   * The cartridge's one record stream, for a store that builds its own medium around it (dedup/): a partitioned
   * cartridge is refused, since such a store keeps one stream per cartridge.
   */
  async openStream(cartridge: CartridgeDescriptor, options: OpenOptions = {}): Promise<FileTapeMedium> {
    const { streams } = await this.openStreams(cartridge, options);
    if (streams.length > 1) {
      await Promise.all(streams.map((s) => s.close().catch(() => undefined)));
      throw new MediaFormatError(`Cannot open cartridge "${cartridge.barcode}" here: it has ${streams.length} partitions and this store keeps one`, 0);
    }
    return streams[0];
  }

  private async openStreams(cartridge: CartridgeDescriptor, options: OpenOptions): Promise<{ ctx: CartridgeContext; streams: FileTapeMedium[] }> {
    const { barcode } = cartridge;
    const metadata = await this.readMetadata(barcode);
    const log = this.log.child({ barcode });
    // Before anything touches the files: a cartridge whose data key cannot be had is refused unchanged.
    const dataKey = this.dataKeyOf(metadata, log);
    if (metadata.worm !== cartridge.worm || metadata.generation !== cartridge.generation) {
      log.warn({ stored: { worm: metadata.worm, generation: metadata.generation }, asked: { worm: cartridge.worm, generation: cartridge.generation } }, 'cartridge metadata differs from the library record; using the cartridge');
    }
    // Fenced, everything the medium writes from its open on (recovery, the load count) passes the fence first.
    const storage = options.fence === undefined ? this.storage : new FencedStorage(this.storage, options.fence);
    const ctx: CartridgeContext = { storage, metadata, log, dataKey, ingestCompression: this.ingestCompression };
    // Only a store that partitions can have other layouts' files (an object store would pay a listing per load).
    if (this.partitionLimit > 1) await removeOtherLayouts(ctx);
    // Counted before the streams are made: they report the load count they were made with.
    metadata.loadCount++;
    const streams = await openPartitions(ctx);
    try {
      await new CartridgeSaver(storage, barcode).saveMetadata(metadata);
    } catch (error) {
      await Promise.all(streams.map((s) => s.close().catch(() => undefined)));
      throw error;
    }
    const objects = streams.reduce((sum, s) => sum + s.endOfData, 0);
    log.info({ objects, filemarks: streams.reduce((sum, s) => sum + s.marks.filemarkCount, 0), partitions: streams.length, loadCount: metadata.loadCount }, 'cartridge opened');
    return { ctx, streams };
  }

  async exists(barcode: string): Promise<boolean> {
    if (!BARCODE_PATTERN.test(barcode)) return false;
    return this.storage.exists(cartridgePath(barcode, CartridgeFile.METADATA));
  }

  /** Rename out of sight first, so a crash mid-delete never leaves a cartridge that looks whole. */
  async delete(barcode: string): Promise<void> {
    if (!(await this.exists(barcode))) throw new CartridgeNotFoundError(barcode);
    const doomed = `.deleting-${barcode}-${randomBytes(4).toString('hex')}`;
    await this.storage.rename(barcode, doomed);
    await this.storage.removeFolder(doomed);
    this.log.info({ barcode }, 'cartridge deleted');
  }

  async list(): Promise<string[]> {
    const names = await this.storage.list('.');
    const barcodes: string[] = [];
    for (const name of names.sort()) {
      if (BARCODE_PATTERN.test(name) && (await this.storage.exists(cartridgePath(name, CartridgeFile.METADATA)))) barcodes.push(name);
    }
    return barcodes;
  }

  /**
   * The cartridge's data key (undefined: it is not encrypted at rest). A cartridge written before a master key was
   * configured gets a data key now, kept with the metadata saved at open; its older records stay readable as they are.
   */
  private dataKeyOf(metadata: CartridgeMetadata, log: Logger): Buffer | undefined {
    const { barcode, atRest } = metadata;
    const master = this.masterKey;
    try {
      if (atRest !== undefined) {
        if (master === undefined) throw new CartridgeKeyError(`Cannot open cartridge "${barcode}": it is encrypted at rest (master key ${atRest.master}) and no master key is configured`, barcode);
        return master.unwrap(atRest, barcode);
      }
    } catch (error) {
      if (error instanceof CartridgeKeyError) log.error({ reason: error.message }, 'cartridge refused: its data key cannot be unwrapped');
      throw error;
    }
    if (master === undefined) return undefined;
    const dataKey = newDataKey();
    metadata.atRest = master.wrap(dataKey, barcode);
    log.info({ master: master.id }, 'cartridge gets a data key: records written from now on are encrypted at rest');
    return dataKey;
  }

  private async readMetadata(barcode: string): Promise<CartridgeMetadata> {
    if (!BARCODE_PATTERN.test(barcode)) throw new CartridgeNotFoundError(barcode);
    const bytes = await this.storage.readFile(cartridgePath(barcode, CartridgeFile.METADATA));
    if (bytes === undefined) throw new CartridgeNotFoundError(barcode);
    const metadata = decodeMetadata(bytes);
    if (typeof metadata === 'string') throw new MediaFormatError(`Cannot open cartridge "${barcode}": its metadata file is unusable: ${metadata}`, 0);
    return metadata;
  }
}
