// Reports and evidence: SQL both stores share, written with `?` placeholders (PostgreSQL
// gets them numbered by pgSql), and the row mappers.
import { numOrNull, strOrNull } from './rows.ts';
import type {
  AuthorityReportPatch,
  AuthorityReportRecord,
  EvidencePackageRecord,
  LegalHold,
  NewAuditEntry,
  NewEvidencePackage,
} from './types.ts';

type Row = Record<string, unknown>;

export const FREEZE_ACTION = 'evidence.frozen';
export const HOLD_ACTION = 'evidence.hold';

export function mapPackage(r: Row): EvidencePackageRecord {
  return {
    tenantId: String(r.tenant_id),
    caseId: String(r.case_id),
    version: Number(r.version),
    createdAt: Number(r.created_at),
    reason: String(r.reason),
    package: strOrNull(r.package),
    digest: String(r.digest),
    signature: String(r.signature),
    keyId: String(r.key_id),
    auditSeq: Number(r.audit_seq),
    purgedAt: numOrNull(r.purged_at),
  };
}

export function mapHold(r: Row): LegalHold {
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    caseId: String(r.case_id),
    reason: String(r.reason),
    placedBy: String(r.placed_by),
    placedAt: Number(r.placed_at),
    until: Number(r.until),
  };
}

export function mapAuthorityReport(r: Row): AuthorityReportRecord {
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    caseId: String(r.case_id),
    authority: String(r.authority) as AuthorityReportRecord['authority'],
    subjectId: String(r.subject_id),
    priority: Number(r.priority),
    status: String(r.status) as AuthorityReportRecord['status'],
    body: JSON.parse(String(r.body)) as unknown,
    progress: JSON.parse(String(r.progress)) as Record<string, unknown>,
    externalId: strOrNull(r.external_id),
    attempts: Number(r.attempts),
    nextAttemptAt: numOrNull(r.next_attempt_at),
    lastError: strOrNull(r.last_error),
    createdBy: String(r.created_by),
    createdAt: Number(r.created_at),
    dueAt: Number(r.due_at),
    filedAt: numOrNull(r.filed_at),
    keepReferenceUntil: numOrNull(r.keep_reference_until),
    updatedAt: Number(r.updated_at),
  };
}

/** The audit entry of a freeze, with the version the store assigned. */
export function freezeAudit(input: NewEvidencePackage, version: number): NewAuditEntry {
  return { ...input.audit, details: { ...input.audit.details, version, digest: input.digest, keyId: input.keyId } };
}

export const INSERT_PACKAGE_SQL = `INSERT INTO evidence_packages (tenant_id, case_id, version, created_at, reason, package, digest, signature, key_id, audit_seq)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
export const NEXT_PACKAGE_VERSION_SQL =
  'SELECT coalesce(max(version), 0) + 1 AS v FROM evidence_packages WHERE tenant_id = ? AND case_id = ?';
export const INSERT_HOLD_SQL =
  'INSERT INTO legal_holds (id, tenant_id, case_id, reason, placed_by, placed_at, until) VALUES (?, ?, ?, ?, ?, ?, ?)';

export const INSERT_REPORT_SQL = `INSERT INTO authority_reports (id, tenant_id, case_id, authority, subject_id, priority, status, body, progress, external_id,
  attempts, next_attempt_at, last_error, created_by, created_at, due_at, filed_at, keep_reference_until, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function reportParams(tenantId: string, r: AuthorityReportRecord): unknown[] {
  return [
    r.id,
    tenantId,
    r.caseId,
    r.authority,
    r.subjectId,
    r.priority,
    r.status,
    JSON.stringify(r.body),
    JSON.stringify(r.progress),
    r.externalId,
    r.attempts,
    r.nextAttemptAt,
    r.lastError,
    r.createdBy,
    r.createdAt,
    r.dueAt,
    r.filedAt,
    r.keepReferenceUntil,
    r.updatedAt,
  ];
}

const PATCH_COLUMNS: Record<keyof AuthorityReportPatch, string> = {
  status: 'status',
  progress: 'progress',
  externalId: 'external_id',
  attempts: 'attempts',
  nextAttemptAt: 'next_attempt_at',
  lastError: 'last_error',
  filedAt: 'filed_at',
  keepReferenceUntil: 'keep_reference_until',
  body: 'body',
  updatedAt: 'updated_at',
};

/** UPDATE ... SET for the fields present in the patch; params end with tenant and id. */
export function reportPatchSql(
  tenantId: string,
  id: string,
  patch: AuthorityReportPatch,
  fromStatuses?: string[],
): { sql: string; params: unknown[] } {
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [key, column] of Object.entries(PATCH_COLUMNS) as [keyof AuthorityReportPatch, string][]) {
    if (!(key in patch) || patch[key] === undefined) continue;
    sets.push(`${column} = ?`);
    const v = patch[key];
    params.push(key === 'progress' || key === 'body' ? JSON.stringify(v) : v);
  }
  params.push(tenantId, id);
  let where = 'tenant_id = ? AND id = ?';
  if (fromStatuses?.length) {
    where += ` AND status IN (${fromStatuses.map(() => '?').join(', ')})`;
    params.push(...fromStatuses);
  }
  return { sql: `UPDATE authority_reports SET ${sets.join(', ')} WHERE ${where}`, params };
}

export function reportListSql(
  tenantId: string,
  q: { caseId?: string; subjectId?: string; authority?: string; limit: number },
): { sql: string; params: unknown[] } {
  const where = ['tenant_id = ?'];
  const params: unknown[] = [tenantId];
  if (q.caseId) {
    where.push('case_id = ?');
    params.push(q.caseId);
  }
  if (q.subjectId) {
    where.push('subject_id = ?');
    params.push(q.subjectId);
  }
  if (q.authority) {
    where.push('authority = ?');
    params.push(q.authority);
  }
  params.push(q.limit);
  return {
    sql: `SELECT * FROM authority_reports WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`,
    params,
  };
}

/** Reports the worker may pick up now (params: now, limit). */
/** Due reports, priority 1 (an immediate threat) first, then the longest waiting. */
export const DUE_REPORTS_SQL = `SELECT * FROM authority_reports WHERE status IN ('queued', 'in_progress') AND next_attempt_at <= ?
  ORDER BY priority, next_attempt_at, id LIMIT ?`;

/** Retention blanks the frozen content of a purged case; digest and signature stay (params: at, tenant, case). */
export const PURGE_PACKAGES_SQL =
  'UPDATE evidence_packages SET package = NULL, purged_at = ? WHERE tenant_id = ? AND case_id = ? AND package IS NOT NULL';
