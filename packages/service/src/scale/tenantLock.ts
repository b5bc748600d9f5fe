// The single-process detector's claim on a tenant: `serve` without a role holds the lease
// detector.<tenant> for each tenant it consumes from NATS, so a second instance started for the same
// tenant, or partitioned workers, are refused with the holder's name instead of silently splitting the
// tenant's detector. It also refuses to start while partition leases of the tenant are live.
import type { KV } from 'nats';
import { LeaseHeldError, LeaseStore, type Lease } from './lease.ts';

export class TenantLock {
  private timer: NodeJS.Timeout | null = null;
  private leases: Lease[] = [];
  /** Called when a lease is lost (the process should stop detecting for that tenant). */
  onLost: ((err: Error) => void) | null = null;

  constructor(
    private readonly kv: KV,
    private readonly holder: string,
    private readonly ttlMs = 10_000,
  ) {}

  async acquire(tenants: string[]): Promise<void> {
    const store = new LeaseStore(this.kv);
    try {
      for (const tenant of tenants) {
        for await (const key of await this.kv.keys(`detector.${tenant}.>`)) {
          const l = await store.read(key);
          if (l && !l.released && l.expiresAt > Date.now())
            throw new LeaseHeldError(key, l.holder, l.epoch, l.expiresAt);
        }
        this.leases.push(await store.acquire(`detector.${tenant}`, this.holder, this.ttlMs));
      }
    } catch (err) {
      await this.release();
      throw err;
    }
    this.timer = setInterval(async () => {
      for (let i = 0; i < this.leases.length; i++) {
        try {
          this.leases[i] = await store.renew(this.leases[i]!, this.ttlMs);
        } catch (err) {
          this.onLost?.(err as Error);
        }
      }
    }, this.ttlMs / 3);
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const store = new LeaseStore(this.kv);
    for (const l of this.leases) await store.release(l);
    this.leases = [];
  }
}
