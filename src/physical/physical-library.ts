// One configured physical library: its iSCSI session (reconnecting), its changer, and the mounting of a cartridge
// in a free drive for a copy and its return to where it came from. Moves of the robot run one at a time (several
// copies may share the library, each on its own drive: `copy.maxDrives`).
import type { PhysicalLibraryConfig } from '../config/physical-schema.js';
import { IscsiSession } from '../initiator/iscsi-session.js';
import { parsePortal } from '../initiator/tcp-transport.js';
import { SerialQueue } from '../serial-queue.js';
import { PhysicalChanger, type PhysicalInventory } from './changer.js';
import { PhysicalTapeDrive } from './tape-drive.js';

export interface MountedCartridge {
  readonly barcode: string;
  readonly drive: PhysicalTapeDrive;
  readonly driveAddress: number;
  /** Where it goes back when the copy ends. */
  readonly homeAddress: number;
}

export class PhysicalCartridgeMissingError extends Error {
  constructor(barcode: string, library: string) {
    super(`the physical library "${library}" holds no cartridge with barcode ${barcode}`);
    this.name = 'PhysicalCartridgeMissingError';
  }
}

/** Every drive is busy (or none could be matched to its LUN): the job waits for one. */
export class NoFreeDriveError extends Error {
  constructor(library: string) {
    super(`every drive of the physical library "${library}" is in use (or none could be matched to a LUN)`);
    this.name = 'NoFreeDriveError';
  }
}

export interface PhysicalLibraryOptions {
  readonly initiatorName: string;
  readonly loginAttempts?: number;
  readonly retryDelayMs?: number;
}

export class PhysicalLibrary {
  readonly session: IscsiSession;
  readonly changer: PhysicalChanger;
  /** The one owner of the robot's order: a mount picks a free drive and fills it before the next mount looks. */
  private readonly robot = new SerialQueue();
  lastError: string | undefined;

  constructor(readonly config: PhysicalLibraryConfig, options: PhysicalLibraryOptions) {
    const { host, port } = parsePortal(config.portal);
    this.session = new IscsiSession({
      host,
      port,
      initiatorName: options.initiatorName,
      targetName: config.iqn,
      ...(config.chap ? { chap: config.chap } : {}),
      loginAttempts: options.loginAttempts ?? 3,
      retryDelayMs: options.retryDelayMs ?? 1000,
    });
    this.changer = new PhysicalChanger(this.session, config.changerLun);
  }

  get name(): string {
    return this.config.name;
  }

  async inventory(): Promise<PhysicalInventory> {
    try {
      const inv = await this.changer.inventory();
      this.lastError = undefined;
      return inv;
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      throw err;
    }
  }

  /** Where `barcode` is, or undefined when the library does not hold it. */
  static locate(inv: PhysicalInventory, barcode: string): { address: number; inDrive: boolean } | undefined {
    const drive = inv.drives.find((d) => d.full && d.barcode === barcode);
    if (drive) return { address: drive.address, inDrive: true };
    const element = [...inv.slots, ...inv.mailSlots].find((e) => e.full && e.barcode === barcode);
    return element ? { address: element.address, inDrive: false } : undefined;
  }

  /** Moves the cartridge into a free drive (or uses the drive holding it) and waits for the drive to be ready. */
  mount(barcode: string): Promise<MountedCartridge> {
    return this.robot.run(() => this.mountNow(barcode));
  }

  private async mountNow(barcode: string): Promise<MountedCartridge> {
    const inv = await this.inventory();
    const where = PhysicalLibrary.locate(inv, barcode);
    if (!where) throw new PhysicalCartridgeMissingError(barcode, this.name);
    let driveElement = where.inDrive ? inv.drives.find((d) => d.address === where.address) : inv.drives.find((d) => !d.full && d.lun !== undefined);
    if (!driveElement || driveElement.lun === undefined) throw new NoFreeDriveError(this.name);
    const home = where.inDrive ? (driveElement.sourceAddress ?? inv.slots.find((s) => !s.full)?.address ?? where.address) : where.address;
    if (!where.inDrive) await this.changer.moveMedium(inv.transportAddress, where.address, driveElement.address);
    driveElement = { ...driveElement };
    const drive = new PhysicalTapeDrive(this.session, driveElement.lun ?? 0);
    await drive.waitReady();
    await drive.preventRemoval(true);
    return { barcode, drive, driveAddress: driveElement.address, homeAddress: home };
  }

  /** Rewinds, allows removal, unloads and returns the cartridge to its home element. */
  async dismount(m: MountedCartridge): Promise<void> {
    await m.drive.preventRemoval(false);
    await m.drive.unload();
    await this.robot.run(async () => {
      const inv = await this.inventory();
      await this.changer.moveMedium(inv.transportAddress, m.driveAddress, m.homeAddress);
    });
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
