// PostgreSQL store, moderator console (migration 5): the hash-chained audit log (chain rules in ../audit.ts). The
// contract is AuditLogStore in ../types.ts; the contract tests are test/contract/.
import type { AuditEntry, AuditQuery, NewAuditEntry, AuditLogStore } from '../types.ts';
import { auditListSql, INSERT_AUDIT_SQL, mapAudit, pgSql } from '../consoleRows.ts';
import { AUDIT_GENESIS, auditActorId, auditHash } from '../audit.ts';
import type pg from 'pg';
import { PostgresRole, type PostgresConnection } from './connection.ts';

export class PostgresAuditLogStore extends PostgresRole implements AuditLogStore {
  async appendAudit(tenantId: string, entry: NewAuditEntry): Promise<AuditEntry> {
    return this.tx((client) => appendAuditIn(this.conn, client, tenantId, entry));
  }

  async listAudit(tenantId: string, query: AuditQuery): Promise<AuditEntry[]> {
    const { sql, params } = auditListSql(tenantId, query);
    return (await this.rows(pgSql(sql), params)).map(mapAudit);
  }

  async readAudit(tenantId: string, afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return (
      await this.rows('SELECT * FROM audit_log WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [
        tenantId,
        afterSeq,
        limit,
      ])
    ).map(mapAudit);
  }
}

/** The head row is locked until commit, so the tenant's appends are serialised and the chain has no forks. */
export async function appendAuditIn(
  s: PostgresConnection,
  client: pg.PoolClient,
  tenantId: string,
  entry: NewAuditEntry,
): Promise<AuditEntry> {
  await client.query(
    'INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (tenant_id) DO NOTHING',
    [tenantId, AUDIT_GENESIS],
  );
  const head = (await s.one('SELECT seq, hash FROM audit_heads WHERE tenant_id = $1 FOR UPDATE', [tenantId], client))!;
  const seq = Number(head.seq) + 1;
  const prevHash = String(head.hash);
  const hash = auditHash(prevHash, tenantId, seq, entry);
  await client.query(pgSql(INSERT_AUDIT_SQL), [
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
  ]);
  await client.query('UPDATE audit_heads SET seq = $1, hash = $2 WHERE tenant_id = $3', [seq, hash, tenantId]);
  return { ...entry, seq, prevHash, hash };
}
