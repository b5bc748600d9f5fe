// A counting gate: at most `limit` holders at once, at most `maxWaiting` queued behind them. A caller
// that finds the queue full is refused at once (the route answers 429 with Retry-After) instead of
// queueing without bound, so a burst can neither exhaust memory nor grow everyone's wait.
export class GateFullError extends Error {
  constructor(readonly what: string) {
    super(`too many ${what} in progress`);
    this.name = 'GateFullError';
  }
}

export class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly maxWaiting: number,
    private readonly what: string,
  ) {}

  /** Runs `fn` when a place is free; throws GateFullError when the queue is full. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      if (this.waiting.length >= this.maxWaiting) throw new GateFullError(this.what);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next)
        next(); // the place passes straight to the next waiter
      else this.active--;
    }
  }

  get stats(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }
}
