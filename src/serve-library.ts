// One library's iSCSI target: its changer and drives as logical units, the drives attached to the library (which
// loads the cartridges the catalog places in them). main.ts builds one per library at start; a cluster node builds
// one when it takes a library's lease and takes it down when it loses it (serve-libraries.ts).
import { mkdir } from 'node:fs/promises';
import { libraryIqn, type LibraryConfig, type VtlConfig } from './config/schema.js';
import type { IscsiTarget } from './iscsi/target-registry.js';
import type { AuditTrail } from './library/audit-trail.js';
import { resolveDriveIdentity } from './library/drive-identity.js';
import { libraryDriveProtection } from './library/drive-protection.js';
import type { LibraryManager } from './library/library-manager.js';
import type { Logger } from './log.js';
import { DriveCommandStats } from './management/metrics/drive-command-stats.js';
import type { MediaStore } from './media/tape-medium.js';
import type { PrPersistence } from './scsi/reservation.js';
import { createChangerUnit } from './scsi/smc/changer-unit.js';
import { createDriveUnit } from './scsi/ssc/drive-unit.js';
import type { TapeDrive } from './scsi/ssc/tape-drive.js';
import { ScsiTarget } from './scsi/target.js';
import type { StorageFence } from './storage/fenced-storage.js';
import type { ObjectStore } from './storage/s3/object-store.js';
import { LocalStorage } from './storage/local-storage.js';

export interface ServedDrive {
  readonly library: string;
  readonly index: number;
  readonly drive: TapeDrive;
  readonly commands: DriveCommandStats;
}

export interface LibraryTargetContext {
  readonly config: VtlConfig;
  readonly manager: LibraryManager;
  readonly mediaStore: MediaStore;
  readonly audit: AuditTrail;
  /** Where each logical unit keeps its persistent reservations (APTPL). */
  readonly aptpl: (library: string, lun: number) => PrPersistence;
  readonly log: Logger;
  /** Told of every command a drive answered (idle copies watch for host I/O: src/physical/host-activity.ts). */
  readonly driveCommandDone?: (library: string, command: string) => void;
  /** The object store of a library kept in S3, whose changes a cluster node fences by the library's lease. */
  readonly objectStoreOf?: (library: string) => ObjectStore | undefined;
}

export interface LibraryTarget {
  readonly target: IscsiTarget;
  readonly drives: readonly ServedDrive[];
  /** The lease's storage fence the drives open their cartridges through (a cluster node). */
  readonly fence?: StorageFence;
}

/**
 * The library's target. With a `fence` (a cluster node's lease on the library), the drives open their cartridges
 * through it: every change to a cartridge's files passes it first (storage/fenced-storage.ts).
 */
export async function buildLibraryTarget(ctx: LibraryTargetContext, library: LibraryConfig, fence?: StorageFence): Promise<LibraryTarget> {
  const { config, manager, log } = ctx;
  const mediaStore = fence === undefined ? ctx.mediaStore : fencedMediaStore(ctx.mediaStore, fence);
  const iqn = libraryIqn(config, library);
  const target = new ScsiTarget(log.child({ component: 'scsi', library: library.name }));
  const driveCount = library.drives?.length ?? library.driveCount;
  const luns = (): readonly number[] => target.luns();
  const protection = libraryDriveProtection(manager.retention, library, ctx.audit);
  const changer = createChangerUnit({ manager, library: library.name, lunInventory: luns, log: log.child({ component: 'changer', library: library.name }) });
  await changer.device.reservation.attachPersistence(ctx.aptpl(library.name, 0));
  target.attach(0, changer);
  const drives: ServedDrive[] = [];
  for (let index = 0; index < driveCount; index++) {
    const identity = resolveDriveIdentity(config, library, index);
    const commands = new DriveCommandStats();
    const { unit, drive } = createDriveUnit({
      observer: {
        commandDone: (name, senseKey, seconds) => {
          commands.commandDone(name, senseKey, seconds);
          ctx.driveCommandDone?.(library.name, name);
        },
      },
      name: `${library.name}/drive${index}`,
      identity,
      generation: identity.generation,
      compressionDefault: (library.drives?.[index]?.compression ?? library.driveDefaults.compression) ?? true,
      mediaStore,
      targetName: iqn,
      lunInventory: luns,
      log: log.child({ component: 'drive', library: library.name, drive: index }),
      protection,
      lun: index + 1,
    });
    await drive.reservation.attachPersistence(ctx.aptpl(library.name, index + 1));
    target.attach(index + 1, unit);
    await manager.attachDrive(library.name, index, drive);
    drives.push({ library: library.name, index, drive, commands });
  }
  return {
    target: {
      name: iqn,
      ...(library.alias ? { alias: library.alias } : {}),
      portalGroupTag: 1,
      device: target,
      access: {
        initiators: library.access.initiators,
        ...(library.access.chap ? { chap: library.access.chap } : {}),
      },
    },
    drives,
    ...(fence === undefined ? {} : { fence }),
  };
}

/** The drives' view of the media store: every cartridge they open is fenced. */
function fencedMediaStore(store: MediaStore, fence: StorageFence): MediaStore {
  return {
    create: (cartridge) => store.create(cartridge),
    open: (cartridge, options) => store.open(cartridge, { ...options, fence }),
    exists: (barcode) => store.exists(barcode),
    delete: (barcode) => store.delete(barcode),
    list: () => store.list(),
  };
}

/**
 * Where each logical unit keeps its persistent reservations when an initiator sets APTPL: `<library>-lun<N>.json`,
 * replaced atomically (write, fsync, rename, fsync the folder); removed when APTPL is turned off.
 */
export async function aptplFiles(folder: string): Promise<(library: string, lun: number) => PrPersistence> {
  await mkdir(folder, { recursive: true });
  const storage = new LocalStorage(folder);
  return (library, lun) => {
    const file = `${encodeURIComponent(library)}-lun${lun}.json`;
    return {
      load: async () => (await storage.readFile(file))?.toString('utf8'),
      save: (text) => (text === undefined ? storage.removeFile(file) : storage.writeFileAtomic(file, Buffer.from(text, 'utf8'))),
    };
  };
}
