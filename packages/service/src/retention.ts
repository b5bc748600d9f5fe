// Retention: raw message text of conversations without a case is kept for a window (default 30 days),
// then removed; the event itself (who, when, which conversation) stays. Evidence in cases is a copy and
// is kept. A snapshot is taken first, and only events it covers are purged, so the engine can always
// be rebuilt from snapshot + replay without needing text that is gone.
import type { Storage } from '@lifeguard/storage';
import type { EngineHost } from './engine/engineHost.ts';

export interface RetentionOptions {
  /** Days to keep message text outside cases. */
  messageTextDays: number;
  /** How often the job runs (default hourly). 0 disables the timer (run it by API or CLI). */
  intervalMs?: number;
}

export const DEFAULT_RETENTION: RetentionOptions = { messageTextDays: 30, intervalMs: 3_600_000 };

export class RetentionJob {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly engines: EngineHost,
    readonly options: RetentionOptions,
    private readonly log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void } = console,
  ) {}

  start(): void {
    const every = this.options.intervalMs ?? DEFAULT_RETENTION.intervalMs!;
    if (every <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.runAll().catch((err) => this.log.error({ err }, 'retention run failed'));
    }, every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async runTenant(tenantId: string, now = Date.now()): Promise<{ messagesPurged: number; olderThan: number; coveredSeq: number }> {
    const coveredSeq = await this.engines.snapshot(tenantId);
    const olderThan = now - this.options.messageTextDays * 86_400_000;
    const { messagesPurged } = await this.storage.purgeMessageText(tenantId, olderThan, coveredSeq, now);
    if (messagesPurged > 0) this.log.info({ tenantId, messagesPurged, olderThan }, 'retention removed message text');
    return { messagesPurged, olderThan, coveredSeq };
  }

  async runAll(now = Date.now()): Promise<void> {
    for (const tenant of await this.storage.listTenants()) await this.runTenant(tenant.id, now);
  }
}
