// Account risk: behaviour across conversations (children contacted, unanswered first
// contacts, copy-pasted openers, blocks and reports) joined with the account's risky
// conversations and its fan-out.
import type { FanOutView } from './reports.ts';
import { DAY_MS, furthestStage, type ActorState, type ConversationState, type ParticipantState } from './state.ts';
import { ageOf } from './ages.ts';
import { FAN_OUT_CHILDREN, FAN_OUT_FLOOR } from './fan-out.ts';

const MAX_OPENERS = 32;
const MAX_RISKY_CONVERSATIONS = 5;

/** Records a conversation opener; true when it repeats one sent before (copy-paste). */
export function noteOpener(actor: ActorState, tokens: string[], count: number): boolean {
  const h = simhash32(tokens, count);
  const openers = (actor.openers ??= []);
  for (let k = 0; k < openers.length; k++) {
    if (popcount32((openers[k] as number) ^ h) <= 3) {
      actor.duplicateOpeners++;
      return true;
    }
  }
  if (openers.length < MAX_OPENERS) openers.push(h);
  return false;
}

export function noteRiskyConversation(actor: ActorState, c: ConversationState): void {
  if (c.score < 0.05) return;
  const list = (actor.risky ??= []);
  const stage = furthestStage((c.participants[c.suspect] as ParticipantState).stages);
  const existing = list.find((r) => r.conversationId === c.id);
  if (existing) {
    existing.score = c.score;
    existing.stage = stage;
  } else list.push({ conversationId: c.id, score: c.score, stage });
  list.sort((a, b) => b.score - a.score);
  if (list.length > MAX_RISKY_CONVERSATIONS) list.length = MAX_RISKY_CONVERSATIONS;
}

export function actorScore(a: ActorState, t: number, fanOut: FanOutView | null): number {
  const info = ageOf(a);
  const notChild = info.isMinor !== true;
  let z = -4;
  // Mass outreach matters when an adult (or unknown) does it; children message each other in bulk.
  if (notChild) {
    z += 1.2 * Math.log1p(a.minorsContacted?.size ?? 0);
    z += 0.8 * Math.log1p(a.friendRequestsToMinors);
    const unanswered = a.firstContacts - a.answeredFirstContacts;
    if (a.firstContacts >= 5) z += (1.5 * (unanswered / a.firstContacts) * Math.log1p(a.firstContacts)) / 3;
    z += 1.0 * Math.log1p(a.duplicateOpeners);
  }
  z += 1.2 * Math.log1p(a.blockedBy?.size ?? 0);
  z += 1.5 * Math.log1p(a.reportedBy?.size ?? 0);
  if (a.createdAt !== null && t - a.createdAt < 7 * DAY_MS) z += 0.5;
  if (info.isMinor === false) z += 0.3;
  const behaviour = 1 / (1 + Math.exp(-z));
  // Noisy-or with the conversations where this account is the suspect: several risky
  // conversations with different children add up.
  let none = 1 - behaviour;
  for (const r of a.risky ?? []) if (r.score >= 0.2) none *= 1 - r.score;
  if (fanOut !== null)
    none = Math.min(none, 1 - (FAN_OUT_FLOOR + 0.05 * Math.min(3, fanOut.children.length - FAN_OUT_CHILDREN)));
  return 1 - none;
}

const simhashVotes = new Int32Array(32);
function simhash32(tokens: string[], count: number): number {
  const v = simhashVotes; // scratch: simhash32 runs to completion, so one buffer serves every call
  v.fill(0);
  for (let k = 0; k < count; k++) {
    const tok = tokens[k] as string;
    let h = 0x811c9dc5;
    for (let i = 0; i < tok.length; i++) h = Math.imul(h ^ tok.charCodeAt(i), 0x01000193);
    for (let b = 0; b < 32; b++) v[b] = (v[b] as number) + ((h >>> b) & 1 ? 1 : -1);
  }
  let out = 0;
  for (let b = 0; b < 32; b++) if ((v[b] as number) > 0) out |= 1 << b;
  return out >>> 0;
}

function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
