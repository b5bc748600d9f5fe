// PostgreSQL store, retention: message text outside held conversations, and dismissed cases' evidence. The contract
// is RetentionStore in ../types.ts; the contract tests are test/contract/.
import type { CaseEvidencePurgeResult, PurgeResult, RetentionStore } from '../types.ts';
import { pgSql } from '../consoleRows.ts';
import { PURGE_PACKAGES_SQL } from '../reportingRows.ts';
import {
  addCounts,
  APPLY_PURGE_SQL,
  DISMISSED_DUE_SQL,
  HELD_CONVERSATIONS_SQL,
  purgeAuditEntry,
  purgeEvidenceContent,
  purgeHistoryNote,
  RETENTION_ACTOR,
} from '../caseRetention.ts';
import { PostgresRole } from './connection.ts';
import { appendAuditIn } from './auditLog.ts';

export class PostgresRetentionStore extends PostgresRole implements RetentionStore {
  async heldConversationIds(tenantId: string): Promise<string[]> {
    const rows = await this.rows(
      `SELECT DISTINCT conversation_id FROM (${HELD_CONVERSATIONS_SQL.replace('?', '$1')}) held`,
      [tenantId],
    );
    return rows.map((r) => String(r.conversation_id));
  }

  async purgeMessageText(tenantId: string, olderThan: number, maxSeq: number, at: number): Promise<PurgeResult> {
    const res = await this.pool.query(
      `UPDATE events SET text = NULL, text_purged_at = $1
       WHERE tenant_id = $2 AND type = 'message' AND text IS NOT NULL AND time_ms < $3 AND seq <= $4
         AND conversation_id NOT IN (${HELD_CONVERSATIONS_SQL.replace('?', '$2')})`,
      [at, tenantId, olderThan, maxSeq],
    );
    return { messagesPurged: res.rowCount ?? 0 };
  }

  async purgeDismissedCaseEvidence(
    tenantId: string,
    dismissedBefore: number,
    at: number,
    limit: number,
  ): Promise<CaseEvidencePurgeResult> {
    return this.tx(async (client) => {
      const total: CaseEvidencePurgeResult = { casesPurged: 0, messageTexts: 0, excerpts: 0, attachments: 0 };
      // Locked until commit; SKIP LOCKED leaves cases another transaction is changing to a later run.
      const due = await this.rows(
        pgSql(`${DISMISSED_DUE_SQL} FOR UPDATE SKIP LOCKED`),
        [tenantId, dismissedBefore, at, limit],
        client,
      );
      for (const r of due) {
        const id = String(r.id);
        const dismissedAt = Number(r.dismissed_at);
        const { evidence, counts } = purgeEvidenceContent(JSON.parse(String(r.evidence)), at);
        const res = await client.query(pgSql(APPLY_PURGE_SQL), [
          JSON.stringify(evidence),
          at,
          tenantId,
          id,
          Number(r.version),
        ]);
        if ((res.rowCount ?? 0) === 0) continue;
        await client.query(
          'INSERT INTO case_history (tenant_id, case_id, at, actor, action, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [
            tenantId,
            id,
            at,
            RETENTION_ACTOR,
            'updated',
            'dismissed',
            'dismissed',
            purgeHistoryNote(counts, dismissedAt),
          ],
        );
        await client.query(pgSql(PURGE_PACKAGES_SQL), [at, tenantId, id]); // evidence packages: frozen copies go too (digests stay)
        await appendAuditIn(this.conn, client, tenantId, purgeAuditEntry(id, counts, dismissedAt, dismissedBefore, at));
        addCounts(total, counts);
      }
      return total;
    });
  }
}
