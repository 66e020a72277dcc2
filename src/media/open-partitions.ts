// FORMAT.md "Recovery", "Partitions": open the record stream of every partition of a cartridge, each data file
// recovered (a torn tail cut, a stale index rebuilt) before anything else, and clear away the files of layouts a
// FORMAT MEDIUM cut short or left behind.
import type { Logger } from '../log.js';
import type { Storage } from '../storage/storage.js';
import type { CartridgeMetadata } from './cartridge-metadata.js';
import { cartridgePath, isPartitionFile, partitionFiles, type PartitionFiles } from './cartridge-files.js';
import { CartridgeSaver } from './cartridge-saver.js';
import { FileTapeMedium, type IngestCompression } from './file-tape-medium.js';
import { recoverIndex, type Recovery } from './recover-index.js';
import type { RandomAccessFile } from '../storage/storage.js';

/** What every partition of one mounted cartridge shares. */
export interface CartridgeContext {
  readonly storage: Storage;
  /** The one metadata object of the mount: every partition saves it whole. */
  readonly metadata: CartridgeMetadata;
  readonly log: Logger;
  readonly dataKey: Buffer | undefined;
  readonly ingestCompression: IngestCompression;
}

/** The current layout: its number (0: none recorded) and the capacity of each partition (empty: one partition). */
export function layoutOf(metadata: CartridgeMetadata): { readonly number: number; readonly partitionBytes: readonly number[] } {
  return { number: metadata.layout?.number ?? 0, partitionBytes: metadata.layout?.partitionBytes ?? [] };
}

interface Recovered {
  readonly files: PartitionFiles;
  readonly file: RandomAccessFile;
  readonly recovery: Recovery;
  readonly log: Logger;
}

async function recoverPartition(ctx: CartridgeContext, files: PartitionFiles, log: Logger): Promise<Recovered> {
  const { storage, metadata } = ctx;
  const file = await storage.open(cartridgePath(metadata.barcode, files.data), { create: false });
  try {
    const recovery = await recoverIndex(file, await storage.readFile(cartridgePath(metadata.barcode, files.index)));
    if (recovery.tail !== undefined) {
      log.warn({ offset: recovery.tail.offset, bytes: recovery.tail.bytes, reason: recovery.tail.reason, endOfData: recovery.index.objectCount }, 'cut a torn tail off the cartridge');
      await file.truncate(recovery.tail.offset);
      await file.sync();
    }
    // A blank cartridge has no checkpoint until its first close: that is not damage, and says nothing.
    const objects = recovery.index.objectCount;
    if (recovery.rewritten !== undefined) {
      log.warn({ offset: recovery.rewritten.offset, firstObject: recovery.rewritten.firstObject }, 'wrote again the filemark record a crash took from a cut inside a filemark run');
    }
    if (recovery.checkpoint.kind === 'unusable') {
      log.warn({ problem: recovery.checkpoint.reason, objects }, 'index checkpoint unusable; rebuilt the index from the records');
    } else if (recovery.checkpoint.kind === 'missing' && objects > 0) {
      log.warn({ objects }, 'index checkpoint missing; rebuilt the index from the records');
    }
    return { files, file, recovery, log };
  } catch (error) {
    await file.close();
    throw error;
  }
}

/**
 * Every partition of the current layout as a FileTapeMedium, by partition number. The metadata's pass becomes the
 * highest of every stream (each stream starts there: passes only grow along a stream). The metadata is not saved
 * here: the caller saves it with what it changes itself (the load count).
 */
export async function openPartitions(ctx: CartridgeContext): Promise<FileTapeMedium[]> {
  const { metadata, storage } = ctx;
  const layout = layoutOf(metadata);
  const count = Math.max(1, layout.partitionBytes.length);
  const recovered: Recovered[] = [];
  try {
    for (let partition = 0; partition < count; partition++) {
      const log = layout.number === 0 ? ctx.log : ctx.log.child({ partition });
      recovered.push(await recoverPartition(ctx, partitionFiles(layout.number, partition), log));
    }
    for (const r of recovered) metadata.pass = Math.max(metadata.pass, r.recovery.pass);
    for (const { recovery, files } of recovered) {
      if (recovery.checkpoint.kind !== 'used' || recovery.scannedRecords > 0 || recovery.tail !== undefined) {
        await new CartridgeSaver(storage, metadata.barcode, files.index).saveCheckpoint(recovery.index, metadata.pass);
      }
    }
  } catch (error) {
    await Promise.all(recovered.map((r) => r.file.close().catch(() => undefined)));
    throw error;
  }
  return recovered.map(({ files, file, recovery, log }, partition) => new FileTapeMedium({
    storage, file, index: recovery.index, metadata, version: recovery.version, log, ingestCompression: ctx.ingestCompression,
    ...(ctx.dataKey === undefined ? {} : { dataKey: ctx.dataKey }),
    ...(layout.number === 0 ? {} : { partitionOf: { partition, capacityBytes: count > 1 ? layout.partitionBytes[partition] : undefined, indexFile: files.index } }),
  }));
}

/**
 * Remove the data and index files of every layout but the current one: a FORMAT MEDIUM killed before it switched the
 * metadata leaves its new files, one killed after it the old ones. Never fails the caller: what cannot be removed
 * now is tried again at the next open.
 */
export async function removeOtherLayouts(ctx: Pick<CartridgeContext, 'storage' | 'metadata' | 'log'>): Promise<void> {
  const { storage, metadata, log } = ctx;
  const layout = layoutOf(metadata);
  const current = new Set<string>();
  for (let p = 0; p < Math.max(1, layout.partitionBytes.length); p++) {
    const files = partitionFiles(layout.number, p);
    current.add(files.data).add(files.index);
  }
  try {
    for (const name of await storage.list(metadata.barcode)) {
      if (!isPartitionFile(name) || current.has(name)) continue;
      await storage.removeFile(cartridgePath(metadata.barcode, name));
      log.info({ file: name, layout: layout.number }, 'removed a file of another partition layout');
    }
  } catch (error) {
    log.warn({ err: error }, 'cannot remove the files of another partition layout; the next open tries again');
  }
}
