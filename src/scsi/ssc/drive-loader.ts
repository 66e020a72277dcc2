// The mount of one tape drive, as the library robot and the host's LOAD/UNLOAD move it: a cartridge is opened outside
// the unit queue (commands meanwhile answer NOT READY 04/01) and threaded inside it, at most once; one unloaded or shut
// down while it was being opened is closed instead of threaded; every cartridge that leaves is flushed before it is
// closed. What the drive does around these steps (MAM, audit, TapeAlert, encryption keys) comes in as MountHooks.
import type { DriveState, MountRequest } from '../../library/drive-port.js';
import { DriveRemovalPreventedError } from '../../library/drive-port.js';
import { mediaAccess } from '../../library/lto.js';
import type { LtoGeneration } from '../../library/lto.js';
import type { Logger } from '../../log.js';
import type { MediaStore } from '../../media/media-store.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import type { ItNexus } from '../logical-unit.js';
import type { SpcCore } from '../spc/spc-core.js';
import type { Mount } from './mount.js';

/** The drive's part of a mount's steps; each runs in the unit queue. */
export interface MountHooks {
  /** A cleaning cartridge was threaded. */
  cleaned(): void;
  /** A data cartridge was threaded and rewound; a throw fails the load and leaves the drive empty. */
  threaded(medium: TapeMedium): Promise<void>;
  /** A cartridge of a generation this drive neither reads nor writes was threaded (it is ejected at once). */
  incompatible(request: MountRequest): void;
  /** A data cartridge leaves the drive: flushed already, rewound and closed next. */
  unloading(medium: TapeMedium): Promise<void>;
  /** The process stops: the cartridge is flushed and closed next, and stays loaded. */
  shuttingDown(): void;
  /** The cartridge was unloaded by the robot or ejected by the host. */
  unloaded(): void;
}

export interface DriveLoaderParts {
  readonly name: string;
  readonly generation: LtoGeneration;
  readonly mediaStore: MediaStore;
  /** The unit queue (the drive's one owner of ordering), its unit attentions and its PREVENT ALLOW state. */
  readonly core: Pick<SpcCore, 'queue' | 'unitAttentions' | 'mediumRemoval'>;
  readonly log: Logger;
  readonly hooks: MountHooks;
}

export class DriveLoader {
  private mount: Mount | undefined;
  /** Set by shutdown(): a load still opening its cartridge closes it instead of threading it. */
  private shutDown = false;

  constructor(private readonly parts: DriveLoaderParts) {}

  /** The cartridge in the drive, in whatever phase; undefined when empty. */
  get current(): Mount | undefined {
    return this.mount;
  }

  state(): DriveState {
    const m = this.mount;
    return {
      loaded: m?.request.barcode,
      removalPrevented: this.parts.core.mediumRemoval.prevented(),
      // Cleaning and incompatible cartridges are ejected as soon as the drive has looked at them.
      ejected: m !== undefined && (m.phase === 'ejected' || m.request.cleaning || m.access === 'none'),
    };
  }

  async load(request: MountRequest): Promise<void> {
    const { name, generation, mediaStore, core, log, hooks } = this.parts;
    if (this.mount) {
      throw new Error(`Cannot load ${request.barcode} into drive ${name}: it holds ${this.mount.request.barcode}`);
    }
    const access = request.cleaning ? 'none' : mediaAccess(generation, request.generation as LtoGeneration);
    const mount: Mount = { request, medium: undefined, access, phase: 'loading' };
    this.mount = mount;
    let medium: TapeMedium | undefined;
    try {
      // Opening is not yet a medium operation: commands meanwhile answer 04/01 and never reach the cartridge, so
      // the open does not hold the unit queue (a TEST UNIT READY during a slow open answers at once).
      if (!request.cleaning && access !== 'none') {
        medium = await mediaStore.open({
          barcode: request.barcode,
          generation: request.generation,
          worm: request.worm,
          capacityBytes: request.capacityBytes,
        });
      }
    } catch (err) {
      this.mount = undefined;
      throw err;
    }
    // Threading the cartridge and the not-ready-to-ready change are ordered with the host's commands.
    await core.queue.run(async () => {
      // Unloaded or shut down while the cartridge was being opened: put it away again.
      if (this.mount !== mount || this.shutDown) {
        await medium?.close();
        return;
      }
      try {
        if (request.cleaning) {
          hooks.cleaned();
        } else if (medium) {
          mount.medium = medium;
          await medium.rewind();
          await hooks.threaded(medium);
        } else {
          hooks.incompatible(request);
        }
      } catch (err) {
        this.mount = undefined;
        throw err;
      }
      mount.phase = 'ready';
      core.queue.clearDeferred();
      core.unitAttentions.raiseAll('NOT_READY_TO_READY_CHANGE_MEDIUM_MAY_HAVE_CHANGED');
      log.info({ barcode: request.barcode }, 'cartridge loaded');
    });
  }

  async unload(options: { readonly force: boolean }): Promise<void> {
    const { core, log, hooks } = this.parts;
    if (!options.force && core.mediumRemoval.prevented()) throw new DriveRemovalPreventedError(this.parts.name);
    await core.queue.run(async () => {
      const m = this.mount;
      if (!m) return;
      this.mount = undefined;
      if (options.force) core.mediumRemoval.clearAll();
      if (m.medium) {
        try {
          await m.medium.flush();
          await hooks.unloading(m.medium);
          await m.medium.rewind();
        } finally {
          await m.medium.close();
        }
      }
      hooks.unloaded();
      log.info({ barcode: m.request.barcode }, 'cartridge unloaded');
    });
  }

  /** Process shutdown: wait for the command in progress, then flush and close the cartridge (it stays "loaded"). */
  async shutdown(): Promise<void> {
    this.shutDown = true;
    await this.parts.core.queue.run(async () => {
      this.parts.hooks.shuttingDown();
      const medium = this.mount?.medium;
      if (!medium) return;
      if (this.mount) this.mount.medium = undefined;
      try {
        await medium.flush();
      } finally {
        await medium.close();
      }
    });
  }

  /** Host UNLOAD: the cartridge stays in the drive, ejected; the robot or a LOAD takes it from there. */
  ejectByHost(): void {
    if (this.mount) this.mount.phase = 'ejected';
    this.parts.hooks.unloaded();
  }

  /** Host LOAD of an ejected cartridge. Returns false when there is nothing to load. */
  reloadByHost(except: ItNexus): boolean {
    const m = this.mount;
    if (!m) return false;
    if (m.phase === 'ejected') {
      m.phase = 'ready';
      this.parts.core.unitAttentions.raiseAll('NOT_READY_TO_READY_CHANGE_MEDIUM_MAY_HAVE_CHANGED', except.id);
    }
    return true;
  }
}
