// Moderator console: SQL and row mappers shared by both stores. Statements
// are written with `?` placeholders; PostgreSQL gets them numbered by pgSql().
import { caseQueueFacts, URGENCY_PER_HOUR, type QueueFanOut } from './caseQueue.ts';
import { ConflictError, type ClaimOutcome } from './types.ts';
import type {
  AuditEntry,
  CaseRecord,
  EnforcementActionRecord,
  QueueCase,
  StaffRole,
  StaffSessionRecord,
  StaffUser,
  StaffCredentials,
} from './types.ts';

import { numOrNull, strOrNull } from './rows.ts';

type Row = Record<string, unknown>;

/** `?` placeholders to `$1, $2, ...` (no statement here has a `?` inside a literal). */
export function pgSql(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const HOUR = 3_600_000 / URGENCY_PER_HOUR;

/**
 * Recomputes a case's queue bucket and sort key after a write to it, from the values just written.
 * Also keeps dismissed_at (migration 7): NULL unless dismissed, so entering 'dismissed' sets it to the
 * write's time and staying there (a note) keeps it; dismissed-case retention counts from it.
 * Params: urgency_base, child_age, sextortion, sextortion_deadline, bank_match, stage, child_id, child_count,
 * fan_out, urgency_base again, tenant_id, id.
 */
export const REFRESH_QUEUE_SQL = `UPDATE cases SET
  urgency_base = ?, child_age = ?, sextortion = ?, sextortion_deadline = ?, bank_match = ?, stage = ?,
  child_id = ?, child_count = ?, fan_out = ?,
  waiting_since = coalesce(waiting_since, opened_at),
  dismissed_at = CASE WHEN status = 'dismissed' THEN coalesce(dismissed_at, updated_at) ELSE NULL END,
  queue = CASE WHEN status IN ('open', 'in_review') THEN (CASE WHEN appeal = 1 THEN 'appeals' ELSE 'open' END)
               WHEN status = 'escalated' THEN 'escalated' ELSE 'closed' END,
  queue_key = CASE WHEN status IN ('open', 'in_review', 'escalated') THEN ? - coalesce(waiting_since, opened_at) / ${HOUR.toFixed(1)}
                   ELSE updated_at / 3600000.0 END
  WHERE tenant_id = ? AND id = ?`;

export function refreshQueueParams(
  tenantId: string,
  c: Pick<CaseRecord, 'id' | 'score' | 'accusedId' | 'evidence'>,
): unknown[] {
  const f = caseQueueFacts(c);
  return [
    f.urgencyBase,
    f.childAge,
    f.sextortion ? 1 : 0,
    f.sextortionDeadline ? 1 : 0,
    f.bankMatch ? 1 : 0,
    f.stage,
    f.childId,
    f.childCount,
    f.fanOut ? JSON.stringify(f.fanOut) : null,
    f.urgencyBase,
    tenantId,
    c.id,
  ];
}

export const QUEUE_COLUMNS = `tenant_id, id, accused_id, status, level, score, conversation_ids, opened_at, updated_at, version,
  urgency_base, waiting_since, queue, queue_key, child_age, sextortion, sextortion_deadline, bank_match, stage,
  child_id, child_count, fan_out,
  claimed_by, claimed_name, claim_expires_at, appeal, excluded_reviewer, decided_by`;

/** SQL and params for one page of a queue view (see Storage.queueCases). */
export function queueSql(
  tenantId: string,
  q: {
    view: string;
    userId: string;
    now: number;
    limit: number;
    after?: { key: number; id: string };
    claimableOnly?: boolean;
  },
): { sql: string; params: unknown[] } {
  const where = ['tenant_id = ?'];
  const params: unknown[] = [tenantId];
  if (q.view === 'mine') {
    where.push('claimed_by = ?', 'claim_expires_at > ?', "queue <> 'closed'");
    params.push(q.userId, q.now);
  } else {
    where.push('queue = ?');
    params.push(q.view);
  }
  if (q.after) {
    where.push('(queue_key, id) < (?, ?)');
    params.push(q.after.key, q.after.id);
  }
  if (q.claimableOnly) {
    where.push(
      '(claimed_by IS NULL OR claim_expires_at <= ? OR claimed_by = ?)',
      '(excluded_reviewer IS NULL OR excluded_reviewer <> ?)',
    );
    params.push(q.now, q.userId, q.userId);
  }
  params.push(q.limit);
  return {
    sql: `SELECT ${QUEUE_COLUMNS} FROM cases WHERE ${where.join(' AND ')} ORDER BY queue_key DESC, id DESC LIMIT ?`,
    params,
  };
}

export function mapQueueCase(r: Row): QueueCase {
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    accusedId: String(r.accused_id),
    status: String(r.status) as QueueCase['status'],
    level: String(r.level),
    score: Number(r.score),
    conversationIds: JSON.parse(String(r.conversation_ids)) as string[],
    openedAt: Number(r.opened_at),
    updatedAt: Number(r.updated_at),
    version: Number(r.version),
    queue: {
      urgencyBase: Number(r.urgency_base),
      waitingSince: Number(r.waiting_since ?? r.opened_at),
      childAge: numOrNull(r.child_age),
      childId: strOrNull(r.child_id),
      childCount: Number(r.child_count ?? 0),
      fanOut: parseFanOut(r.fan_out),
      sextortion: Number(r.sextortion) === 1,
      sextortionDeadline: Number(r.sextortion_deadline) === 1,
      bankMatch: Number(r.bank_match) === 1,
      stage: strOrNull(r.stage),
      claimedBy: r.claimed_by == null ? null : { id: String(r.claimed_by), name: String(r.claimed_name ?? '') },
      claimExpiresAt: numOrNull(r.claim_expires_at),
      appeal: Number(r.appeal) === 1,
      excludedReviewer: strOrNull(r.excluded_reviewer),
      decidedBy: strOrNull(r.decided_by),
    },
  };
}

function parseFanOut(value: unknown): QueueFanOut | null {
  if (typeof value !== 'string' || value === '') return null;
  try {
    return JSON.parse(value) as QueueFanOut;
  } catch {
    return null;
  }
}

export function mapStaffUser(r: Row): StaffUser {
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    email: String(r.email),
    name: String(r.name),
    role: String(r.role) as StaffRole,
    disabled: Number(r.disabled) === 1 || r.disabled === true,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function mapStaffCredentials(r: Row): StaffCredentials {
  return {
    ...mapStaffUser(r),
    passwordHash: String(r.password_hash),
    failedSignins: Number(r.failed_signins),
    lockedUntil: numOrNull(r.locked_until),
  };
}

export function mapStaffSession(r: Row): StaffSessionRecord {
  return {
    tokenHash: String(r.token_hash),
    userId: String(r.user_id),
    tenantId: String(r.tenant_id),
    csrfToken: String(r.csrf_token),
    createdAt: Number(r.created_at),
    lastSeenAt: Number(r.last_seen_at),
    expiresAt: Number(r.expires_at),
  };
}

export const SESSION_WITH_USER_SQL = `SELECT s.token_hash, s.user_id, s.tenant_id AS s_tenant_id, s.csrf_token, s.created_at AS s_created_at, s.last_seen_at, s.expires_at,
  u.id, u.tenant_id, u.email, u.name, u.role, u.disabled, u.created_at, u.updated_at
  FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id WHERE s.token_hash = ?`;

export function mapSessionWithUser(r: Row): { session: StaffSessionRecord; user: StaffUser } {
  return {
    session: mapStaffSession({ ...r, tenant_id: r.s_tenant_id, created_at: r.s_created_at }),
    user: mapStaffUser(r),
  };
}

export function mapAudit(r: Row): AuditEntry {
  return {
    seq: Number(r.seq),
    at: Number(r.at),
    actor: JSON.parse(String(r.actor)) as AuditEntry['actor'],
    action: String(r.action),
    caseId: strOrNull(r.case_id),
    targetId: strOrNull(r.target_id),
    details: JSON.parse(String(r.details)) as Record<string, unknown>,
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}

export function auditListSql(
  tenantId: string,
  q: { caseId?: string; actorId?: string; action?: string; limit: number; beforeSeq?: number },
): { sql: string; params: unknown[] } {
  const where = ['tenant_id = ?'];
  const params: unknown[] = [tenantId];
  if (q.caseId) {
    where.push('case_id = ?');
    params.push(q.caseId);
  }
  if (q.actorId) {
    where.push('actor_id = ?');
    params.push(q.actorId);
  }
  if (q.action) {
    where.push('action = ?');
    params.push(q.action);
  }
  if (q.beforeSeq !== undefined) {
    where.push('seq < ?');
    params.push(q.beforeSeq);
  }
  params.push(q.limit);
  return { sql: `SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`, params };
}

export const INSERT_AUDIT_SQL = `INSERT INTO audit_log (tenant_id, seq, at, actor_id, actor, action, case_id, target_id, details, prev_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export const INSERT_ACTION_SQL = `INSERT INTO enforcement_actions (id, tenant_id, account_id, case_id, action, reason, duration_hours, decided_by, decided_by_name, at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function mapAction(r: Row): EnforcementActionRecord {
  return {
    id: String(r.id),
    accountId: String(r.account_id),
    caseId: strOrNull(r.case_id),
    action: String(r.action),
    reason: String(r.reason),
    durationHours: numOrNull(r.duration_hours),
    decidedBy: String(r.decided_by),
    decidedByName: String(r.decided_by_name),
    at: Number(r.at),
  };
}

/** Claim condition: free, expired, or already the claimant's; never the excluded reviewer. Params: now, user, user. */
export const CLAIMABLE =
  '(claimed_by IS NULL OR claim_expires_at <= ? OR claimed_by = ?) AND (excluded_reviewer IS NULL OR excluded_reviewer <> ?)';

export function claimRefusal(row: Record<string, unknown> | undefined | null, userId: string): ClaimOutcome {
  if (!row) return { outcome: 'not_found' };
  const c = mapQueueCase(row);
  if (c.queue.excludedReviewer === userId) return { outcome: 'same_reviewer' };
  if (c.status === 'actioned' || c.status === 'dismissed') return { outcome: 'closed' };
  return { outcome: 'held', claimedBy: c.queue.claimedBy!, until: c.queue.claimExpiresAt ?? 0 };
}

/** A decision by someone who does not hold a live claim on the case. */
export function notClaimed(caseId: string): ConflictError {
  return Object.assign(new ConflictError(`claim case ${caseId} before deciding it (claims last 30 minutes)`), {
    code: 'not_claimed',
  });
}
