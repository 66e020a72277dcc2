// FORMAT.md "Files": one folder per cartridge, named by its barcode, holding these three files.

export const CartridgeFile = {
  DATA: 'data.vtape',
  INDEX: 'index.vtidx',
  METADATA: 'cartridge.json',
} as const;

/** Barcodes become folder names: keep them to characters that are safe in every file system. */
export const BARCODE_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export function cartridgePath(barcode: string, file: string): string {
  return `${barcode}/${file}`;
}

/** The data file and index checkpoint of one partition (FORMAT.md "Partitions"). */
export interface PartitionFiles {
  readonly data: string;
  readonly index: string;
}

/**
 * Layout 0 (no `layout` in the metadata) is the one partition in data.vtape / index.vtidx; layout n >= 1 keeps
 * partition p in data-n-p.vtape / index-n-p.vtidx, so a FORMAT MEDIUM writes its new files beside the old ones and
 * switches to them by replacing the metadata file alone.
 */
export function partitionFiles(layout: number, partition: number): PartitionFiles {
  if (layout === 0) return { data: CartridgeFile.DATA, index: CartridgeFile.INDEX };
  return { data: `data-${layout}-${partition}.vtape`, index: `index-${layout}-${partition}.vtidx` };
}

/** Data and index files of any layout (those not of the current one are left over by a format a crash cut short). */
export function isPartitionFile(name: string): boolean {
  return name === CartridgeFile.DATA || name === CartridgeFile.INDEX || /^(data-\d+-\d+\.vtape|index-\d+-\d+\.vtidx)$/.test(name);
}
