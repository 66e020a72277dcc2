// A MediaStore fake that keeps one small file per cartridge in a folder, so state survives a killed process.
import { mkdirSync, readdirSync, rmSync, writeFileSync, existsSync, openSync, fsyncSync, closeSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { CartridgeDescriptor, MediaStore, TapeMedium } from '../../src/media/tape-medium.js';

export class DirMediaStore implements MediaStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  async create(cartridge: CartridgeDescriptor): Promise<void> {
    const path = join(this.dir, `${cartridge.barcode}.tape`);
    if (existsSync(path)) throw new Error(`${cartridge.barcode} exists`);
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify(cartridge));
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  }

  async open(_cartridge: CartridgeDescriptor): Promise<TapeMedium> {
    throw new Error('DirMediaStore cannot open media');
  }

  async exists(barcode: string): Promise<boolean> {
    return existsSync(join(this.dir, `${barcode}.tape`));
  }

  async delete(barcode: string): Promise<void> {
    rmSync(join(this.dir, `${barcode}.tape`), { force: true });
  }

  async list(): Promise<string[]> {
    return readdirSync(this.dir).filter((f) => f.endsWith('.tape')).map((f) => f.slice(0, -'.tape'.length));
  }
}
