// What an account-level (actor) alert puts in its case: the conversations behind it, the children
// it reached and a reason in words. Pure, so it is tested with hand-built reports; the engine may or
// may not fill `fanOut` (older engines and snapshots leave it out).
import type { ActorRiskReport, Alert, FanOutView } from '@lifeguard/core';

/** Conversations a case holds at most (mergeEvidence keeps the newest this many). */
export const MAX_CASE_CONVERSATIONS = 20;
/** The riskiest conversations of the account copied into an actor case, besides the fan-out ones. */
const RISKY_CONVERSATIONS_COPIED = 3;

/** "flattery + age probe": the intent sequence in words. */
export function intentWords(intents: readonly string[]): string {
  return intents.map((k) => k.replace(/_/g, ' ')).join(' + ');
}

/** "in 2 days", or "within a day". */
export function spanWords(days: number): string {
  if (!Number.isFinite(days) || days <= 1) return 'within a day';
  return `in ${Math.ceil(days)} days`;
}

/** "same flattery + age probe sent to 4 children in 2 days". */
export function fanOutReason(fanOut: { intents: readonly string[]; children: number; withinDays: number }): string {
  const n = fanOut.children;
  const what = fanOut.intents.length > 0 ? `same ${intentWords(fanOut.intents)}` : 'same messages';
  return `${what} sent to ${n} ${n === 1 ? 'child' : 'children'} ${spanWords(fanOut.withinDays)}`;
}

/** A usable fan-out: the engine may leave it undefined or null, or (from a hostile snapshot) malformed. */
export function fanOutOf(actor: ActorRiskReport | null | undefined): FanOutView | null {
  const f = actor?.fanOut;
  if (!f || !Array.isArray(f.children) || !Array.isArray(f.conversations) || !Array.isArray(f.intents)) return null;
  // Engines before reworded fan-out leave alsoConversations out.
  return Array.isArray(f.alsoConversations) ? f : { ...f, alsoConversations: [] };
}

export interface ActorCaseContent {
  /** Fan-out conversations first (the shared pair, then reworded ones), then the account's riskiest others; at most MAX_CASE_CONVERSATIONS. */
  conversationIds: string[];
  /** The children the account reached in the fan-out (the engine's order: most recent first). */
  childIds: string[];
  /** The history note and webhook reason. */
  reason: string;
}

/** The conversations, children and reason of an actor alert's case. */
export function actorCaseContent(
  alert: Pick<Alert, 'subjectId' | 'level' | 'score'>,
  actor: ActorRiskReport | null,
): ActorCaseContent {
  const fanOut = fanOutOf(actor);
  const ids: string[] = [];
  const add = (id: string) => {
    if (typeof id === 'string' && id !== '' && !ids.includes(id) && ids.length < MAX_CASE_CONVERSATIONS) ids.push(id);
  };
  for (const id of fanOut?.conversations ?? []) add(id);
  for (const id of fanOut?.alsoConversations ?? []) add(id);
  for (const c of (actor?.riskyConversations ?? []).slice(0, RISKY_CONVERSATIONS_COPIED)) add(c.conversationId);
  const base = `account ${alert.subjectId} reached ${alert.level} risk (${alert.score.toFixed(2)})`;
  return {
    conversationIds: ids,
    childIds: fanOut
      ? [...new Set(fanOut.children.filter((c) => typeof c === 'string' && c !== '' && c !== alert.subjectId))]
      : [],
    reason:
      fanOut && fanOut.children.length > 0
        ? `${base}: ${fanOutReason({ ...fanOut, children: new Set(fanOut.children).size })}`
        : base,
  };
}
