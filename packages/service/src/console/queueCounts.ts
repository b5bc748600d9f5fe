// The queue's open/escalated/appeals counts per tenant, kept for a few seconds: counting is a scan of
// each view (~100 ms at 60,000 open cases), the queue page itself an index range. A change made
// through the console forgets its tenant's counts.
import type { Storage } from '@lifeguard/storage';

const COUNTS_TTL_MS = 5_000;

export class QueueCounts {
  private readonly shared = new Map<
    string,
    { at: number; counts: { open: number; escalated: number; appeals: number } }
  >();

  constructor(private readonly storage: Storage) {}

  async get(tenantId: string, userId: string, now: number) {
    const cached = this.shared.get(tenantId);
    if (cached && now - cached.at < COUNTS_TTL_MS)
      return { ...cached.counts, mine: (await this.storage.queueCounts(tenantId, userId, now, true)).mine };
    const all = await this.storage.queueCounts(tenantId, userId, now);
    if (this.shared.size > 1000) this.shared.clear();
    this.shared.set(tenantId, { at: now, counts: { open: all.open, escalated: all.escalated, appeals: all.appeals } });
    return all;
  }

  forget(tenantId: string): void {
    this.shared.delete(tenantId);
  }
}
