// TapeAlert for a media changer (flags 01h-20h of the changer TapeAlert set, read through LOG SENSE page 2Eh):
// which flags the library's real state sets. Two kinds:
// - conditions, set for as long as the state lasts (re-evaluated at every report, so reading the page does not
//   make an open mail slot disappear): a mail slot a host opened, a drive element with no drive attached, a
//   cartridge whose media file is missing;
// - events, latched until a LOG SENSE reports them (read-to-clear): a drive that failed to load or unload.
// A flag that becomes set is a new informational exception condition (mode page 1Ch decides how it is reported).

/** Changer TapeAlert flags the library sets, by their TapeAlert names. */
export const ChangerTapeAlertFlag = {
  /** "The library mechanism is having difficulty communicating with the drive": a load or unload failed. */
  LIBRARY_HARDWARE_A: 0x01,
  /** Mail slot (import/export element) needs attention: here, a host opened it and the robot cannot reach it. */
  LIBRARY_MAILSLOT: 0x11,
  /** A drive inside the library is offline: a drive element with no drive attached. */
  LIBRARY_DRIVE_OFFLINE: 0x16,
  /** The library's inventory is inconsistent: a cartridge whose media file is missing (rescan to re-check). */
  LIBRARY_INVENTORY: 0x18,
} as const;
export type ChangerTapeAlertFlag = (typeof ChangerTapeAlertFlag)[keyof typeof ChangerTapeAlertFlag];

export const TAPE_ALERT_FLAG_COUNT = 64;

const bit = (flag: number): bigint => 1n << BigInt(flag - 1);

export class ChangerHealth {
  private latched = 0n;
  /** Flags set at the last check: a flag not among them is new. */
  private known = 0n;

  /**
   * @param conditions the condition flags that hold now
   * @param onNewAlert called when a flag becomes set (an informational exception condition)
   */
  constructor(
    private readonly conditions: () => readonly ChangerTapeAlertFlag[],
    private readonly onNewAlert: () => void,
  ) {}

  /** An event flag (e.g. a failed load). */
  latch(flag: ChangerTapeAlertFlag): void {
    this.latched |= bit(flag);
    this.check();
  }

  /** Re-evaluate the conditions (after the library changed); reports a flag that was not set before. */
  check(): void {
    const now = this.active();
    const fresh = now & ~this.known;
    this.known = now;
    if (fresh !== 0n) this.onNewAlert();
  }

  /** Report every flag (flag 1 first) and clear the latched ones; conditions stay set while they hold. */
  takeAll(): boolean[] {
    const now = this.active();
    this.latched = 0n;
    this.known = this.conditionBits();
    return Array.from({ length: TAPE_ALERT_FLAG_COUNT }, (_, i) => (now & bit(i + 1)) !== 0n);
  }

  private active(): bigint {
    return this.latched | this.conditionBits();
  }

  private conditionBits(): bigint {
    let v = 0n;
    for (const flag of this.conditions()) v |= bit(flag);
    return v;
  }
}
