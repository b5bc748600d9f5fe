// Decisions through the enforcement ladder. A decision needs the claim, a reason from the step's list
// and a note; it changes the case, records the action against the account, enqueues the platform's
// webhook and writes the audit entry in one transaction (Storage.decideCase).
import {
  type AuditEntry,
  ConflictError,
  NotFoundError,
  type CaseStatus,
  type QueueCase,
  type StaffUser,
} from '@lifeguard/storage';
import { z } from 'zod';
import type { ServiceContext } from '../context.ts';
import { caseSummary } from '../cases/caseManager.ts';
import { parseOr400 } from '../http/errors.ts';
import { ConsoleError, caseNotFound, forbidden } from './errors.ts';
import { DECISION_ACTIONS, type LadderStep } from './ladder.ts';
import { atLeast } from './session.ts';

export const CLAIM_MS = 30 * 60_000;

export const decisionBody = z.strictObject({
  action: z.enum(DECISION_ACTIONS),
  reason: z.string().min(1).max(40),
  note: z
    .string()
    .trim()
    .min(10, 'a note of at least 10 characters is required: say what you saw and why you decided this')
    .max(4000),
  durationHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .optional(),
  expectedVersion: z.number().int().min(1),
});

export function isClosed(status: CaseStatus): boolean {
  return status === 'actioned' || status === 'dismissed';
}

/** Escalated cases are for specialists and admins. */
export function mayWork(q: Pick<QueueCase, 'status'>, user: StaffUser): boolean {
  return q.status !== 'escalated' || atLeast(user.role, 'specialist');
}

function stepAllowed(step: LadderStep, q: QueueCase, user: StaffUser): boolean {
  if (!atLeast(user.role, step.requiresRole)) return false;
  if (step.action === 'escalate' && q.status === 'escalated') return false;
  return true;
}

/** What this user can do on this case right now: claim/release, decisions (when holding the claim), note, reveal. */
export function allowedActions(ctx: ServiceContext, q: QueueCase, user: StaffUser, now: number): string[] {
  const out = ['note', 'reveal'];
  if (isClosed(q.status) || !mayWork(q, user)) return out;
  const live = q.queue.claimedBy !== null && (q.queue.claimExpiresAt ?? 0) > now;
  const mine = live && q.queue.claimedBy!.id === user.id;
  if (mine) {
    out.push('release');
    for (const step of ctx.policy.enforcement.steps) if (stepAllowed(step, q, user)) out.push(step.action);
  } else if (!live && q.queue.excludedReviewer !== user.id) {
    out.push('claim');
  }
  return out;
}

const STATUS_AFTER: Record<string, CaseStatus> = { dismiss: 'dismissed', escalate: 'escalated' };

export async function decide(ctx: ServiceContext, tenantId: string, caseId: string, user: StaffUser, body: unknown) {
  const d = parseOr400(decisionBody, body, 'decision');
  const step = ctx.policy.enforcement.steps.find((s) => s.action === d.action);
  if (!step)
    throw new ConsoleError(400, 'invalid_request', `"${d.action}" is not on this service's enforcement ladder`, {}, [
      `action: one of ${ctx.policy.enforcement.steps.map((s) => s.action).join(', ')}`,
    ]);
  if (!step.reasons.includes(d.reason))
    throw new ConsoleError(400, 'invalid_request', 'invalid decision', {}, [
      `reason: for ${d.action}, one of ${step.reasons.join(', ')}`,
    ]);
  if (step.needsDuration && d.durationHours === undefined)
    throw new ConsoleError(400, 'invalid_request', 'invalid decision', {}, [`durationHours: required for ${d.action}`]);
  if (!atLeast(user.role, step.requiresRole)) throw forbidden(`${d.action} an account (needs ${step.requiresRole})`);

  const current = await ctx.storage.getCase(tenantId, caseId);
  const q = await ctx.storage.getQueueCase(tenantId, caseId);
  if (!current || !q) throw caseNotFound(caseId);
  if (!mayWork(q, user)) throw forbidden('work escalated cases (specialists and admins do)');
  if (isClosed(current.status)) throw new ConsoleError(409, 'conflict', `case ${caseId} is already ${current.status}`);
  if (!stepAllowed(step, q, user)) throw new ConsoleError(409, 'conflict', `case ${caseId} is already escalated`);

  const now = Date.now();
  const to: CaseStatus = STATUS_AFTER[d.action] ?? 'actioned';
  const updated = { ...current, status: to, updatedAt: now, version: current.version + 1 };
  const actorName = user.name;
  const enforcement = step.webhookEvent !== null && d.action !== 'dismiss' && d.action !== 'escalate';
  const notify = [
    {
      type: 'case.transitioned',
      payload: { ...caseSummary(updated, `${d.action}: ${d.reason}`), from: current.status, to, actor: actorName },
    },
  ];
  if (step.webhookEvent) {
    notify.push({
      type: step.webhookEvent,
      payload: {
        caseId,
        accountId: current.accusedId,
        action: d.action,
        reason: d.reason,
        ...(d.durationHours !== undefined ? { durationHours: d.durationHours } : {}),
        decidedBy: user.id,
        decidedAt: now,
      } as never,
    });
  }
  let audit: AuditEntry;
  try {
    audit = await ctx.storage.decideCase(tenantId, {
      caseRecord: updated,
      expectedVersion: d.expectedVersion,
      decidedBy: user.id,
      now,
      history: {
        at: now,
        actor: actorName,
        action: 'transition',
        fromStatus: current.status,
        toStatus: to,
        note: `${d.action} (${d.reason}): ${d.note}`,
      },
      notify,
      action: enforcement
        ? {
            accountId: current.accusedId,
            caseId,
            action: d.action,
            reason: d.reason,
            durationHours: d.durationHours ?? null,
            decidedBy: user.id,
            decidedByName: actorName,
            at: now,
          }
        : null,
      audit: {
        at: now,
        actor: { id: user.id, name: user.name, role: user.role },
        action: 'case.decision',
        caseId,
        targetId: current.accusedId,
        details: {
          action: d.action,
          reason: d.reason,
          note: d.note,
          ...(d.durationHours !== undefined ? { durationHours: d.durationHours } : {}),
          from: current.status,
          to,
          version: updated.version,
        },
      },
    });
  } catch (err) {
    if (err instanceof ConflictError && (err as ConflictError & { code?: string }).code === 'not_claimed')
      throw new ConsoleError(409, 'not_claimed', err.message);
    if (err instanceof ConflictError)
      throw new ConsoleError(
        409,
        'conflict',
        `case ${caseId} changed since version ${d.expectedVersion} (new evidence or another reviewer); reload it and decide again`,
      );
    if (err instanceof NotFoundError) throw caseNotFound(caseId);
    throw err;
  }
  if (d.action === 'disable') {
    // Ban evasion decides which reasons link new accounts; every disable is recorded.
    await ctx.banEvasion.recordBan(tenantId, current.accusedId, {
      reason: d.reason,
      caseId,
      actor: actorName,
      at: now,
    });
  }
  return { audit, updated };
}
