// SSC-4 sequential-access device: one virtual LTO drive. Gives the SSC command handlers the ready medium and its
// access rules (mode state: ssc-mode-state.ts; ordering: the unit queue), and the library robot the DriveMechanism,
// whose mount (loading, threading, unloading) drive-loader.ts owns; this file says what the drive does around it.
import type { DriveMechanism, DriveState, MountRequest } from '../../library/drive-port.js';
import { LTO_GENERATIONS } from '../../library/lto.js';
import type { LtoGeneration } from '../../library/lto.js';
import { UNPROTECTED } from '../../library/drive-protection.js';
import type { DriveProtection } from '../../library/drive-protection.js';
import type { Logger } from '../../log.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import { initiatorOf, MediaGuard } from './media-guard.js';
import type { TapeDriveOptions } from './tape-drive-options.js';
import type { ItNexus, TargetEvent } from '../logical-unit.js';
import { SenseError } from '../sense.js';
import type { SenseData, SenseFormat } from '../sense.js';
import type { BlockDescriptorSupport, CommandSummary, SpcDevice, SpcIdentity } from '../spc/spc-device.js';
import { SpcCore } from '../spc/spc-core.js';
import { SscBlockDescriptors } from './block-descriptors.js';
import { DriveLoader, type MountHooks } from './drive-loader.js';
import { completeDriveIdentity, driveSpcIdentity } from './drive-spc-identity.js';
import type { DriveInquiryIdentity } from './drive-spc-identity.js';
import { recordLoad } from './mam-attributes.js';
import { DriveErrorReporting } from './drive-error-reporting.js';
import { mediumErrorToSense } from './medium-errors.js';
import type { MediumErrorContext } from './medium-errors.js';
import { mountActivity, mountReadiness, mountWriteRefusal } from './mount.js';
import type { DriveActivitySnapshot, Mount } from './mount.js';
import { registerSscLogPages } from './ssc-log-pages.js';
import { registerSscModePages } from './ssc-mode-pages.js';
import { SscModeState } from './ssc-mode-state.js';
import { OverwriteAllowance } from './overwrite-allowance.js';
import { DriveEncryption } from './encryption/drive-encryption.js';
import { sscVpdPages } from './ssc-vpd-pages.js';
import { TapeAlert } from './tape-alert.js';

export type { TapeDriveOptions } from './tape-drive-options.js';

export class TapeDrive implements SpcDevice, DriveMechanism {
  readonly name: string;
  readonly generation: LtoGeneration;
  readonly driveIdentity: DriveInquiryIdentity;
  readonly identity: SpcIdentity;
  readonly log: Logger;
  // A TapeAlert flag that becomes set is an informational exception condition (mode page 1Ch decides its report).
  readonly tapeAlert = new TapeAlert(() => this.core.informationalExceptions?.report());
  private readonly core = new SpcCore({ reportsInformationalExceptions: true });
  readonly informationalExceptions = this.core.informationalExceptions;
  /** The drive's one owner of ordering: host commands (via the dispatcher), IMMED work, robot loads and unloads. */
  readonly queue = this.core.queue;
  readonly unitAttentions = this.core.unitAttentions;
  readonly reservation = this.core.reservation;
  readonly modePages = this.core.modePages;
  readonly logPages = this.core.logPages;
  readonly mediumRemoval = this.core.mediumRemoval;
  readonly deviceClock = this.core.deviceClock;
  readonly dataBuffer = this.core.dataBuffer;
  readonly blockDescriptors: BlockDescriptorSupport;
  readonly extraVpdPages: ReadonlyMap<number, () => Buffer>;
  /** Block length, buffered mode, compression, append-only: the mode state the commands act on, and its reset. */
  readonly mode: SscModeState;
  /** Error counters (log pages 02h, 03h) and the medium-error-to-sense context. */
  readonly errors: DriveErrorReporting;
  /** Retention locks, read-only initiators and the audit log, around the commands that change the cartridge. */
  readonly guard: MediaGuard;
  readonly overwrite = new OverwriteAllowance();
  /** SSC-4 tape data encryption: the parameters and keys of each I_T nexus, in memory only. */
  readonly encryption: DriveEncryption;
  private readonly protection: DriveProtection;
  private readonly inventory: () => readonly number[];
  private readonly loader: DriveLoader;
  private commands: readonly CommandSummary[] = [];

  constructor(options: TapeDriveOptions) {
    this.name = options.name;
    this.generation = options.generation;
    this.log = options.log.child({ drive: options.name });
    this.inventory = options.lunInventory;
    this.mode = new SscModeState(options.compressionDefault ?? true);
    this.errors = new DriveErrorReporting(options.name, this.log, this.tapeAlert);
    this.protection = options.protection ?? UNPROTECTED;
    this.guard = new MediaGuard(this.protection, options.lun, this.log);
    this.encryption = new DriveEncryption({
      holds: (nexusId) => this.reservation.holderNexusId === nexusId || this.reservation.persistent.isHolder(nexusId),
      anotherHolds: (nexusId) => {
        const spc2 = this.reservation.holderNexusId;
        const pr = this.reservation.persistent.reservation;
        return (spc2 !== undefined && spc2 !== nexusId) || (pr !== undefined && !this.reservation.persistent.isHolder(nexusId));
      },
      sharedChangedBy: (nexusId) => this.unitAttentions.raiseAll('DATA_ENCRYPTION_PARAMETERS_CHANGED_BY_ANOTHER_I_T_NEXUS', nexusId),
    }, this.log);
    this.driveIdentity = completeDriveIdentity(options.generation, options.targetName, options.name, options.identity);
    this.identity = driveSpcIdentity(this.driveIdentity, options.identity?.naa);
    this.blockDescriptors = new SscBlockDescriptors(this, this.mode);
    this.extraVpdPages = sscVpdPages(this);
    registerSscModePages(this, this.mode, this.core.modePages);
    registerSscLogPages(this, this.core.logPages);
    this.loader = new DriveLoader({ name: this.name, generation: this.generation, mediaStore: options.mediaStore, core: this.core, log: this.log, hooks: this.mountHooks() });
  }

  // --- SpcDevice -------------------------------------------------------------------------------------------
  senseFormat(): SenseFormat {
    return this.core.senseFormat();
  }
  lunInventory(): readonly number[] {
    return this.inventory();
  }
  supportedCommands(): readonly CommandSummary[] {
    return this.commands;
  }
  /** Set by createDriveUnit: the full table (SPC + SSC) REPORT SUPPORTED OPERATION CODES lists. */
  setSupportedCommands(commands: readonly CommandSummary[]): void {
    this.commands = commands;
  }
  handleEvent(event: TargetEvent): void {
    this.core.handleEvent(event);
    // SPC-4: a reset returns mode parameters to their defaults (nothing is saved) and ends an ALLOW OVERWRITE
    // permission; the tape position stays (device configuration page REWIND ON RESET 00b).
    if (event.kind === 'logical-unit-reset' || event.kind === 'target-reset') {
      this.mode.reset();
      this.overwrite.cancel();
      this.encryption.reset();
    }
    if (event.kind === 'nexus-loss') this.encryption.nexusLost(event.nexus.id);
  }

  readiness(): SenseData | undefined {
    return mountReadiness(this.loader.current);
  }

  // --- state for the command handlers ----------------------------------------------------------------------
  mounted(): Mount | undefined {
    return this.loader.current;
  }

  /** WP bit: write-protect tab, or a generation this drive only reads. */
  writeProtected(): boolean {
    const m = this.loader.current;
    return m !== undefined && (m.request.writeProtected || m.access === 'read-only');
  }

  /** The library lists the nexus's initiator among its read-only initiators (MODE SENSE WP; the guard refuses). */
  isReadOnlyInitiator(nexus: ItNexus): boolean {
    return this.protection.isReadOnlyInitiator(initiatorOf(nexus).name);
  }

  mediumDensityCode(): number {
    const m = this.loader.current;
    return LTO_GENERATIONS[(m?.request.generation ?? this.generation) as LtoGeneration]?.densityCode ?? 0;
  }

  /**
   * Run `fn` on the ready medium. Only command handlers call this, and the dispatcher already runs them in the unit
   * queue, so the medium sees one call at a time without any lock here. Refuses with the deferred error or the
   * NOT READY sense first; `write` adds the write-protection checks.
   */
  async withMedium<T>(fn: (medium: TapeMedium, mount: Mount) => Promise<T>, options: { write?: boolean } = {}): Promise<T> {
    const deferred = this.queue.takeDeferred();
    if (deferred) throw new SenseError({ ...deferred, deferred: true });
    this.checkReady();
    const mount = this.loader.current as Mount;
    const medium = mount.medium as TapeMedium;
    if (options.write) this.checkWritable(mount);
    try {
      return await fn(medium, mount);
    } catch (err) {
      throw mediumErrorToSense(err, this.errorContext());
    }
  }

  /**
   * IMMED=1: check readiness now, answer GOOD, and queue `fn` right behind this command; a failure becomes a
   * deferred error reported by the next medium command (SSC-4 4.2.x, sense response code 71h/73h).
   */
  async immediately(fn: (medium: TapeMedium, mount: Mount) => Promise<void>, options: { write?: boolean } = {}): Promise<void> {
    await this.withMedium(() => Promise.resolve(), options);
    this.queue.background(async () => {
      const mount = this.loader.current;
      if (!mount?.medium || mount.phase !== 'ready') return;
      await fn(mount.medium, mount);
    }, (err) => this.errors.deferredSenseOf(err));
  }

  errorContext(residue?: number): MediumErrorContext {
    return this.errors.errorContext(residue);
  }

  /** Host UNLOAD: the cartridge stays in the drive, ejected; the robot or a LOAD takes it from there. */
  ejectByHost(): void {
    this.loader.ejectByHost();
  }

  /** Host LOAD of an ejected cartridge. Returns false when there is nothing to load. */
  reloadByHost(except: ItNexus): boolean {
    return this.loader.reloadByHost(except);
  }

  // --- DriveMechanism -----------------------------------------------------------------------------------------
  state(): DriveState {
    return this.loader.state();
  }

  load(request: MountRequest): Promise<void> {
    return this.loader.load(request);
  }

  unload(options: { readonly force: boolean }): Promise<void> {
    return this.loader.unload(options);
  }

  /** Position and bytes moved since load; undefined without a readable cartridge. */
  status(): DriveActivitySnapshot | undefined {
    return mountActivity(this.loader.current);
  }

  /** Process shutdown: wait for the command in progress, then flush and close the cartridge (it stays "loaded"). */
  shutdown(): Promise<void> {
    return this.loader.shutdown();
  }

  // --- internals ---------------------------------------------------------------------------------------------
  /** What the drive does as a cartridge is threaded and leaves: MAM, the guard's audit, TapeAlert, the keys. */
  private mountHooks(): MountHooks {
    return {
      cleaned: () => {
        this.errors.counters.cleanings++;
        this.tapeAlert.clear(TapeAlert.CLEAN_NOW);
        this.tapeAlert.clear(TapeAlert.CLEAN_PERIODIC);
      },
      threaded: async (medium) => {
        // The cartridge memory history is a nicety: a failure to record it must not fail the load.
        await recordLoad(this, medium, new Date()).catch((err: unknown) => this.log.warn({ err }, 'cannot record the load in MAM'));
        await this.guard.loaded(medium);
      },
      incompatible: (request) => {
        this.tapeAlert.set(TapeAlert.UNSUPPORTED_FORMAT);
        this.log.warn({ barcode: request.barcode, generation: request.generation }, 'incompatible cartridge generation');
      },
      unloading: (medium) => this.guard.unloading(medium),
      shuttingDown: () => this.guard.noteLastWrite(),
      unloaded: () => this.encryption.unloaded(),
    };
  }

  private checkReady(): void {
    const notReady = this.readiness();
    if (notReady) throw new SenseError(notReady);
  }

  private checkWritable(mount: Mount): void {
    const refusal = mountWriteRefusal(mount);
    if (!refusal) return;
    if (mount.request.writeProtected && mount.access !== 'read-only') this.tapeAlert.set(TapeAlert.WRITE_PROTECT);
    throw new SenseError(refusal);
  }
}
