// The medium's half of "the drive is the one owner of ordering" (tape-medium.ts): a mounted cartridge runs one
// operation at a time and does not queue them. A call made while another runs, or after close, is refused with an
// error that names both, so a caller that forgot to wait fails loudly instead of having its calls reordered.

export class OperationGuard {
  private running: string | undefined;
  private closed = false;

  constructor(private readonly barcode: string) {}

  /** Start `operation`, or throw if another one runs or the medium is closed. */
  begin(operation: string): void {
    if (this.closed) throw new Error(`Cannot ${operation} on cartridge ${this.barcode}: it is closed`);
    if (this.running !== undefined) {
      throw new Error(`Cannot ${operation} on cartridge ${this.barcode}: ${this.running} is already running (the drive calls the medium one operation at a time)`);
    }
    this.running = operation;
  }

  /** The running operation settled. */
  end(): void {
    this.running = undefined;
  }

  /** No operation is accepted any more. */
  close(): void {
    this.closed = true;
  }
}
