// The one serial-queue primitive: operations run one at a time, in the order they were queued.
//
// Rejection semantics (the same for every user):
// - An operation starts once every operation queued before it has settled, whether it resolved or rejected.
// - What an operation throws is delivered only to its own caller; it never skips, cancels or fails a later one.
// - An operation that throws synchronously is treated as one that rejected.
// - `idle()` resolves (never rejects) once everything queued so far has settled.

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  /** Run `operation` after everything queued before it; the result is the operation's own. */
  run<T>(operation: () => Promise<T> | T): Promise<T> {
    this.queued++;
    const result = this.tail.then(operation);
    this.tail = result.then(
      () => this.queued--,
      () => this.queued--,
    );
    return result;
  }

  /** Resolves once every operation queued before this call has settled. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }

  /** Operations queued and not yet settled (the running one included). */
  get pending(): number {
    return this.queued;
  }
}
