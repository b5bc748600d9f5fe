// PostgreSQL store, cases, their history and alert keys. The contract is CaseStore in ../types.ts; the contract tests
// are test/contract/.
import { mapCase, mapHistory } from '../rows.ts';
import {
  ConflictError,
  type CaseHistoryEntry,
  type CaseListQuery,
  type CaseRecord,
  type SaveCaseInput,
  type CaseStore,
} from '../types.ts';
import { pgSql, REFRESH_QUEUE_SQL, refreshQueueParams } from '../consoleRows.ts';
import { PostgresRole } from './connection.ts';
import { enqueueDeliveries } from './webhooks.ts';

export class PostgresCaseStore extends PostgresRole implements CaseStore {
  async getCase(tenantId: string, caseId: string): Promise<CaseRecord | null> {
    const r = await this.one('SELECT * FROM cases WHERE tenant_id = $1 AND id = $2', [tenantId, caseId]);
    return r ? mapCase(r) : null;
  }

  async findActiveCaseForAccused(tenantId: string, accusedId: string): Promise<CaseRecord | null> {
    const r = await this.one(
      "SELECT * FROM cases WHERE tenant_id = $1 AND accused_id = $2 AND status IN ('open', 'in_review', 'escalated') ORDER BY updated_at DESC LIMIT 1",
      [tenantId, accusedId],
    );
    return r ? mapCase(r) : null;
  }

  async listCases(tenantId: string, query: CaseListQuery): Promise<CaseRecord[]> {
    const where = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    const add = (v: unknown) => `$${params.push(v)}`;
    if (query.status) where.push(`status = ${add(query.status)}`);
    if (query.accusedId) where.push(`accused_id = ${add(query.accusedId)}`);
    if (query.before) {
      const t = add(query.before.updatedAt);
      where.push(`(updated_at < ${t} OR (updated_at = ${t} AND id < ${add(query.before.id)}))`);
    }
    const rows = await this.rows(
      `SELECT * FROM cases WHERE ${where.join(' AND ')} ORDER BY updated_at DESC, id DESC LIMIT ${add(query.limit)}`,
      params,
    );
    return rows.map(mapCase);
  }

  async caseHistory(tenantId: string, caseId: string): Promise<CaseHistoryEntry[]> {
    return (
      await this.rows('SELECT * FROM case_history WHERE tenant_id = $1 AND case_id = $2 ORDER BY seq', [
        tenantId,
        caseId,
      ])
    ).map(mapHistory);
  }

  async saveCase(tenantId: string, input: SaveCaseInput): Promise<void> {
    const c = input.caseRecord;
    await this.tx(async (client) => {
      if (input.expectedVersion === undefined) {
        await client.query(
          `INSERT INTO cases (tenant_id, id, accused_id, status, level, score, conversation_ids, evidence, opened_at, updated_at, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [
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
          ],
        );
      } else {
        const res = await client.query(
          `UPDATE cases SET status = $1, level = $2, score = $3, conversation_ids = $4, evidence = $5, updated_at = $6, version = $7
           WHERE tenant_id = $8 AND id = $9 AND version = $10`,
          [
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
          ],
        );
        if ((res.rowCount ?? 0) === 0)
          throw new ConflictError(`case ${c.id} changed since version ${input.expectedVersion}`);
      }
      if (c.conversationIds.length > 0) {
        await client.query(
          'INSERT INTO case_conversations (tenant_id, conversation_id, case_id) SELECT $1, unnest($2::text[]), $3 ON CONFLICT DO NOTHING',
          [tenantId, c.conversationIds, c.id],
        );
      }
      const h = input.history;
      if (h) {
        await client.query(
          'INSERT INTO case_history (tenant_id, case_id, at, actor, action, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [tenantId, c.id, h.at, h.actor, h.action, h.fromStatus, h.toStatus, h.note],
        );
      }
      if (input.alertKeys?.length) {
        await client.query(
          'INSERT INTO case_alerts (tenant_id, alert_key, case_id) SELECT $1, unnest($2::text[]), $3 ON CONFLICT DO NOTHING',
          [tenantId, input.alertKeys, c.id],
        );
      }
      for (const event of input.notify ?? []) await enqueueDeliveries(this.conn, client, tenantId, event, c.updatedAt);
      await client.query(pgSql(REFRESH_QUEUE_SQL), refreshQueueParams(tenantId, c)); // moderator console: the queue's order
    });
  }

  async hasAlertKey(tenantId: string, alertKey: string): Promise<boolean> {
    return (
      (await this.one('SELECT 1 AS x FROM case_alerts WHERE tenant_id = $1 AND alert_key = $2', [
        tenantId,
        alertKey,
      ])) !== null
    );
  }
}
