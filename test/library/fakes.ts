// Test doubles for the library's ports: an in-memory media store and a drive that records loads and unloads.
import type { CartridgeDescriptor, MediaStore, TapeMedium } from '../../src/media/tape-medium.js';
import { DriveRemovalPreventedError } from '../../src/library/drive-port.js';
import type { DriveMechanism, DriveState, MountRequest } from '../../src/library/drive-port.js';
import type { DeviceIdentity } from '../../src/library/drive-identity.js';

export class FakeMediaStore implements MediaStore {
  readonly files = new Map<string, CartridgeDescriptor>();
  failCreate = false;

  async create(cartridge: CartridgeDescriptor): Promise<void> {
    if (this.failCreate) throw new Error('disk full');
    if (this.files.has(cartridge.barcode)) throw new Error(`${cartridge.barcode} exists`);
    this.files.set(cartridge.barcode, cartridge);
  }

  async open(_cartridge: CartridgeDescriptor): Promise<TapeMedium> {
    throw new Error('FakeMediaStore cannot open media');
  }

  async exists(barcode: string): Promise<boolean> {
    return this.files.has(barcode);
  }

  async delete(barcode: string): Promise<void> {
    this.files.delete(barcode);
  }

  async list(): Promise<string[]> {
    return [...this.files.keys()];
  }
}

export class FakeDrive implements DriveMechanism {
  loaded: MountRequest | undefined;
  removalPrevented = false;
  ejected = false;
  failLoad = false;
  readonly log: string[] = [];

  constructor(
    readonly name: string,
    readonly identity?: DeviceIdentity,
  ) {}

  state(): DriveState {
    return { loaded: this.loaded?.barcode, removalPrevented: this.removalPrevented, ejected: this.ejected };
  }

  async load(request: MountRequest): Promise<void> {
    if (this.failLoad) throw new Error('cannot mount');
    if (this.loaded) throw new Error(`${this.name} already holds ${this.loaded.barcode}`);
    this.loaded = request;
    this.ejected = false;
    this.log.push(`load ${request.barcode}`);
  }

  async unload(options: { readonly force: boolean }): Promise<void> {
    if (this.removalPrevented && !options.force) throw new DriveRemovalPreventedError(this.name);
    this.log.push(`unload ${this.loaded?.barcode ?? '-'}${options.force ? ' forced' : ''}`);
    this.loaded = undefined;
    this.ejected = false;
  }
}
