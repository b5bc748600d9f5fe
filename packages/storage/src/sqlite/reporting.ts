// SQLite store, reports to the authorities and preserved evidence (migration 10). The contract is ReportingStore in
// ../types.ts; the contract tests are test/contract/.
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
import { SqliteRole, type Row } from './connection.ts';
import { appendAuditSync } from './auditLog.ts';

export class SqliteReportingStore extends SqliteRole implements ReportingStore {
  async freezeEvidence(tenantId: string, input: NewEvidencePackage): Promise<EvidencePackageRecord> {
    if (this.writer) return this.writer.call('freezeEvidence', [tenantId, input]);
    return this.db
      .transaction(() => {
        const version = Number((this.q(NEXT_PACKAGE_VERSION_SQL).get(tenantId, input.caseId) as Row).v);
        const entry = appendAuditSync(this.conn, tenantId, freezeAudit(input, version));
        this.q(INSERT_PACKAGE_SQL).run(
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
        );
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
      })
      .immediate();
  }

  async evidencePackages(tenantId: string, caseId: string): Promise<EvidencePackageRecord[]> {
    return (
      this.q('SELECT * FROM evidence_packages WHERE tenant_id = ? AND case_id = ? ORDER BY version').all(
        tenantId,
        caseId,
      ) as Row[]
    ).map(mapPackage);
  }

  async readEvidencePackages(
    tenantId: string,
    after: { caseId: string; version: number } | null,
    limit: number,
  ): Promise<EvidencePackageRecord[]> {
    const rows = after
      ? this.q(
          'SELECT * FROM evidence_packages WHERE tenant_id = ? AND (case_id > ? OR (case_id = ? AND version > ?)) ORDER BY case_id, version LIMIT ?',
        ).all(tenantId, after.caseId, after.caseId, after.version, limit)
      : this.q('SELECT * FROM evidence_packages WHERE tenant_id = ? ORDER BY case_id, version LIMIT ?').all(
          tenantId,
          limit,
        );
    return (rows as Row[]).map(mapPackage);
  }

  async placeLegalHold(tenantId: string, hold: NewLegalHold, audit: NewAuditEntry): Promise<LegalHold> {
    if (this.writer) return this.writer.call('placeLegalHold', [tenantId, hold, audit]);
    return this.db.transaction(() => this.#placeHoldSync(tenantId, hold, audit)).immediate();
  }

  #placeHoldSync(tenantId: string, hold: NewLegalHold, audit: NewAuditEntry): LegalHold {
    const record: LegalHold = { id: newId('hold'), tenantId, ...hold };
    this.q(INSERT_HOLD_SQL).run(
      record.id,
      tenantId,
      hold.caseId,
      hold.reason,
      hold.placedBy,
      hold.placedAt,
      hold.until,
    );
    appendAuditSync(this.conn, tenantId, { ...audit, targetId: record.id });
    return record;
  }

  async legalHolds(tenantId: string, caseId: string): Promise<LegalHold[]> {
    return (
      this.q('SELECT * FROM legal_holds WHERE tenant_id = ? AND case_id = ? ORDER BY placed_at, id').all(
        tenantId,
        caseId,
      ) as Row[]
    ).map(mapHold);
  }

  async createAuthorityReport(tenantId: string, report: AuthorityReportRecord, audit: NewAuditEntry): Promise<void> {
    if (this.writer) return this.writer.call('createAuthorityReport', [tenantId, report, audit]);
    this.db
      .transaction(() => {
        this.q(INSERT_REPORT_SQL).run(...reportParams(tenantId, report));
        appendAuditSync(this.conn, tenantId, audit);
      })
      .immediate();
  }

  async getAuthorityReport(tenantId: string, id: string): Promise<AuthorityReportRecord | null> {
    const r = this.q('SELECT * FROM authority_reports WHERE tenant_id = ? AND id = ?').get(tenantId, id) as
      | Row
      | undefined;
    return r ? mapAuthorityReport(r) : null;
  }

  async listAuthorityReports(tenantId: string, query: AuthorityReportQuery): Promise<AuthorityReportRecord[]> {
    const { sql, params } = reportListSql(tenantId, query);
    return (this.q(sql).all(...params) as Row[]).map(mapAuthorityReport);
  }

  async updateAuthorityReport(
    tenantId: string,
    id: string,
    update: AuthorityReportUpdate,
  ): Promise<AuthorityReportRecord> {
    if (this.writer) return this.writer.call('updateAuthorityReport', [tenantId, id, update]);
    return this.db
      .transaction(() => {
        const { sql, params } = reportPatchSql(tenantId, id, update.patch, update.fromStatuses);
        if (this.db.prepare(sql).run(...params).changes === 0) {
          const found = this.q('SELECT status FROM authority_reports WHERE tenant_id = ? AND id = ?').get(
            tenantId,
            id,
          ) as Row | undefined;
          if (!found) throw new NotFoundError(`no report ${id}`);
          throw new ConflictError(`report ${id} is ${String(found.status)}, not ${update.fromStatuses?.join(' or ')}`);
        }
        if (update.audit) appendAuditSync(this.conn, tenantId, update.audit);
        if (update.hold)
          this.#placeHoldSync(tenantId, update.hold, {
            at: update.hold.placedAt,
            actor: { system: 'reporting' },
            action: HOLD_ACTION,
            caseId: update.hold.caseId,
            targetId: null,
            details: { reason: update.hold.reason, until: update.hold.until, reportId: id },
          });
        return mapAuthorityReport(
          this.q('SELECT * FROM authority_reports WHERE tenant_id = ? AND id = ?').get(tenantId, id) as Row,
        );
      })
      .immediate();
  }

  async claimDueAuthorityReports(now: number, limit: number, leaseMs: number): Promise<AuthorityReportRecord[]> {
    if (this.writer) return this.writer.call('claimDueAuthorityReports', [now, limit, leaseMs]);
    return this.db
      .transaction(() => {
        const rows = (this.q(DUE_REPORTS_SQL).all(now, limit) as Row[]).map(mapAuthorityReport);
        const lease = this.q('UPDATE authority_reports SET next_attempt_at = ? WHERE id = ?');
        for (const r of rows) lease.run(now + leaseMs, r.id);
        return rows.map((r) => ({ ...r, nextAttemptAt: now + leaseMs }));
      })
      .immediate();
  }
}
