// SSC-4 Annex A TapeAlert: 64 flags reported by LOG SENSE page 2Eh (and MAM attribute 0002h).
// Flags are cleared once a LOG SENSE has reported them (TapeAlert read-to-clear), as LTO drives do.
export class TapeAlert {
  static readonly READ_WARNING = 1;
  static readonly WRITE_WARNING = 2;
  static readonly HARD_ERROR = 3;
  static readonly MEDIA = 4;
  static readonly READ_FAILURE = 5;
  static readonly WRITE_FAILURE = 6;
  static readonly WRITE_PROTECT = 9;
  static readonly CLEANING_MEDIA = 11;
  static readonly UNSUPPORTED_FORMAT = 12;
  static readonly CLEAN_NOW = 20;
  static readonly CLEAN_PERIODIC = 21;
  static readonly WORM_MEDIUM_OVERWRITE_ATTEMPTED = 0x3c;

  private flags = 0n;

  /** `onNewFlag`: a flag that was clear became set (an informational exception condition, SPC-4 mode page 1Ch). */
  constructor(private readonly onNewFlag: () => void = () => undefined) {}

  set(flag: number): void {
    const bit = 1n << BigInt(flag - 1);
    if ((this.flags & bit) !== 0n) return;
    this.flags |= bit;
    this.onNewFlag();
  }

  clear(flag: number): void {
    this.flags &= ~(1n << BigInt(flag - 1));
  }

  isSet(flag: number): boolean {
    return (this.flags & (1n << BigInt(flag - 1))) !== 0n;
  }

  /** Flag 1 in the most significant bit, as MAM attribute 0002h TAPEALERT FLAGS stores them. */
  asUint64(): bigint {
    let v = 0n;
    for (let f = 1; f <= 64; f++) if (this.isSet(f)) v |= 1n << BigInt(64 - f);
    return v;
  }

  /** Report and clear. */
  takeAll(): boolean[] {
    const out: boolean[] = [];
    for (let f = 1; f <= 64; f++) out.push(this.isSet(f));
    this.flags = 0n;
    return out;
  }
}
