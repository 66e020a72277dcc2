// Native contexts (a zstd compression context) for calls that run on the libuv thread pool: a context serves one
// call at a time, so each call borrows one and gives it back when it returns. Made on demand up to `max`; a call
// beyond that waits for one (the cores, not the pool's threads, bound how many compress at once usefully).

export class ContextPool<Context> {
  private readonly free: Context[] = [];
  private made = 0;
  private readonly waiting: ((context: Context) => void)[] = [];

  constructor(
    private readonly make: () => Context,
    private readonly max: number,
  ) {}

  /** Run `job` with a context no other call is using. */
  async use<T>(job: (context: Context) => Promise<T>): Promise<T> {
    const context = await this.borrow();
    try {
      return await job(context);
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.free.push(context);
      else next(context);
    }
  }

  private borrow(): Promise<Context> | Context {
    const context = this.free.pop();
    if (context !== undefined) return context;
    if (this.made < this.max) {
      const made = this.make();
      this.made++;
      return made;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}
