// SQLite store, cases, their history and alert keys. The contract is CaseStore in ../types.ts; the contract tests are
// test/contract/.
import { mapCase, mapHistory } from '../rows.ts';
import {
  ConflictError,
  type CaseHistoryEntry,
  type CaseListQuery,
  type CaseRecord,
  type SaveCaseInput,
  type CaseStore,
} from '../types.ts';
import { REFRESH_QUEUE_SQL, refreshQueueParams } from '../consoleRows.ts';
import { SqliteRole, type Row } from './connection.ts';
import { enqueueSync } from './webhooks.ts';

export class SqliteCaseStore extends SqliteRole implements CaseStore {
  async getCase(tenantId: string, caseId: string): Promise<CaseRecord | null> {
    const r = this.q('SELECT * FROM cases WHERE tenant_id = ? AND id = ?').get(tenantId, caseId) as Row | undefined;
    return r ? mapCase(r) : null;
  }

  async findActiveCaseForAccused(tenantId: string, accusedId: string): Promise<CaseRecord | null> {
    const r = this.q(
      "SELECT * FROM cases WHERE tenant_id = ? AND accused_id = ? AND status IN ('open', 'in_review', 'escalated') ORDER BY updated_at DESC LIMIT 1",
    ).get(tenantId, accusedId) as Row | undefined;
    return r ? mapCase(r) : null;
  }

  async listCases(tenantId: string, query: CaseListQuery): Promise<CaseRecord[]> {
    const where = ['tenant_id = ?'];
    const params: unknown[] = [tenantId];
    if (query.status) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (query.accusedId) {
      where.push('accused_id = ?');
      params.push(query.accusedId);
    }
    if (query.before) {
      where.push('(updated_at < ? OR (updated_at = ? AND id < ?))');
      params.push(query.before.updatedAt, query.before.updatedAt, query.before.id);
    }
    params.push(query.limit);
    const rows = this.db
      .prepare(`SELECT * FROM cases WHERE ${where.join(' AND ')} ORDER BY updated_at DESC, id DESC LIMIT ?`)
      .all(...params) as Row[];
    return rows.map(mapCase);
  }

  async caseHistory(tenantId: string, caseId: string): Promise<CaseHistoryEntry[]> {
    return (
      this.q('SELECT * FROM case_history WHERE tenant_id = ? AND case_id = ? ORDER BY seq').all(
        tenantId,
        caseId,
      ) as Row[]
    ).map(mapHistory);
  }

  async saveCase(tenantId: string, input: SaveCaseInput): Promise<void> {
    if (this.writer) return this.writer.call('saveCase', [tenantId, input]);
    const c = input.caseRecord;
    this.db
      .transaction(() => {
        if (input.expectedVersion === undefined) {
          this.q(`INSERT INTO cases (tenant_id, id, accused_id, status, level, score, conversation_ids, evidence, opened_at, updated_at, version)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
            tenantId,
            c.id,
            c.accusedId,
            c.status,
            c.level,
            c.score,
            JSON.stringify(c.conversationIds),
            JSON.stringify(c.evidence),
            c.openedAt,
            c.updatedAt,
            c.version,
          );
        } else {
          const info =
            this.q(`UPDATE cases SET status = ?, level = ?, score = ?, conversation_ids = ?, evidence = ?, updated_at = ?, version = ?
          WHERE tenant_id = ? AND id = ? AND version = ?`).run(
              c.status,
              c.level,
              c.score,
              JSON.stringify(c.conversationIds),
              JSON.stringify(c.evidence),
              c.updatedAt,
              c.version,
              tenantId,
              c.id,
              input.expectedVersion,
            );
          if (info.changes === 0)
            throw new ConflictError(`case ${c.id} changed since version ${input.expectedVersion}`);
        }
        const link = this.q(
          'INSERT INTO case_conversations (tenant_id, conversation_id, case_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        );
        for (const conversationId of c.conversationIds) link.run(tenantId, conversationId, c.id);
        const h = input.history;
        if (h) {
          this.q(
            'INSERT INTO case_history (tenant_id, case_id, at, actor, action, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          ).run(tenantId, c.id, h.at, h.actor, h.action, h.fromStatus, h.toStatus, h.note);
        }
        const alert = this.q(
          'INSERT INTO case_alerts (tenant_id, alert_key, case_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        );
        for (const key of input.alertKeys ?? []) alert.run(tenantId, key, c.id);
        for (const event of input.notify ?? []) enqueueSync(this.conn, tenantId, event, c.updatedAt);
        this.q(REFRESH_QUEUE_SQL).run(...refreshQueueParams(tenantId, c)); // moderator console: the queue's order
      })
      .immediate();
  }

  async hasAlertKey(tenantId: string, alertKey: string): Promise<boolean> {
    return (
      this.q('SELECT 1 FROM case_alerts WHERE tenant_id = ? AND alert_key = ?').get(tenantId, alertKey) !== undefined
    );
  }
}
