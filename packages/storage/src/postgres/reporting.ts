// PostgreSQL store, reports to the authorities and preserved evidence (migration 10). The contract is ReportingStore
// in ../types.ts; the contract tests are test/contract/.
import { newId } from '../rows.ts';
import {
  ConflictError,
  NotFoundError,
  type NewAuditEntry,
  type AuthorityReportQuery,
  type AuthorityReportRecord,
  type AuthorityReportUpdate,
  type EvidencePackageRecord,
  type LegalHold,
  type NewEvidencePackage,
  type NewLegalHold,
  type ReportingStore,
} from '../types.ts';
import { pgSql } from '../consoleRows.ts';
import { AUDIT_GENESIS } from '../audit.ts';
import {
  DUE_REPORTS_SQL,
  freezeAudit,
  HOLD_ACTION,
  INSERT_HOLD_SQL,
  INSERT_PACKAGE_SQL,
  INSERT_REPORT_SQL,
  mapAuthorityReport,
  mapHold,
  mapPackage,
  NEXT_PACKAGE_VERSION_SQL,
  reportListSql,
  reportParams,
  reportPatchSql,
} from '../reportingRows.ts';
import type pg from 'pg';
import { PostgresRole } from './connection.ts';
import { appendAuditIn } from './auditLog.ts';

export class PostgresReportingStore extends PostgresRole implements ReportingStore {
  async freezeEvidence(tenantId: string, input: NewEvidencePackage): Promise<EvidencePackageRecord> {
    return this.tx(async (client) => {
      // The audit head lock (appendAuditIn) also serialises freezes, so two never take the same version.
      await client.query(
        'INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (tenant_id) DO NOTHING',
        [tenantId, AUDIT_GENESIS],
      );
      await client.query('SELECT seq FROM audit_heads WHERE tenant_id = $1 FOR UPDATE', [tenantId]);
      const version = Number((await this.one(pgSql(NEXT_PACKAGE_VERSION_SQL), [tenantId, input.caseId], client))!.v);
      const entry = await appendAuditIn(this.conn, client, tenantId, freezeAudit(input, version));
      await client.query(pgSql(INSERT_PACKAGE_SQL), [
        tenantId,
        input.caseId,
        version,
        input.createdAt,
        input.reason,
        input.package,
        input.digest,
        input.signature,
        input.keyId,
        entry.seq,
      ]);
      return {
        tenantId,
        caseId: input.caseId,
        version,
        createdAt: input.createdAt,
        reason: input.reason,
        package: input.package,
        digest: input.digest,
        signature: input.signature,
        keyId: input.keyId,
        auditSeq: entry.seq,
        purgedAt: null,
      };
    });
  }

  async evidencePackages(tenantId: string, caseId: string): Promise<EvidencePackageRecord[]> {
    return (
      await this.rows('SELECT * FROM evidence_packages WHERE tenant_id = $1 AND case_id = $2 ORDER BY version', [
        tenantId,
        caseId,
      ])
    ).map(mapPackage);
  }

  async readEvidencePackages(
    tenantId: string,
    after: { caseId: string; version: number } | null,
    limit: number,
  ): Promise<EvidencePackageRecord[]> {
    const rows = after
      ? await this.rows(
          'SELECT * FROM evidence_packages WHERE tenant_id = $1 AND (case_id, version) > ($2, $3) ORDER BY case_id, version LIMIT $4',
          [tenantId, after.caseId, after.version, limit],
        )
      : await this.rows('SELECT * FROM evidence_packages WHERE tenant_id = $1 ORDER BY case_id, version LIMIT $2', [
          tenantId,
          limit,
        ]);
    return rows.map(mapPackage);
  }

  async placeLegalHold(tenantId: string, hold: NewLegalHold, audit: NewAuditEntry): Promise<LegalHold> {
    return this.tx((client) => this.#placeHoldIn(client, tenantId, hold, audit));
  }

  async #placeHoldIn(
    client: pg.PoolClient,
    tenantId: string,
    hold: NewLegalHold,
    audit: NewAuditEntry,
  ): Promise<LegalHold> {
    const record: LegalHold = { id: newId('hold'), tenantId, ...hold };
    await client.query(pgSql(INSERT_HOLD_SQL), [
      record.id,
      tenantId,
      hold.caseId,
      hold.reason,
      hold.placedBy,
      hold.placedAt,
      hold.until,
    ]);
    await appendAuditIn(this.conn, client, tenantId, { ...audit, targetId: record.id });
    return record;
  }

  async legalHolds(tenantId: string, caseId: string): Promise<LegalHold[]> {
    return (
      await this.rows('SELECT * FROM legal_holds WHERE tenant_id = $1 AND case_id = $2 ORDER BY placed_at, id', [
        tenantId,
        caseId,
      ])
    ).map(mapHold);
  }

  async createAuthorityReport(tenantId: string, report: AuthorityReportRecord, audit: NewAuditEntry): Promise<void> {
    await this.tx(async (client) => {
      await client.query(pgSql(INSERT_REPORT_SQL), reportParams(tenantId, report));
      await appendAuditIn(this.conn, client, tenantId, audit);
    });
  }

  async getAuthorityReport(tenantId: string, id: string): Promise<AuthorityReportRecord | null> {
    const r = await this.one('SELECT * FROM authority_reports WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return r ? mapAuthorityReport(r) : null;
  }

  async listAuthorityReports(tenantId: string, query: AuthorityReportQuery): Promise<AuthorityReportRecord[]> {
    const { sql, params } = reportListSql(tenantId, query);
    return (await this.rows(pgSql(sql), params)).map(mapAuthorityReport);
  }

  async updateAuthorityReport(
    tenantId: string,
    id: string,
    update: AuthorityReportUpdate,
  ): Promise<AuthorityReportRecord> {
    return this.tx(async (client) => {
      const { sql, params } = reportPatchSql(tenantId, id, update.patch, update.fromStatuses);
      const res = await client.query(pgSql(sql), params);
      if ((res.rowCount ?? 0) === 0) {
        const found = await this.one(
          'SELECT status FROM authority_reports WHERE tenant_id = $1 AND id = $2',
          [tenantId, id],
          client,
        );
        if (!found) throw new NotFoundError(`no report ${id}`);
        throw new ConflictError(`report ${id} is ${String(found.status)}, not ${update.fromStatuses?.join(' or ')}`);
      }
      if (update.audit) await appendAuditIn(this.conn, client, tenantId, update.audit);
      if (update.hold)
        await this.#placeHoldIn(client, tenantId, update.hold, {
          at: update.hold.placedAt,
          actor: { system: 'reporting' },
          action: HOLD_ACTION,
          caseId: update.hold.caseId,
          targetId: null,
          details: { reason: update.hold.reason, until: update.hold.until, reportId: id },
        });
      return mapAuthorityReport(
        (await this.one('SELECT * FROM authority_reports WHERE tenant_id = $1 AND id = $2', [tenantId, id], client))!,
      );
    });
  }

  async claimDueAuthorityReports(now: number, limit: number, leaseMs: number): Promise<AuthorityReportRecord[]> {
    return this.tx(async (client) => {
      const rows = (await this.rows(pgSql(`${DUE_REPORTS_SQL} FOR UPDATE SKIP LOCKED`), [now, limit], client)).map(
        mapAuthorityReport,
      );
      if (rows.length)
        await client.query('UPDATE authority_reports SET next_attempt_at = $1 WHERE id = ANY($2::text[])', [
          now + leaseMs,
          rows.map((r) => r.id),
        ]);
      return rows.map((r) => ({ ...r, nextAttemptAt: now + leaseMs }));
    });
  }
}
