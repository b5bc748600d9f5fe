// Safety prompts shown by decisions are stored after the answer. One durable commit per decision
// (an fsync each on SQLite with synchronous=FULL) took a sixth of the writer thread at 200 decisions/s
// and delayed ingestion's commits; here the prompts that arrive while a tenant's write is in flight
// wait for it and then go in together, so commits follow the store's pace rather than the request rate.
import type { SafetyWarningRecord, Storage } from '@lifeguard/storage';

interface Waiting {
  warnings: SafetyWarningRecord[];
  /** Callers whose warnings are in `warnings`, told when they are stored (or the write failed). */
  settle: { resolve(): void; reject(err: unknown): void }[];
}

export class WarningWrites {
  /** Per tenant: the prompts waiting for the write in flight to end; present while a write runs. */
  private readonly waiting = new Map<string, Waiting | null>();

  constructor(private readonly storage: Pick<Storage, 'recordSafetyWarnings'>) {}

  /** Resolves once these warnings are stored; they may share a commit with others of the tenant. */
  record(tenantId: string, warnings: SafetyWarningRecord[]): Promise<void> {
    if (warnings.length === 0) return Promise.resolve();
    if (!this.waiting.has(tenantId)) {
      // Nothing in flight: write at once, so an idle service stores a prompt as soon as before.
      this.waiting.set(tenantId, null);
      return this.write(tenantId, warnings);
    }
    return new Promise<void>((resolve, reject) => {
      let next = this.waiting.get(tenantId);
      if (!next) {
        next = { warnings: [], settle: [] };
        this.waiting.set(tenantId, next);
      }
      next.warnings.push(...warnings);
      next.settle.push({ resolve, reject });
    });
  }

  private async write(tenantId: string, warnings: SafetyWarningRecord[]): Promise<void> {
    try {
      await this.storage.recordSafetyWarnings(tenantId, warnings);
    } finally {
      this.next(tenantId);
    }
  }

  /** Starts the write of what waited meanwhile, or marks the tenant idle. */
  private next(tenantId: string): void {
    const next = this.waiting.get(tenantId);
    if (!next) {
      this.waiting.delete(tenantId);
      return;
    }
    this.waiting.set(tenantId, null);
    this.write(tenantId, next.warnings).then(
      () => {
        for (const s of next.settle) s.resolve();
      },
      (err) => {
        for (const s of next.settle) s.reject(err);
      },
    );
  }
}
