// Backpressure for one connection (issue 22): everything queued for output (responses, Data-In, NOP-In, R2T, Reject)
// plus the output reserved by commands running on the device stays near `limitBytes`. Past it, the connection stops
// reading (TCP backpressure does the rest) until the initiator has drained its output, so a peer that never reads
// cannot make the process grow: non-immediate commands are bounded by the CmdSN window, but immediate commands and
// NOP-Out echoes only by this. Counters only: the transport's own count of queued bytes and one number per task.

/** What the flow needs of the transport: Node's Writable counters. */
export interface OutputCounters {
  /** Bytes written and not yet handed to the sink (for a socket: not yet taken by the kernel). */
  readonly writableLength: number;
  /** A 'drain' event comes once writableLength falls to 0 after it reached this. */
  readonly writableHighWaterMark: number;
}

/** Added to the negotiated MaxBurstLength: room for the headers, status and pings that go with a burst. */
export const OUTPUT_SLACK_BYTES = 64 * 1024;
/** Per-PDU bytes besides the data segment: the BHS and both digests. */
const PDU_OVERHEAD_BYTES = 48 + 8;
/** A SCSI Response with sense data, at most. */
const RESPONSE_BYTES = 48 + 8 + 2 + 252;

/** The output a command with this read length will queue: its Data-In PDUs and its SCSI Response. */
export function responseBytes(readLength: number, segmentBytes: number): number {
  return readLength + Math.ceil(readLength / Math.max(512, segmentBytes)) * PDU_OVERHEAD_BYTES + RESPONSE_BYTES;
}

export class OutputFlow {
  private reservedBytes = 0;
  /** Commands (and overflowing responses) holding a reservation. */
  private reservations = 0;
  private holding = false;
  private holdCount = 0;

  constructor(
    private readonly out: OutputCounters,
    /** Above this the connection stops reading. */
    readonly limitBytes: number,
    /** Called when reading must stop (true) or may go on (false). */
    private readonly onHold: (hold: boolean) => void,
  ) {}

  /** Queued output plus output reserved by running commands. */
  get queuedBytes(): number {
    return this.out.writableLength + this.reservedBytes;
  }

  get isHolding(): boolean {
    return this.holding;
  }

  /** Times reading was held so far. */
  get holds(): number {
    return this.holdCount;
  }

  /** A command goes to the device: its response will be queued later. */
  reserve(bytes: number): void {
    this.reservedBytes += bytes;
    this.reservations += 1;
  }

  /** That command's response is queued now (or will never be): its reservation ends. */
  unreserve(bytes: number): void {
    this.reservedBytes -= bytes;
    this.reservations -= 1;
    if (this.holding) this.mayResume();
  }

  /**
   * After each PDU received: past the limit, reading stops before the next PDU. One command whose response alone
   * is larger than the limit (a tape READ of a block above MaxBurstLength), with nothing else queued, is the "one
   * response" the bound allows: reading goes on, so streaming one command at a time does not stop and start the
   * socket for each.
   */
  check(): void {
    if (this.holding || this.queuedBytes <= this.limitBytes) return;
    if (this.reservations === 1 && this.out.writableLength === 0) return;
    this.hold();
  }

  /**
   * May a command go to the device now? Only while the output is within the limit: commands the CmdSN window
   * releases together would otherwise each add a response. A command refused here waits (in order) until reading
   * resumes, and reading stops meanwhile.
   */
  admits(): boolean {
    if (!this.holding && this.queuedBytes > this.limitBytes) this.hold();
    return !this.holding;
  }

  private hold(): void {
    this.holding = true;
    this.holdCount += 1;
    this.onHold(true);
  }

  /**
   * The transport drained, or a reservation ended: reading goes on at half the limit. Below the transport's own
   * high-water mark a 'drain' may never come, so that is the floor of the resume point.
   */
  mayResume(): void {
    if (!this.holding) return;
    if (this.queuedBytes > Math.max(this.limitBytes / 2, this.out.writableHighWaterMark)) return;
    this.holding = false;
    this.onHold(false);
  }
}
