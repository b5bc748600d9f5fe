// SQLite store, retention: message text outside held conversations, and dismissed cases' evidence. The contract is
// RetentionStore in ../types.ts; the contract tests are test/contract/.
import type { CaseEvidencePurgeResult, PurgeResult, RetentionStore } from '../types.ts';
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
import { SqliteRole, type Row } from './connection.ts';
import { appendAuditSync } from './auditLog.ts';

export class SqliteRetentionStore extends SqliteRole implements RetentionStore {
  async heldConversationIds(tenantId: string): Promise<string[]> {
    return (this.q(`SELECT DISTINCT conversation_id FROM (${HELD_CONVERSATIONS_SQL})`).all(tenantId) as Row[]).map(
      (r) => String(r.conversation_id),
    );
  }

  async purgeMessageText(tenantId: string, olderThan: number, maxSeq: number, at: number): Promise<PurgeResult> {
    if (this.writer) return this.writer.call('purgeMessageText', [tenantId, olderThan, maxSeq, at]);
    const info = this.q(`UPDATE events SET text = NULL, text_purged_at = ?
      WHERE tenant_id = ? AND type = 'message' AND text IS NOT NULL AND time_ms < ? AND seq <= ?
        AND conversation_id NOT IN (${HELD_CONVERSATIONS_SQL})`).run(at, tenantId, olderThan, maxSeq, tenantId);
    return { messagesPurged: info.changes };
  }

  async purgeDismissedCaseEvidence(
    tenantId: string,
    dismissedBefore: number,
    at: number,
    limit: number,
  ): Promise<CaseEvidencePurgeResult> {
    if (this.writer) return this.writer.call('purgeDismissedCaseEvidence', [tenantId, dismissedBefore, at, limit]);
    return this.db
      .transaction(() => {
        const total: CaseEvidencePurgeResult = { casesPurged: 0, messageTexts: 0, excerpts: 0, attachments: 0 };
        for (const r of this.q(DISMISSED_DUE_SQL).all(tenantId, dismissedBefore, at, limit) as Row[]) {
          const id = String(r.id);
          const dismissedAt = Number(r.dismissed_at);
          const { evidence, counts } = purgeEvidenceContent(JSON.parse(String(r.evidence)), at);
          if (this.q(APPLY_PURGE_SQL).run(JSON.stringify(evidence), at, tenantId, id, Number(r.version)).changes === 0)
            continue;
          this.q(
            'INSERT INTO case_history (tenant_id, case_id, at, actor, action, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          ).run(
            tenantId,
            id,
            at,
            RETENTION_ACTOR,
            'updated',
            'dismissed',
            'dismissed',
            purgeHistoryNote(counts, dismissedAt),
          );
          this.q(PURGE_PACKAGES_SQL).run(at, tenantId, id); // evidence packages: frozen copies go too (digests stay)
          appendAuditSync(this.conn, tenantId, purgeAuditEntry(id, counts, dismissedAt, dismissedBefore, at));
          addCounts(total, counts);
        }
        return total;
      })
      .immediate();
  }
}
