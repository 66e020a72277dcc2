// SSC-4 mode parameters of a tape drive that its commands act on, with their one owner and their reset: the block
// descriptor's BLOCK LENGTH, the device-specific parameter's BUFFERED MODE, data compression (page 0Fh DCE and page
// 10h SELECT DATA COMPRESSION ALGORITHM), append-only mode (page 10h/01h WRITE MODE) and the programmable early warning
// size (page 10h/01h PEWS). The pages and the block
// descriptor encode and decode bytes; only this class holds and changes the values.

/** Largest block READ/WRITE accept (READ BLOCK LIMITS); LTO drives report 8 MiB. */
export const MAX_BLOCK_LENGTH = 0x800000;
export const MIN_BLOCK_LENGTH = 1;

/** BUFFERED MODE: 0 unbuffered (the medium is flushed before a WRITE answers), 1 buffered. */
export const BufferedMode = { UNBUFFERED: 0, BUFFERED: 1 } as const;
export type BufferedMode = (typeof BufferedMode)[keyof typeof BufferedMode];

/**
 * Values live from power-on (construction) until a logical unit reset or target reset (`reset`), which returns them
 * to the defaults, as nothing is saved (SPC-4). A cartridge load changes none of them: an LTO drive keeps its mode
 * parameters across cartridges, and Linux st sets the block size on every open anyway. The density code is not held
 * here: MODE SELECT accepts the codes the drive uses but the cartridge decides the density.
 */
export class SscModeState {
  private blockLengthValue = 0;
  private bufferedModeValue: BufferedMode = BufferedMode.BUFFERED;
  private compressionValue: boolean;
  private appendOnlyValue = false;
  private pewsValue = 0;
  private lbp = { method: 0, write: false, read: false };
  /** Page 11h as MODE SELECT left it, for the next FORMAT MEDIUM of the cartridge then loaded (undefined: none was). */
  private partitionSelection: { readonly barcode: string | undefined; readonly page: Buffer } | undefined;

  /** `compressionDefault`: the configured DCE at power-on and after a reset. */
  constructor(readonly compressionDefault: boolean) {
    this.compressionValue = compressionDefault;
  }

  /** Current fixed block length; 0 means variable-length blocks. */
  get blockLength(): number {
    return this.blockLengthValue;
  }

  get bufferedMode(): BufferedMode {
    return this.bufferedModeValue;
  }

  /** Whether WRITE compresses (DCE). */
  get compression(): boolean {
    return this.compressionValue;
  }

  /** WRITE MODE 1h: writing, filemarks and ERASE only at end of data. */
  get appendOnly(): boolean {
    return this.appendOnlyValue;
  }

  /**
   * MODE SELECT header and block descriptor (already validated). `blockLength` is absent without a block
   * descriptor. Returns whether anything changed (for MODE PARAMETERS CHANGED on the other nexuses).
   */
  selectBlockDescriptor(bufferedMode: BufferedMode, blockLength: number | undefined): boolean {
    if (blockLength !== undefined && (blockLength < 0 || blockLength > MAX_BLOCK_LENGTH)) {
      throw new RangeError(`block length ${blockLength} is outside 0..${MAX_BLOCK_LENGTH}`);
    }
    const changed = bufferedMode !== this.bufferedModeValue || (blockLength !== undefined && blockLength !== this.blockLengthValue);
    this.bufferedModeValue = bufferedMode;
    if (blockLength !== undefined) this.blockLengthValue = blockLength;
    return changed;
  }

  setCompression(enabled: boolean): void {
    this.compressionValue = enabled;
  }

  setAppendOnly(enabled: boolean): void {
    this.appendOnlyValue = enabled;
  }

  /** PROGRAMMABLE EARLY WARNING SIZE in megabytes (10^6 bytes) before early warning; 0: no programmable early warning. */
  get pewsMegabytes(): number {
    return this.pewsValue;
  }

  setPewsMegabytes(megabytes: number): void {
    this.pewsValue = megabytes;
  }

  /** Logical block protection (page 0Ah/F0h): LBP METHOD (0 none), and whether WRITE and READ carry it. */
  get lbpMethod(): number {
    return this.lbp.method;
  }

  /** WRITE blocks end with protection information the drive checks and strips. */
  get lbpWrite(): boolean {
    return this.lbp.method !== 0 && this.lbp.write;
  }

  /** READ returns each block with its protection information after it. */
  get lbpRead(): boolean {
    return this.lbp.method !== 0 && this.lbp.read;
  }

  setProtection(method: number, write: boolean, read: boolean): void {
    this.lbp = { method, write, read };
  }

  /**
   * Medium partition page values (page 11h, header included) for the next FORMAT MEDIUM (POFM=1: they take effect
   * then). `barcode`: the cartridge loaded when they were selected (undefined: none was; they apply to the next one).
   */
  selectPartitions(barcode: string | undefined, page: Buffer): void {
    this.partitionSelection = { barcode, page };
  }

  /** The selected page 11h while `barcode` is the cartridge it was selected for (or it was selected without one). */
  partitionSelectionFor(barcode: string): Buffer | undefined {
    const s = this.partitionSelection;
    return s !== undefined && (s.barcode === undefined || s.barcode === barcode) ? s.page : undefined;
  }

  /** FORMAT MEDIUM used the selection (the cartridge now reports it as its layout). */
  clearPartitionSelection(): void {
    this.partitionSelection = undefined;
  }

  /** Logical unit reset and target reset: back to the power-on values (the tape position is not mode state). */
  reset(): void {
    this.partitionSelection = undefined;
    this.blockLengthValue = 0;
    this.bufferedModeValue = BufferedMode.BUFFERED;
    this.compressionValue = this.compressionDefault;
    this.appendOnlyValue = false;
    this.pewsValue = 0;
    this.lbp = { method: 0, write: false, read: false };
  }
}
