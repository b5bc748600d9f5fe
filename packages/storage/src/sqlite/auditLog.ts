// SQLite store, moderator console (migration 5): the hash-chained audit log (chain rules in ../audit.ts). The
// contract is AuditLogStore in ../types.ts; the contract tests are test/contract/.
import type { AuditEntry, AuditQuery, NewAuditEntry, AuditLogStore } from '../types.ts';
import { auditListSql, INSERT_AUDIT_SQL, mapAudit } from '../consoleRows.ts';
import { AUDIT_GENESIS, auditActorId, auditHash } from '../audit.ts';
import { SqliteRole, type SqliteConnection, type Row } from './connection.ts';

export class SqliteAuditLogStore extends SqliteRole implements AuditLogStore {
  async appendAudit(tenantId: string, entry: NewAuditEntry): Promise<AuditEntry> {
    if (this.writer) return this.writer.call('appendAudit', [tenantId, entry]);
    return this.db.transaction(() => appendAuditSync(this.conn, tenantId, entry)).immediate();
  }

  async listAudit(tenantId: string, query: AuditQuery): Promise<AuditEntry[]> {
    const { sql, params } = auditListSql(tenantId, query);
    return (this.q(sql).all(...params) as Row[]).map(mapAudit);
  }

  async readAudit(tenantId: string, afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return (
      this.q('SELECT * FROM audit_log WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?').all(
        tenantId,
        afterSeq,
        limit,
      ) as Row[]
    ).map(mapAudit);
  }
}

export function appendAuditSync(s: SqliteConnection, tenantId: string, entry: NewAuditEntry): AuditEntry {
  const head = s.q('SELECT seq, hash FROM audit_heads WHERE tenant_id = ?').get(tenantId) as Row | undefined;
  const seq = head ? Number(head.seq) + 1 : 1;
  const prevHash = head ? String(head.hash) : AUDIT_GENESIS;
  const hash = auditHash(prevHash, tenantId, seq, entry);
  s.q(INSERT_AUDIT_SQL).run(
    tenantId,
    seq,
    entry.at,
    auditActorId(entry),
    JSON.stringify(entry.actor),
    entry.action,
    entry.caseId,
    entry.targetId,
    JSON.stringify(entry.details),
    prevHash,
    hash,
  );
  s.q(
    'INSERT INTO audit_heads (tenant_id, seq, hash) VALUES (?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
  ).run(tenantId, seq, hash);
  return { ...entry, seq, prevHash, hash };
}
