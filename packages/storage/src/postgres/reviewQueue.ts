// PostgreSQL store, moderator console (migration 5): the review queue, claims, decisions, appeals and enforcement
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
  pgSql,
  QUEUE_COLUMNS,
  queueSql,
  REFRESH_QUEUE_SQL,
  refreshQueueParams,
} from '../consoleRows.ts';
import type pg from 'pg';
import { PostgresRole } from './connection.ts';
import { enqueueDeliveries } from './webhooks.ts';
import { appendAuditIn } from './auditLog.ts';

export class PostgresReviewQueueStore extends PostgresRole implements ReviewQueueStore {
  async queueCases(tenantId: string, query: QueueQuery): Promise<QueuePage> {
    const { sql, params } = queueSql(tenantId, query);
    const rows = await this.rows(pgSql(sql), params);
    return { cases: rows.map(mapQueueCase), lastKey: rows.length ? Number(rows[rows.length - 1]!.queue_key) : null };
  }

  async queueCounts(
    tenantId: string,
    userId: string,
    now: number,
    onlyMine = false,
  ): Promise<{ open: number; mine: number; escalated: number; appeals: number }> {
    const counts = { open: 0, mine: 0, escalated: 0, appeals: 0 };
    const mine =
      "SELECT 'mine' AS queue, count(*) AS n FROM cases WHERE tenant_id = $1 AND claimed_by = $2 AND claim_expires_at > $3 AND queue <> 'closed'";
    const rows = await this.rows(
      onlyMine
        ? mine
        : `SELECT queue, count(*) AS n FROM cases WHERE tenant_id = $1 AND queue IN ('open', 'appeals', 'escalated') GROUP BY queue UNION ALL ${mine}`,
      [tenantId, userId, now],
    );
    for (const r of rows) counts[String(r.queue) as 'open'] = Number(r.n);
    return counts;
  }

  async getQueueCase(tenantId: string, caseId: string): Promise<QueueCase | null> {
    const r = await this.one(`SELECT ${QUEUE_COLUMNS} FROM cases WHERE tenant_id = $1 AND id = $2`, [tenantId, caseId]);
    return r ? mapQueueCase(r) : null;
  }

  async claimCase(
    tenantId: string,
    caseId: string,
    claimant: { id: string; name: string },
    now: number,
    until: number,
  ): Promise<ClaimOutcome> {
    // One conditional UPDATE: of two concurrent claims, the second sees the first's row and matches nothing.
    const res = await this.pool.query(
      pgSql(`UPDATE cases SET claimed_by = ?, claimed_name = ?, claim_expires_at = ?
      WHERE tenant_id = ? AND id = ? AND queue <> 'closed' AND ${CLAIMABLE}`),
      [claimant.id, claimant.name, until, tenantId, caseId, now, claimant.id, claimant.id],
    );
    if ((res.rowCount ?? 0) > 0) return { outcome: 'claimed', until };
    return claimRefusal(
      await this.one(`SELECT ${QUEUE_COLUMNS} FROM cases WHERE tenant_id = $1 AND id = $2`, [tenantId, caseId]),
      claimant.id,
    );
  }

  async releaseClaim(tenantId: string, caseId: string, userId: string): Promise<boolean> {
    const res = await this.pool.query(
      'UPDATE cases SET claimed_by = NULL, claimed_name = NULL, claim_expires_at = NULL WHERE tenant_id = $1 AND id = $2 AND claimed_by = $3',
      [tenantId, caseId, userId],
    );
    return (res.rowCount ?? 0) > 0;
  }

  async decideCase(tenantId: string, input: CaseDecisionInput): Promise<AuditEntry> {
    const c = input.caseRecord;
    return this.tx(async (client) => {
      const row = await this.one(
        'SELECT claimed_by, claim_expires_at FROM cases WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
        [tenantId, c.id],
        client,
      );
      if (!row) throw new NotFoundError(`no case ${c.id}`);
      if (row.claimed_by !== input.decidedBy || Number(row.claim_expires_at) <= input.now) throw notClaimed(c.id);
      const res = await client.query(
        pgSql(`UPDATE cases SET status = ?, level = ?, score = ?, updated_at = ?, version = ?, claimed_by = NULL, claimed_name = NULL,
          claim_expires_at = NULL, appeal = 0, excluded_reviewer = NULL, decided_by = ?
        WHERE tenant_id = ? AND id = ? AND version = ?`),
        [c.status, c.level, c.score, c.updatedAt, c.version, input.decidedBy, tenantId, c.id, input.expectedVersion],
      );
      if ((res.rowCount ?? 0) === 0)
        throw new ConflictError(`case ${c.id} changed since version ${input.expectedVersion}`);
      await client.query(pgSql(REFRESH_QUEUE_SQL), refreshQueueParams(tenantId, c));
      await this.#consoleCaseSideEffects(client, tenantId, c, input.history, input.notify);
      if (input.action) {
        const a = input.action;
        await client.query(pgSql(INSERT_ACTION_SQL), [
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
        ]);
      }
      return appendAuditIn(this.conn, client, tenantId, input.audit);
    });
  }

  async appealCase(tenantId: string, input: CaseAppealInput): Promise<AuditEntry> {
    const c = input.caseRecord;
    return this.tx(async (client) => {
      const res = await client.query(
        pgSql(`UPDATE cases SET status = ?, updated_at = ?, version = ?, appeal = 1, excluded_reviewer = decided_by, waiting_since = ?,
          claimed_by = NULL, claimed_name = NULL, claim_expires_at = NULL
        WHERE tenant_id = ? AND id = ? AND version = ?`),
        [c.status, c.updatedAt, c.version, c.updatedAt, tenantId, c.id, input.expectedVersion],
      );
      if ((res.rowCount ?? 0) === 0)
        throw new ConflictError(`case ${c.id} changed since version ${input.expectedVersion}`);
      await client.query(pgSql(REFRESH_QUEUE_SQL), refreshQueueParams(tenantId, c));
      await this.#consoleCaseSideEffects(client, tenantId, c, input.history, input.notify);
      return appendAuditIn(this.conn, client, tenantId, input.audit);
    });
  }

  async #consoleCaseSideEffects(
    client: pg.PoolClient,
    tenantId: string,
    c: CaseRecord,
    h: Omit<CaseHistoryEntry, 'caseId'>,
    notify: WebhookEventInput[],
  ): Promise<void> {
    await client.query(
      'INSERT INTO case_history (tenant_id, case_id, at, actor, action, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [tenantId, c.id, h.at, h.actor, h.action, h.fromStatus, h.toStatus, h.note],
    );
    for (const event of notify) await enqueueDeliveries(this.conn, client, tenantId, event, c.updatedAt);
  }

  async enforcementActions(tenantId: string, accountIds: string[]): Promise<EnforcementActionRecord[]> {
    if (accountIds.length === 0) return [];
    return (
      await this.rows(
        'SELECT * FROM enforcement_actions WHERE tenant_id = $1 AND account_id = ANY($2::text[]) ORDER BY at, id',
        [tenantId, accountIds],
      )
    ).map(mapAction);
  }
}
