// A case as a queue row: the urgency as of now and the reasons behind it, in words.
import { urgencyAt, urgencyKey, type QueueCase } from '@lifeguard/storage';
import { fanOutReason } from '../cases/actorCase.ts';
import type { QueueItem } from './wire.ts';

export function waited(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} days`;
}

export function queueItem(q: QueueCase, now: number): QueueItem {
  const s = q.queue;
  const reasons: string[] = [];
  if (s.appeal) reasons.push('appeal');
  if (s.bankMatch) reasons.push('known-image match');
  if (s.fanOut && s.fanOut.children > 0) reasons.push(fanOutReason(s.fanOut));
  if (s.sextortion) reasons.push(s.sextortionDeadline ? 'sextortion script with a deadline' : 'sextortion script');
  if (s.childAge !== null) reasons.push(`child aged ${s.childAge}`);
  reasons.push(`${q.level} risk (${q.score.toFixed(2)})`);
  if (s.stage && s.stage !== 'sextortion') reasons.push(`stage: ${s.stage.replace(/_/g, ' ')}`);
  reasons.push(`waiting ${waited(now - s.waitingSince)}`);
  const claimLive = s.claimedBy !== null && (s.claimExpiresAt ?? 0) > now;
  return {
    id: q.id,
    accusedId: q.accusedId,
    status: q.status,
    level: q.level,
    score: q.score,
    urgency: Math.round(urgencyAt(s.urgencyBase, s.waitingSince, now) * 10) / 10,
    reasons,
    childAge: s.childAge,
    /** The youngest child involved (null when no child is known, or the case was not saved since migration 12). */
    childId: s.childId,
    childCount: s.childCount,
    sextortion: s.sextortion,
    bankMatch: s.bankMatch,
    stage: s.stage,
    openedAt: q.openedAt,
    updatedAt: q.updatedAt,
    waitingSince: s.waitingSince,
    claimedBy: claimLive ? s.claimedBy : null,
    claimExpiresAt: claimLive ? s.claimExpiresAt : null,
    appeal: s.appeal,
    conversationCount: q.conversationIds.length,
  };
}

export type { QueueItem };

/** The stored sort key of a queue row (for merging views). */
export function sortKeyOf(q: QueueCase): number {
  return urgencyKey(q.queue.urgencyBase, q.queue.waitingSince);
}
