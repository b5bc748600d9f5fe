// Failed sign-ins counted in memory per key (an email and client address, or an email with no account):
// after `maxFailures` in a row within `lockMs` the key is locked for `lockMs`. Bounded: the oldest
// entries go first when it is full, so a flood of new keys cannot grow it without limit.
export interface LockRule {
  maxFailures: number;
  lockMs: number;
}

interface Entry {
  failures: number;
  lastFailure: number;
  lockedUntil: number;
}

export class SigninLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly rule: LockRule,
    private readonly maxEntries = 50_000,
  ) {}

  /** When the key's lock ends, or null when it is not locked. */
  lockedUntil(key: string, now: number): number | null {
    const e = this.entries.get(key);
    return e && e.lockedUntil > now ? e.lockedUntil : null;
  }

  /** Counts a failure; returns when the key's lock ends if this failure locked it. */
  fail(key: string, now: number): number | null {
    let e = this.entries.get(key);
    // Failures spread wider apart than a lock period start a fresh count.
    if (!e || now - e.lastFailure > this.rule.lockMs) e = { failures: 0, lastFailure: now, lockedUntil: 0 };
    this.entries.delete(key); // re-inserted last: Map order is then least recently failed first
    e.failures += 1;
    e.lastFailure = now;
    if (e.failures >= this.rule.maxFailures) {
      e.lockedUntil = now + this.rule.lockMs;
      e.failures = 0;
    }
    this.entries.set(key, e);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return e.lockedUntil > now ? e.lockedUntil : null;
  }

  succeed(key: string): void {
    this.entries.delete(key);
  }
}
