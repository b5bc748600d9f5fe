// SQLite store, moderator console (migration 5): the review queue, claims, decisions, appeals and enforcement
// actions. The contract is ReviewQueueStore in ../types.ts; the contract tests are test/contract/.
import { newId } from '../rows.ts';
import {
  ConflictError,
  type CaseHistoryEntry,
  type CaseRecord,
  type WebhookEventInput,
  NotFoundError,
  type AuditEntry,
  type CaseAppealInput,
  type CaseDecisionInput,
  type ClaimOutcome,
  type EnforcementActionRecord,
  type QueueCase,
  type QueuePage,
  type QueueQuery,
  type ReviewQueueStore,
} from '../types.ts';
import {
  claimRefusal,
  CLAIMABLE,
  INSERT_ACTION_SQL,
  mapAction,
  mapQueueCase,
  notClaimed,
  QUEUE_COLUMNS,
  queueSql,
  REFRESH_QUEUE_SQL,
  refreshQueueParams,
} from '../consoleRows.ts';
import { SqliteRole, type Row } from './connection.ts';
import { enqueueSync } from './webhooks.ts';
import { appendAuditSync } from './auditLog.ts';

export class SqliteReviewQueueStore extends SqliteRole implements ReviewQueueStore {
  async queueCases(tenantId: string, query: QueueQuery): Promise<QueuePage> {
    const { sql, params } = queueSql(tenantId, query);
    const rows = this.q(sql).all(...params) as Row[];
    return { cases: rows.map(mapQueueCase), lastKey: rows.length ? Number(rows[rows.length - 1]!.queue_key) : null };
  }

  async queueCounts(
    tenantId: string,
    userId: string,
    now: number,
    onlyMine = false,
  ): Promise<{ open: number; mine: number; escalated: number; appeals: number }> {
    const counts = { open: 0, mine: 0, escalated: 0, appeals: 0 };
    if (!onlyMine)
      for (const r of this.q(
        "SELECT queue, count(*) AS n FROM cases WHERE tenant_id = ? AND queue IN ('open', 'appeals', 'escalated') GROUP BY queue",
      ).all(tenantId) as Row[]) {
        counts[String(r.queue) as 'open'] = Number(r.n);
      }
    counts.mine = Number(
      (
        this.q(
          "SELECT count(*) AS n FROM cases WHERE tenant_id = ? AND claimed_by = ? AND claim_expires_at > ? AND queue <> 'closed'",
        ).get(tenantId, userId, now) as Row
      ).n,
    );
    return counts;
  }

  async getQueueCase(tenantId: string, caseId: string): Promise<QueueCase | null> {
    const r = this.q(`SELECT ${QUEUE_COLUMNS} FROM cases WHERE tenant_id = ? AND id = ?`).get(tenantId, caseId) as
      | Row
      | undefined;
    return r ? mapQueueCase(r) : null;
  }

  async claimCase(
    tenantId: string,
    caseId: string,
    claimant: { id: string; name: string },
    now: number,
    until: number,
  ): Promise<ClaimOutcome> {
    if (this.writer) return this.writer.call('claimCase', [tenantId, caseId, claimant, now, until]);
    return this.db
      .transaction((): ClaimOutcome => {
        const changed = this.q(`UPDATE cases SET claimed_by = ?, claimed_name = ?, claim_expires_at = ?
        WHERE tenant_id = ? AND id = ? AND queue <> 'closed' AND ${CLAIMABLE}`).run(
          claimant.id,
          claimant.name,
          until,
          tenantId,
          caseId,
          now,
          claimant.id,
          claimant.id,
        ).changes;
        if (changed) return { outcome: 'claimed', until };
        return claimRefusal(
          this.q(`SELECT ${QUEUE_COLUMNS} FROM cases WHERE tenant_id = ? AND id = ?`).get(tenantId, caseId) as
            | Row
            | undefined,
          claimant.id,
        );
      })
      .immediate();
  }

  async releaseClaim(tenantId: string, caseId: string, userId: string): Promise<boolean> {
    if (this.writer) return this.writer.call('releaseClaim', [tenantId, caseId, userId]);
    return (
      this.q(
        'UPDATE cases SET claimed_by = NULL, claimed_name = NULL, claim_expires_at = NULL WHERE tenant_id = ? AND id = ? AND claimed_by = ?',
      ).run(tenantId, caseId, userId).changes > 0
    );
  }

  async decideCase(tenantId: string, input: CaseDecisionInput): Promise<AuditEntry> {
    if (this.writer) return this.writer.call('decideCase', [tenantId, input]);
    const c = input.caseRecord;
    return this.db
      .transaction(() => {
        const row = this.q('SELECT claimed_by, claim_expires_at FROM cases WHERE tenant_id = ? AND id = ?').get(
          tenantId,
          c.id,
        ) as Row | undefined;
        if (!row) throw new NotFoundError(`no case ${c.id}`);
        if (row.claimed_by !== input.decidedBy || Number(row.claim_expires_at) <= input.now) throw notClaimed(c.id);
        const info =
          this.q(`UPDATE cases SET status = ?, level = ?, score = ?, updated_at = ?, version = ?, claimed_by = NULL, claimed_name = NULL,
          claim_expires_at = NULL, appeal = 0, excluded_reviewer = NULL, decided_by = ?
        WHERE tenant_id = ? AND id = ? AND version = ?`).run(
            c.status,
            c.level,
            c.score,
            c.updatedAt,
            c.version,
            input.decidedBy,
            tenantId,
            c.id,
            input.expectedVersion,
          );
        if (info.changes === 0) throw new ConflictError(`case ${c.id} changed since version ${input.expectedVersion}`);
        this.q(REFRESH_QUEUE_SQL).run(...refreshQueueParams(tenantId, c));
        this.#consoleCaseSideEffects(tenantId, c, input.history, input.notify);
        if (input.action) {
          const a = input.action;
          this.q(INSERT_ACTION_SQL).run(
            newId('act'),
            tenantId,
            a.accountId,
            a.caseId,
            a.action,
            a.reason,
            a.durationHours,
            a.decidedBy,
            a.decidedByName,
            a.at,
          );
        }
        return appendAuditSync(this.conn, tenantId, input.audit);
      })
      .immediate();
  }

  async appealCase(tenantId: string, input: CaseAppealInput): Promise<AuditEntry> {
    if (this.writer) return this.writer.call('appealCase', [tenantId, input]);
    const c = input.caseRecord;
    return this.db
      .transaction(() => {
        const info =
          this.q(`UPDATE cases SET status = ?, updated_at = ?, version = ?, appeal = 1, excluded_reviewer = decided_by, waiting_since = ?,
          claimed_by = NULL, claimed_name = NULL, claim_expires_at = NULL
        WHERE tenant_id = ? AND id = ? AND version = ?`).run(
            c.status,
            c.updatedAt,
            c.version,
            c.updatedAt,
            tenantId,
            c.id,
            input.expectedVersion,
          );
        if (info.changes === 0) throw new ConflictError(`case ${c.id} changed since version ${input.expectedVersion}`);
        this.q(REFRESH_QUEUE_SQL).run(...refreshQueueParams(tenantId, c));
        this.#consoleCaseSideEffects(tenantId, c, input.history, input.notify);
        return appendAuditSync(this.conn, tenantId, input.audit);
      })
      .immediate();
  }

  #consoleCaseSideEffects(
    tenantId: string,
    c: CaseRecord,
    h: Omit<CaseHistoryEntry, 'caseId'>,
    notify: WebhookEventInput[],
  ): void {
    this.q(
      'INSERT INTO case_history (tenant_id, case_id, at, actor, action, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(tenantId, c.id, h.at, h.actor, h.action, h.fromStatus, h.toStatus, h.note);
    for (const event of notify) enqueueSync(this.conn, tenantId, event, c.updatedAt);
  }

  async enforcementActions(tenantId: string, accountIds: string[]): Promise<EnforcementActionRecord[]> {
    if (accountIds.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT * FROM enforcement_actions WHERE tenant_id = ? AND account_id IN (${accountIds.map(() => '?').join(',')}) ORDER BY at, id`,
      )
      .all(tenantId, ...accountIds) as Row[];
    return rows.map(mapAction);
  }
}
