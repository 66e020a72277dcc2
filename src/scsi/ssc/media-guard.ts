// The drive's half of issue 14: before a command changes the cartridge, refuse it for a read-only initiator
// (DATA PROTECT 27/00) or, where it would cut written data, for a retention lock (DATA PROTECT 27/06); record
// destructive commands and refusals in the audit log; tell the library when data was written (unloads it sees itself,
// as library events), and keep the cartridge's own copy of its lock in step with the catalog's (docs/SECURITY.md).
import type { DriveProtection } from '../../library/drive-protection.js';
import type { AuditRecord } from '../../library/audit-entry.js';
import type { RetentionLock } from '../../library/retention.js';
import type { Logger } from '../../log.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import type { ItNexus } from '../logical-unit.js';
import { SenseError, senseOf, type SenseData } from '../sense.js';

/** What a guarded command does to the cartridge, as the audit log names it (`scsi.<kind>`). */
export type GuardedKind = 'write' | 'write-filemarks' | 'erase' | 'set-capacity' | 'format-medium' | 'write-attribute';

/** Kinds that destroy data wherever they run; a write or filemark destroys only before end of data. */
const ALWAYS_DESTRUCTIVE: ReadonlySet<GuardedKind> = new Set(['erase', 'set-capacity', 'format-medium']);
/** Kinds a retention lock leaves alone: MAM attributes describe the cartridge, they hold no backup data. */
const NOT_DATA: ReadonlySet<GuardedKind> = new Set(['write-attribute']);
/**
 * How long last-write times may lag while a host streams: noting each WRITE would put a catalog transaction on the
 * streaming path. The first write of a mount is noted at once (first-write policies are exact), the last at unload.
 */
export const WRITE_NOTE_INTERVAL_MS = 60_000;

/** An iSCSI initiator port name is `<initiator name>,i,0x<ISID>` (RFC 7143 13.x, SPC-4 TransportID). */
export function initiatorOf(nexus: ItNexus): { readonly name: string; readonly isid: string | undefined } {
  const at = nexus.initiatorPort.toLowerCase().lastIndexOf(',i,0x');
  if (at < 0) return { name: nexus.initiatorPort, isid: undefined };
  return { name: nexus.initiatorPort.slice(0, at), isid: nexus.initiatorPort.slice(at + 5).toLowerCase() };
}

/** A command the guard let through that destroys data: recorded once it has run. */
export interface Destruction {
  readonly record: AuditRecord;
}

export class MediaGuard {
  private written: { barcode: string; notedAt: number | undefined; lastAt: Date | undefined } | undefined;
  /** Read-only or not, per session: the access list is fixed for the process, and appends ask on every WRITE. */
  private readonly readOnly = new WeakMap<ItNexus, boolean>();

  constructor(
    private readonly protection: DriveProtection,
    private readonly lun: number | undefined,
    private readonly log: Logger,
  ) {}

  /**
   * Before `kind` runs on `medium` (loaded, ready, not write-protected) for `nexus`: throws the refusal (after
   * recording it), or returns the destruction to record once the command has run, or undefined for an ordinary
   * append, which costs no catalog or audit work at all.
   */
  async check(kind: GuardedKind, opcode: number, nexus: ItNexus, medium: TapeMedium): Promise<Destruction | undefined> {
    if (this.isReadOnly(nexus)) return this.refuse(senseOf('WRITE_PROTECTED'), { ...this.who(nexus, medium), kind: `scsi.${kind}`, outcome: 'refused', detail: { opcode, reason: 'read-only-initiator' } });
    if (NOT_DATA.has(kind) || !(ALWAYS_DESTRUCTIVE.has(kind) || !medium.position().atEndOfData)) return undefined;
    const base = this.who(nexus, medium);
    const position = medium.position().objectNumber;
    const lock = this.protection.retentionOf(medium.barcode);
    if (lock.locked) {
      await this.keepOnMedium(medium);
      const detail = { opcode, reason: 'retention', mode: lock.mode, until: lock.until, position };
      return this.refuse(senseOf('CONDITIONAL_WRITE_PROTECT'), { ...base, kind: `scsi.${kind}`, outcome: 'refused', detail });
    }
    return { record: { ...base, kind: `scsi.${kind}`, outcome: 'done', detail: { opcode, position } } };
  }

  /**
   * True when `check` would return undefined at once: the initiator may write and `kind` cuts no data here (an
   * append at end of data, or MAM attributes). The guarded commands ask this first, so an ordinary WRITE takes no
   * extra promise turn for the guard.
   */
  passes(kind: GuardedKind, nexus: ItNexus, medium: TapeMedium): boolean {
    return !this.isReadOnly(nexus) && (NOT_DATA.has(kind) || !(ALWAYS_DESTRUCTIVE.has(kind) || !medium.position().atEndOfData));
  }

  private isReadOnly(nexus: ItNexus): boolean {
    let readOnly = this.readOnly.get(nexus);
    if (readOnly === undefined) this.readOnly.set(nexus, (readOnly = this.protection.isReadOnlyInitiator(initiatorOf(nexus).name)));
    return readOnly;
  }

  /** A refusal by WORM (30/0C), found by the medium or the command itself. */
  async refusedByWorm(kind: GuardedKind, opcode: number, nexus: ItNexus, medium: TapeMedium): Promise<void> {
    await this.audit({ ...this.who(nexus, medium), kind: `scsi.${kind}`, outcome: 'refused', detail: { opcode, reason: 'worm' } });
  }

  /** The destructive command ran. */
  async ran(destruction: Destruction): Promise<void> {
    await this.audit(destruction.record);
  }

  /** Data (or filemarks) reached `barcode`. */
  wrote(barcode: string): void {
    const now = this.protection.now();
    if (this.written?.barcode !== barcode) this.written = { barcode, notedAt: undefined, lastAt: undefined };
    const w = this.written;
    w.lastAt = now;
    if (w.notedAt !== undefined && now.getTime() - w.notedAt < WRITE_NOTE_INTERVAL_MS) return;
    w.notedAt = now.getTime();
    w.lastAt = undefined;
    this.safely('note a write', () => this.protection.noteWrite(barcode, now));
  }

  /** At load, before the host sees the cartridge: the stricter of the catalog's and the cartridge's lock wins. */
  async loaded(medium: TapeMedium): Promise<void> {
    this.written = undefined;
    const onMedium = medium.retentionLock();
    let kept: RetentionLock | undefined;
    if (!this.safely('adopt the lock on the cartridge', () => (kept = this.protection.adoptFromMedium(medium.barcode, onMedium)))) return;
    await this.write(medium, onMedium, kept);
  }

  /** Before the cartridge leaves the drive: the last write time, and the catalog's lock onto the cartridge. */
  async unloading(medium: TapeMedium): Promise<void> {
    this.noteLastWrite();
    await this.keepOnMedium(medium);
  }

  /** A write not noted yet (the interval had not passed) is noted now: at unload and at shutdown. */
  noteLastWrite(): void {
    const w = this.written;
    this.written = undefined;
    if (w?.lastAt === undefined) return;
    const at = w.lastAt;
    this.safely('note the last write', () => this.protection.noteWrite(w.barcode, at));
  }

  private who(nexus: ItNexus, medium: TapeMedium): Pick<AuditRecord, 'barcode' | 'initiator' | 'isid' | 'lun'> {
    const { name, isid } = initiatorOf(nexus);
    return { barcode: medium.barcode, initiator: name, ...(isid === undefined ? {} : { isid }), ...(this.lun === undefined ? {} : { lun: this.lun }) };
  }

  private async keepOnMedium(medium: TapeMedium): Promise<void> {
    let lock: RetentionLock | undefined;
    if (!this.safely('read the lock', () => (lock = this.protection.lockOf(medium.barcode)))) return;
    await this.write(medium, medium.retentionLock(), lock);
  }

  private async write(medium: TapeMedium, onMedium: RetentionLock | undefined, lock: RetentionLock | undefined): Promise<void> {
    if (lock === undefined || (onMedium?.until === lock.until && onMedium.mode === lock.mode)) return;
    await medium.keepRetentionLock(lock).catch((err: unknown) => this.log.error({ err, barcode: medium.barcode }, 'cannot keep the retention lock on the cartridge'));
  }

  private async refuse(sense: SenseData, record: AuditRecord): Promise<never> {
    await this.audit(record);
    throw new SenseError(sense);
  }

  /** Never fails the command: an audit log that cannot take the entry is logged, and the command is answered. */
  private async audit(record: AuditRecord): Promise<void> {
    await this.protection.record(record).catch((err: unknown) => this.log.error({ err, record }, 'cannot record a SCSI command in the audit log'));
  }

  private safely(doing: string, fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (err) {
      this.log.error({ err }, `cannot ${doing} in the retention book`);
      return false;
    }
  }
}
