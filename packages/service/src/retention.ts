// Retention, run hourly per tenant:
// 1. Dismissed cases: once a case has been dismissed for `dismissedCaseDays` (default 90, counted from
//    its last dismissal), the message content it copied is removed (texts, quoted spans, attachment
//    references); ids, times, scores, signals, participants, the decision, the history and the audit
//    log stay. Storage.purgeDismissedCaseEvidence writes one audit entry per case, counts only.
// 2. Raw message text of conversations no case holds is kept for `messageTextDays` (default 30), then
//    removed; the event itself (who, when, which conversation) stays. A dismissed case purged in step 1
//    no longer holds its conversations, so their old text goes in the same run. Live and actioned cases
//    keep their own copy and hold their conversations. A snapshot is taken first, and only events it
//    covers are purged, so the engine can always be rebuilt from snapshot + replay without needing text
//    that is gone.
import type { CaseEvidencePurgeResult, Storage, FamilyPruneResult } from '@lifeguard/storage';
import type { EngineHost } from './engine/engineHost.ts';

export interface RetentionOptions {
  /** Days to keep message text outside cases. */
  messageTextDays: number;
  /** Days after its last dismissal that a dismissed case keeps the message content it copied (default 90). */
  dismissedCaseDays?: number;
  /** How often the job runs (default hourly). 0 disables the timer (run it by API or CLI). */
  intervalMs?: number;
}

export const DEFAULT_DISMISSED_CASE_DAYS = 90;
export const DEFAULT_RETENTION: RetentionOptions = {
  messageTextDays: 30,
  dismissedCaseDays: DEFAULT_DISMISSED_CASE_DAYS,
  intervalMs: 3_600_000,
};

/** Cases purged per storage call: each call is one short transaction, so ingestion is never held up long. */
const CASE_BATCH = 100;
const DAY_MS = 86_400_000;
/** Family Centre's metadata (message contacts per day, prompts shown) outlives its 7-day view by one day. */
const FAMILY_METADATA_DAYS = 8;

export interface RetentionRun {
  /** Raw message texts removed. */
  messagesPurged: number;
  /** Evidence excerpts removed from the detector's memory (same rule as the texts). */
  excerptsRemoved: number;
  olderThan: number;
  coveredSeq: number;
  /** What dismissed-case retention removed in this run. */
  dismissedCases: CaseEvidencePurgeResult & { dismissedBefore: number };
  /** Family Centre metadata removed: it is kept 8 days, one more than its 7-day view shows. */
  familyMetadata: FamilyPruneResult & { before: number };
}

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

  async runTenant(tenantId: string, now = Date.now()): Promise<RetentionRun> {
    // Cases first, so the conversations they release fall under the text rules below in this same run.
    const dismissedCases = await this.purgeDismissedCases(tenantId, now);
    const olderThan = now - this.options.messageTextDays * DAY_MS;
    // The detector's evidence excerpts are message text too: removed by the same rule, before the
    // snapshot, which then replaces the only stored one.
    const held = new Set(await this.storage.heldConversationIds(tenantId));
    const excerptsRemoved = await this.engines.removeExcerpts(tenantId, olderThan, held);
    const coveredSeq = await this.engines.snapshot(tenantId);
    const { messagesPurged } = await this.storage.purgeMessageText(tenantId, olderThan, coveredSeq, now);
    if (messagesPurged > 0 || excerptsRemoved > 0)
      this.log.info({ tenantId, messagesPurged, excerptsRemoved, olderThan }, 'retention removed message text');
    const familyBefore = now - FAMILY_METADATA_DAYS * DAY_MS;
    const familyMetadata = {
      ...(await this.storage.pruneFamilyMetadata(tenantId, familyBefore)),
      before: familyBefore,
    };
    return { messagesPurged, excerptsRemoved, olderThan, coveredSeq, dismissedCases, familyMetadata };
  }

  private async purgeDismissedCases(tenantId: string, now: number): Promise<RetentionRun['dismissedCases']> {
    const dismissedBefore = now - (this.options.dismissedCaseDays ?? DEFAULT_DISMISSED_CASE_DAYS) * DAY_MS;
    const total = { casesPurged: 0, messageTexts: 0, excerpts: 0, attachments: 0, dismissedBefore };
    for (;;) {
      const batch = await this.storage.purgeDismissedCaseEvidence(tenantId, dismissedBefore, now, CASE_BATCH);
      total.casesPurged += batch.casesPurged;
      total.messageTexts += batch.messageTexts;
      total.excerpts += batch.excerpts;
      total.attachments += batch.attachments;
      if (batch.casesPurged < CASE_BATCH) break;
    }
    if (total.casesPurged > 0)
      this.log.info({ tenantId, ...total }, 'retention removed the message content of dismissed cases');
    return total;
  }

  async runAll(now = Date.now()): Promise<void> {
    for (const tenant of await this.storage.listTenants()) await this.runTenant(tenant.id, now);
  }
}
