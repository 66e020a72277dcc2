// Per-drive command counts, sense keys and latency, kept as plain numbers the dispatcher bumps once per command
// (scsi/command-observer.ts): prom-client's own observe() hashes its labels into a new string on every call, which the
// data path must not pay. The scrape turns these numbers into Prometheus series (vtl-metrics.ts).

/** Upper bounds in seconds: a TEST UNIT READY answers in microseconds, a LOCATE or a rewind to BOP can take seconds. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** A latency histogram as Prometheus counts it: observations per bucket (not cumulative), their number and sum. */
export interface LatencyCounts {
  readonly buckets: Float64Array;
  readonly count: number;
  readonly sumSeconds: number;
}

export class DriveCommandStats implements LatencyCounts {
  /** Commands answered, by command name (`WRITE(6)`); the names are the command table's, so the map stays small. */
  readonly commands = new Map<string, number>();
  /** CHECK CONDITION answers, by sense key name (`MEDIUM_ERROR`). */
  readonly senseKeys = new Map<string, number>();
  readonly buckets = new Float64Array(LATENCY_BUCKETS_SECONDS.length);
  count = 0;
  sumSeconds = 0;

  /** The dispatcher's CommandObserver (structurally: management does not import scsi). */
  commandDone(name: string, senseKey: string | undefined, seconds: number): void {
    this.commands.set(name, (this.commands.get(name) ?? 0) + 1);
    if (senseKey !== undefined) this.senseKeys.set(senseKey, (this.senseKeys.get(senseKey) ?? 0) + 1);
    this.observe(seconds);
  }

  observe(seconds: number): void {
    this.count++;
    this.sumSeconds += seconds;
    for (let i = 0; i < LATENCY_BUCKETS_SECONDS.length; i++) {
      if (seconds <= (LATENCY_BUCKETS_SECONDS[i] ?? Infinity)) {
        this.buckets[i] = (this.buckets[i] ?? 0) + 1;
        return;
      }
    }
    // Above the last bound: counted only in +Inf, which is `count`.
  }
}
