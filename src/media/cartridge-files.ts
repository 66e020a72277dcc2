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
