// The window of recent events the API can replay: a fixed-size ring indexed by event id, so that a follower's resume
// point (Last-Event-ID) is either in it, and answered from it, or known to be lost. Ids are consecutive from 1.

export class EventRing<T extends { readonly id: number }> {
  private readonly slots: (T | undefined)[];
  private newest = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`event ring capacity must be a positive integer, not ${capacity}`);
    this.slots = new Array<T | undefined>(capacity);
  }

  /** Append the next event; its id must follow the newest one's. */
  push(event: T): void {
    if (event.id !== this.newest + 1) throw new RangeError(`event ${event.id} does not follow event ${this.newest}`);
    this.slots[event.id % this.capacity] = event;
    this.newest = event.id;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** The newest event's id; 0 before the first event. */
  get newestId(): number {
    return this.newest;
  }

  /** The oldest id still held; newestId + 1 while empty. */
  get oldestId(): number {
    return this.newest - this.count + 1;
  }

  get(id: number): T | undefined {
    return id >= this.oldestId && id <= this.newest ? this.slots[id % this.capacity] : undefined;
  }

  /** Events with an id above `id`, oldest first, at most the newest `limit` of them. */
  after(id: number, limit: number): T[] {
    const first = Math.max(id + 1, this.oldestId, this.newest - limit + 1);
    const out: T[] = [];
    for (let i = first; i <= this.newest; i++) {
      const event = this.slots[i % this.capacity];
      if (event) out.push(event);
    }
    return out;
  }
}
