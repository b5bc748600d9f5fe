// Sends prepared reports: claims the due ones (leased, so two workers never send the same one), runs
// the authority's filer, and records the outcome. Failures the authority or the network may get over
// are retried with exponential backoff for 30 days; a refused report waits for a specialist.
import { ConflictError, type AuthorityReportRecord, type Storage } from '@lifeguard/storage';
import type { ReportWorkerOptions } from './config.ts';
import type { FilingOutcome, NcmecBody, NcmecFiler, NcmecProgress } from './ncmec/filer.ts';
import type { NcaSendOutcome, NcaTransport } from './nca.ts';
import type { PoliceOutcome, PoliceTransports } from './dsa/transport.ts';

const DAY_MS = 86_400_000;
/** A threat to someone's life is tried again at least this often, whatever the general backoff. */
const POLICE_MAX_BACKOFF_MS = 5 * 60_000;

export interface Filers {
  ncmec: NcmecFiler | null;
  nca: NcaTransport | null;
  police: PoliceTransports | null;
}

/** Called once a report is filed (legal hold and a fresh evidence package). */
export type OnFiled = (report: AuthorityReportRecord) => Promise<void>;

export function backoffMs(attempts: number, base: number, max: number): number {
  const exp = Math.min(max, base * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp * (0.9 + Math.random() * 0.2)); // jitter: retries of many reports do not arrive together
}

export class ReportWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private readonly o: Required<ReportWorkerOptions>;

  constructor(
    private readonly storage: Storage,
    private readonly filers: Filers,
    private readonly onFiled: OnFiled,
    options: ReportWorkerOptions = {},
    private readonly log: { error(obj: object, msg: string): void; info(obj: object, msg: string): void } = console,
  ) {
    this.o = {
      intervalMs: options.intervalMs ?? 5_000,
      leaseMs: options.leaseMs ?? 5 * 60_000,
      retryForMs: options.retryForMs ?? 30 * DAY_MS,
      baseBackoffMs: options.baseBackoffMs ?? 60_000,
      maxBackoffMs: options.maxBackoffMs ?? 6 * 3_600_000,
    };
  }

  start(): void {
    if (this.timer || this.o.intervalMs <= 0) return;
    this.timer = setInterval(
      () => void this.runDue().catch((err) => this.log.error({ err }, 'report worker run failed')),
      this.o.intervalMs,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  /** A new report is waiting: send it now rather than at the next tick (only once start() was called). */
  nudge(): void {
    if (this.timer) void this.runDue().catch((err) => this.log.error({ err }, 'report worker run failed'));
  }

  /** Sends every due report once; returns how many were tried. One run at a time per process. */
  runDue(now = Date.now()): Promise<number> {
    if (this.running) return this.running;
    this.running = this.runOnce(now).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runOnce(now: number): Promise<number> {
    let tried = 0;
    for (;;) {
      const batch = await this.storage.claimDueAuthorityReports(now, 10, this.o.leaseMs);
      for (const r of batch) {
        tried++;
        try {
          await this.send(r, now);
        } catch (err) {
          if (err instanceof ConflictError) continue; // retracted or changed by a specialist meanwhile
          this.log.error({ err, reportId: r.id }, 'sending a report failed');
          await this.record(r, { kind: 'retry', error: `internal error: ${(err as Error).message}` }, now).catch(
            () => {},
          );
        }
      }
      if (batch.length < 10) return tried;
    }
  }

  private async send(r: AuthorityReportRecord, now: number): Promise<void> {
    if (r.authority === 'ncmec') {
      if (!this.filers.ncmec)
        return this.record(
          r,
          { kind: 'rejected', error: 'NCMEC credentials are not configured (reporting.ncmec)' },
          now,
        );
      let current = r;
      const save = async (progress: NcmecProgress, externalId?: string) => {
        current = await this.storage.updateAuthorityReport(r.tenantId, r.id, {
          patch: {
            status: 'in_progress',
            progress: progress as Record<string, unknown>,
            ...(externalId ? { externalId } : {}),
            updatedAt: Date.now(),
          },
          fromStatuses: ['queued', 'in_progress'],
        });
      };
      const outcome = await this.filers.ncmec.run(r, save);
      return this.record(current, outcome, now);
    }
    let sent: NcaSendOutcome | PoliceOutcome;
    if (r.authority === 'police') {
      if (!this.filers.police)
        return this.record(
          r,
          { kind: 'rejected', error: 'DSA Art. 18 recipients are not configured (reporting.dsa)' },
          now,
        );
      sent = await this.filers.police.send(r);
    } else {
      if (!this.filers.nca)
        return this.record(
          r,
          { kind: 'rejected', error: 'the NCA registration is not configured (reporting.nca)' },
          now,
        );
      sent = await this.filers.nca.send(r);
    }
    if (sent.kind === 'retry' || sent.kind === 'rejected') return this.record(r, sent, now);
    if (sent.kind === 'filed') return this.record(r, { kind: 'filed', externalId: sent.reference }, now);
    await this.storage.updateAuthorityReport(r.tenantId, r.id, {
      patch: {
        status: 'exported',
        progress: { ...r.progress, exportedTo: sent.location },
        nextAttemptAt: null,
        lastError: null,
        attempts: r.attempts + 1,
        updatedAt: Date.now(),
      },
      fromStatuses: ['queued', 'in_progress'],
      audit: {
        at: Date.now(),
        actor: { system: 'reporting' },
        action: 'report.exported',
        caseId: r.caseId,
        targetId: r.id,
        details: { authority: r.authority, location: sent.location },
      },
    });
  }

  private async record(r: AuthorityReportRecord, outcome: FilingOutcome, now: number): Promise<void> {
    const at = Date.now();
    const audit = (action: string, details: Record<string, unknown>) => ({
      at,
      actor: { system: 'reporting' },
      action,
      caseId: r.caseId,
      targetId: r.id,
      details: { authority: r.authority, ...details },
    });
    const from: AuthorityReportRecord['status'][] = ['queued', 'in_progress'];
    switch (outcome.kind) {
      case 'filed': {
        const body =
          r.authority === 'ncmec'
            ? {
                ...(r.body as NcmecBody),
                files: (r.body as NcmecBody).files.map((f) => ({ ...f, contentBase64: null })),
              }
            : r.body;
        const filed = await this.storage.updateAuthorityReport(r.tenantId, r.id, {
          patch: {
            status: 'filed',
            externalId: outcome.externalId,
            filedAt: at,
            nextAttemptAt: null,
            lastError: null,
            attempts: r.attempts + 1,
            body,
            keepReferenceUntil: at + (r.authority === 'nca' ? 5 * 365 : 365) * DAY_MS,
            updatedAt: at,
          },
          fromStatuses: from,
          audit: audit('report.filed', { externalId: outcome.externalId }),
          hold: {
            caseId: r.caseId,
            reason: `report ${r.id} filed with ${r.authority === 'police' ? 'the police (DSA Art. 18)' : r.authority.toUpperCase()} (${outcome.externalId})`,
            placedBy: 'reporting',
            placedAt: at,
            until: at + 365 * DAY_MS,
          },
        });
        this.log.info({ reportId: r.id, authority: r.authority, externalId: outcome.externalId }, 'report filed');
        await this.onFiled(filed).catch((err) => this.log.error({ err, reportId: r.id }, 'after-filing step failed'));
        return;
      }
      case 'rejected':
        await this.storage.updateAuthorityReport(r.tenantId, r.id, {
          patch: {
            status: 'rejected',
            nextAttemptAt: null,
            lastError: outcome.error,
            attempts: r.attempts + 1,
            updatedAt: at,
          },
          fromStatuses: from,
          audit: audit('report.rejected', { error: outcome.error }),
        });
        return;
      case 'retracted':
        await this.storage.updateAuthorityReport(r.tenantId, r.id, {
          patch: { status: 'retracted', nextAttemptAt: null, lastError: outcome.error, updatedAt: at },
          fromStatuses: from,
        });
        return;
      case 'retry': {
        const attempts = r.attempts + 1;
        if (now - r.createdAt >= this.o.retryForMs) {
          await this.storage.updateAuthorityReport(r.tenantId, r.id, {
            patch: { status: 'expired', nextAttemptAt: null, lastError: outcome.error, attempts, updatedAt: at },
            fromStatuses: from,
            audit: audit('report.expired', { error: outcome.error, attempts }),
          });
          return;
        }
        await this.storage.updateAuthorityReport(r.tenantId, r.id, {
          patch: {
            nextAttemptAt:
              now +
              backoffMs(
                attempts,
                this.o.baseBackoffMs,
                r.authority === 'police' ? Math.min(this.o.maxBackoffMs, POLICE_MAX_BACKOFF_MS) : this.o.maxBackoffMs,
              ),
            lastError: outcome.error,
            attempts,
            updatedAt: at,
          },
          fromStatuses: from,
        });
      }
    }
  }
}
