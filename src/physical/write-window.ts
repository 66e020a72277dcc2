// The copy's writes to the physical drive, several in flight at once (issue 15's speed goal): one WRITE at a time
// leaves the drive idle while the next record crosses the network, and that round trip cost the copy a quarter of
// its speed against tgt. Writes are sent ORDERED and confirmed strictly in the order they were sent, so what the
// copy counts as written is always a prefix of what it sent; an error, or an early warning, stops confirming at the
// first write in order that had it, and the writes sent after it only end (their buffers are given back).
// ORDERED alone does not keep the order on tgt: it queues a command only once all its data is in, so a record that
// waits for an R2T would be overtaken by a smaller one sent after it (the copy-on-export test caught a 3-byte record
// written before a 1 MiB one). A record goes in flight with others only when all its bytes go with the command
// (immediate and unsolicited data, WindowTarget.unsolicitedBytes); a larger one waits for the writes before it and
// is sent alone.

/** What the window sends; `inFlightWithOthers` as in PhysicalTapeDrive.write. */
export interface WindowTarget {
  write(record: Buffer, o?: { inFlightWithOthers?: boolean }): Promise<{ earlyWarning: boolean }>;
  writeFilemarks(count: number, o?: { inFlightWithOthers?: boolean }): Promise<{ earlyWarning: boolean }>;
  /** The largest record the drive's connection sends without waiting for an R2T; absent: 0 (each record alone). */
  unsolicitedBytes?(): number;
}

export interface WindowLimits {
  /** WRITE and WRITE FILEMARKS commands in flight at most (1: each waits for the status of the one before). */
  readonly writes: number;
  /** Record bytes in flight at most; one write of any size is always allowed. */
  readonly bytes: number;
}

/**
 * Four writes and 8 MiB: our initiator alone writing 256 KiB records to tgt went from a median of 120 MB/s with one
 * in flight to 166 with two and 209 with four, at the same CPU per GB (6 runs each on a busy machine: docs/
 * BENCHMARKS.md, "Issue 15, copy speed: session 9"). The bytes bound keeps large records from piling up in memory.
 */
export const DEFAULT_WINDOW: WindowLimits = { writes: 4, bytes: 8 * 1024 * 1024 };

/** One object confirmed by the drive, in the order they were sent: a record of `bytes`, or a filemark (0). */
export interface Confirmed {
  readonly bytes: number;
  readonly filemark: boolean;
  readonly earlyWarning: boolean;
}

type Outcome = { readonly ok: { earlyWarning: boolean } } | { readonly err: unknown };

interface InFlight {
  /** Never rejects: a rejection waiting in the queue must not count as unhandled while an earlier write is awaited. */
  readonly outcome: Promise<Outcome>;
  readonly bytes: number;
  readonly filemark: boolean;
  readonly release: (() => void) | undefined;
}

export class WriteWindow {
  private readonly queue: InFlight[] = [];
  private bytesInFlight = 0;

  /** `confirm` sees every object the drive confirmed, in order; what it throws ends the copy (after abandon()). */
  constructor(
    private readonly target: WindowTarget,
    private readonly limits: WindowLimits,
    private readonly confirm: (c: Confirmed) => void,
  ) {
    if (!(limits.writes >= 1) || !(limits.bytes >= 1)) throw new RangeError(`a write window needs room for one write (writes ${limits.writes}, bytes ${limits.bytes})`);
  }

  /** Sends one record (`release` gives its buffer back once the drive answered) after making room for it. */
  async write(record: Buffer, release?: () => void): Promise<void> {
    const alone = this.limits.writes === 1 || record.length > (this.target.unsolicitedBytes?.() ?? 0);
    if (alone) await this.drain();
    else await this.roomFor(record.length);
    this.send((o) => this.target.write(record, o), record.length, false, release, alone);
    if (alone) await this.drain();
  }

  async writeFilemark(): Promise<void> {
    await this.roomFor(0);
    this.send((o) => this.target.writeFilemarks(1, o), 0, true, undefined, this.limits.writes === 1);
    if (this.limits.writes === 1) await this.drain();
  }

  /** Waits for every write in flight and confirms each, in order. */
  async drain(): Promise<void> {
    while (this.queue.length > 0) await this.confirmOldest();
  }

  /** After an error: waits for the writes still in flight without confirming them, and gives their buffers back. */
  async abandon(): Promise<void> {
    const left = this.queue.splice(0);
    this.bytesInFlight = 0;
    for (const w of left) {
      await w.outcome;
      w.release?.();
    }
  }

  get inFlight(): number {
    return this.queue.length;
  }

  private async roomFor(bytes: number): Promise<void> {
    while (this.queue.length >= this.limits.writes || (this.queue.length > 0 && this.bytesInFlight + bytes > this.limits.bytes)) await this.confirmOldest();
  }

  private send(run: (o: { inFlightWithOthers?: boolean }) => Promise<{ earlyWarning: boolean }>, bytes: number, filemark: boolean, release: (() => void) | undefined, alone: boolean): void {
    // A write sent alone may be repeated by the device after a UNIT ATTENTION: nothing was sent after it.
    const o = alone ? {} : { inFlightWithOthers: true };
    const outcome = run(o).then(
      (ok): Outcome => ({ ok }),
      (err: unknown): Outcome => ({ err }),
    );
    this.queue.push({ outcome, bytes, filemark, release });
    this.bytesInFlight += bytes;
  }

  private async confirmOldest(): Promise<void> {
    const w = this.queue[0];
    const outcome = await w.outcome;
    this.queue.shift();
    this.bytesInFlight -= w.bytes;
    w.release?.();
    if ('err' in outcome) throw outcome.err;
    this.confirm({ bytes: w.bytes, filemark: w.filemark, earlyWarning: outcome.ok.earlyWarning });
  }
}
