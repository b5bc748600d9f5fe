// Retention for dismissed cases: what is removed from a case's evidence once it has been dismissed
// for the configured time, and what stays. Both stores call this on the stored JSON, so the rule is
// the same on SQLite and PostgreSQL.
//
// Removed: everything the case copied from children's and accused's messages, that is message texts,
// the excerpts (quoted spans) in the detector's reports, the quotes inside report reasons, and
// attachment references. Kept: ids, times, scores, signal kinds, offsets and stages, participants and
// their ages, alerts, the accused's report and known-image matches (hashes only). The decision lives
// in the case's status, history and audit log, which this never touches.
import type { CaseEvidencePurgeResult, NewAuditEntry } from './types.ts';

/** The audit log's system actor for retention runs. */
export const RETENTION_ACTOR = 'retention';
export const EVIDENCE_PURGED_ACTION = 'case.evidence_purged';

/** Counts of one case's purge; never content. */
export type EvidencePurgeCounts = Omit<CaseEvidencePurgeResult, 'casesPurged'>;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Message fields that carry no content; anything else on a message is dropped (allowlist). */
const MESSAGE_FIELDS = ['id', 'time', 'senderId', 'recipientIds'] as const;

function purgeMessage(m: unknown, counts: EvidencePurgeCounts): unknown {
  if (!isObj(m)) return m;
  const out: Obj = {};
  for (const k of MESSAGE_FIELDS) if (k in m) out[k] = m[k];
  if (typeof m.text === 'string' && m.text !== '') counts.messageTexts++;
  out.text = '';
  out.textPurged = true;
  if (Array.isArray(m.attachments)) {
    out.attachments = m.attachments.map((a) => {
      if (isObj(a) && a.ref != null) counts.attachments++;
      return isObj(a) && typeof a.kind === 'string' ? { kind: a.kind } : { kind: 'unknown' };
    });
  }
  return out;
}

/** A reason sentence without the quotes core's explain.ts appends after ': "'. */
export function reasonWithoutQuotes(reason: string): string {
  const at = reason.indexOf(': "');
  return at < 0 ? reason : reason.slice(0, at);
}

function purgeReport(report: unknown, counts: EvidencePurgeCounts): unknown {
  if (!isObj(report)) return report;
  const out: Obj = { ...report };
  if (Array.isArray(report.evidence)) {
    out.evidence = report.evidence.map((e) => {
      if (!isObj(e)) return e;
      if (typeof e.excerpt === 'string' && e.excerpt !== '') counts.excerpts++;
      return { ...e, excerpt: '' };
    });
  }
  if (Array.isArray(report.reasons))
    out.reasons = report.reasons.map((r) => (typeof r === 'string' ? reasonWithoutQuotes(r) : r));
  return out;
}

/**
 * The evidence with its message content removed and `evidencePurgedAt` set. Tolerates any shape (cases
 * written by other code or older versions): unknown top-level keys are kept, messages are rebuilt from
 * an allowlist.
 */
export function purgeEvidenceContent(evidence: unknown, at: number): { evidence: Obj; counts: EvidencePurgeCounts } {
  const counts: EvidencePurgeCounts = { messageTexts: 0, excerpts: 0, attachments: 0 };
  const e: Obj = isObj(evidence) ? { ...evidence } : {};
  if (isObj(e.conversations)) {
    const conversations: Obj = {};
    for (const [id, conv] of Object.entries(e.conversations)) {
      if (!isObj(conv)) {
        conversations[id] = conv;
        continue;
      }
      conversations[id] = {
        ...conv,
        ...(Array.isArray(conv.messages) ? { messages: conv.messages.map((m) => purgeMessage(m, counts)) } : {}),
        ...('report' in conv ? { report: purgeReport(conv.report, counts) } : {}),
      };
    }
    e.conversations = conversations;
  }
  // Older or hand-made cases may keep messages at the top level.
  if (Array.isArray(e.messages)) e.messages = e.messages.map((m) => purgeMessage(m, counts));
  e.evidencePurgedAt = at;
  return { evidence: e, counts };
}

/** The case-history note for a purge: counts and the dismissal date, no content. */
export function purgeHistoryNote(counts: EvidencePurgeCounts, dismissedAt: number): string {
  return (
    `message content removed by retention (${counts.messageTexts} message texts, ${counts.excerpts} quoted spans, ` +
    `${counts.attachments} attachment references); dismissed ${new Date(dismissedAt).toISOString().slice(0, 10)}`
  );
}

/** One audit entry per purged case, with a system actor and counts only. */
export function purgeAuditEntry(
  caseId: string,
  counts: EvidencePurgeCounts,
  dismissedAt: number,
  dismissedBefore: number,
  at: number,
): NewAuditEntry {
  return {
    at,
    actor: { system: RETENTION_ACTOR },
    action: EVIDENCE_PURGED_ACTION,
    caseId,
    targetId: null,
    details: { ...counts, dismissedAt, dismissedBefore },
  };
}

export function addCounts(total: CaseEvidencePurgeResult, counts: EvidencePurgeCounts): void {
  total.casesPurged++;
  total.messageTexts += counts.messageTexts;
  total.excerpts += counts.excerpts;
  total.attachments += counts.attachments;
}

/**
 * Cases eligible for purge, oldest dismissal first (params: tenant, dismissedBefore, at, limit). A case under
 * a legal hold (a filed report holds it for a year) is never eligible while the hold lasts.
 */
export const DISMISSED_DUE_SQL = `SELECT id, evidence, version, dismissed_at FROM cases
  WHERE tenant_id = ? AND status = 'dismissed' AND dismissed_at < ? AND (evidence_purged_at IS NULL OR evidence_purged_at < dismissed_at)
    AND NOT EXISTS (SELECT 1 FROM legal_holds lh WHERE lh.tenant_id = cases.tenant_id AND lh.case_id = cases.id AND lh.until > ?)
  ORDER BY dismissed_at, id LIMIT ?`;

/** Params: evidence, evidence_purged_at, tenant, id, version read. No change when the case moved on meanwhile. */
export const APPLY_PURGE_SQL = `UPDATE cases SET evidence = ?, evidence_purged_at = ?, version = version + 1
  WHERE tenant_id = ? AND id = ? AND version = ? AND status = 'dismissed'`;

/**
 * Conversations whose raw message text cases still hold back from message-text retention: those linked
 * to any case except a dismissed one whose evidence retention has removed since its last dismissal.
 * Param: tenant.
 */
export const HELD_CONVERSATIONS_SQL = `SELECT cc.conversation_id FROM case_conversations cc
  JOIN cases c ON c.tenant_id = cc.tenant_id AND c.id = cc.case_id
  WHERE cc.tenant_id = ? AND NOT coalesce(c.status = 'dismissed' AND c.evidence_purged_at >= c.dismissed_at, false)`;
