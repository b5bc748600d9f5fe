// Fan-out: the same pair of intents sent to several children by one account, whatever the
// wording, and the floors it sets on the account and on each of those conversations.
import type { FanOutView, SignalKind } from './reports.ts';
import {
  DAY_MS,
  S,
  type ActorState,
  type ConversationState,
  type FanOutEntry,
  type ParticipantState,
} from './state.ts';
import { ageOf, isMinorOf, isPeerOf, minorStrength } from './ages.ts';

export const MAX_FAN_OUT = 32;
/** Fan-out counts children reached within this window of first contacts. */
const FAN_OUT_WINDOW_MS = 7 * DAY_MS;
/** Children an account must send the same intent pair to before fan-out alone raises its risk. */
export const FAN_OUT_CHILDREN = 3;
/** For an account that is itself a child (peers message many peers), more are needed. */
const FAN_OUT_CHILDREN_FROM_MINOR = 4;
/** Signal kinds that make up an account's intents toward a child, for fan-out. */
const INTENT_KINDS: readonly SignalKind[] = [
  'flattery',
  'age_probe',
  'age_attributed',
  'platform_move',
  'personal_info',
  'secrecy',
  'isolation',
  'image_request',
  'gift',
  'money',
  'relationship',
  'meeting',
  'sexualisation',
];
/**
 * Intents about the child's age. Asking or remarking on a child's age, then anything else from
 * INTENT_KINDS, is a pair of its own for fan-out: offenders vary the second step between
 * children ("add me on snap" to one, "ur on ur own?" to the next) but check every child's age.
 */
const AGE_INTENTS = (1 << INTENT_KINDS.indexOf('age_probe')) | (1 << INTENT_KINDS.indexOf('age_attributed'));
export const FAN_OUT_RULE = 'fan_out';
export const FAN_OUT_CONVERSATION_FLOOR = 0.6;
/** Actor score floor when one intent pair reached several children: high, whatever the wording. */
export const FAN_OUT_FLOOR = 0.75;

/**
 * The largest set of children an account reached with the same pair of intents within the
 * fan-out window, or null below the fan-out count (higher for an account that is a child).
 */
export function fanOutOf(a: ActorState): FanOutView | null {
  if (!a.fanOut || a.fanOut.size < FAN_OUT_CHILDREN) return null;
  // A child account needs more, unless the children it reached are years younger (not peers).
  const minor = isMinorOf(a) === true;
  const entries = [...a.fanOut.entries()];
  let best: [string, FanOutEntry][] | null = null;
  let bestPair = 0;
  // Every pair of intents, then (pair -1) the age check followed by any other step.
  const pairs: number[] = [];
  for (let i = 0; i < INTENT_KINDS.length; i++)
    for (let j = i + 1; j < INTENT_KINDS.length; j++) pairs.push((1 << i) | (1 << j));
  pairs.push(-1);
  for (const pair of pairs) {
    const holds =
      pair === -1
        ? (kinds: number) => (kinds & AGE_INTENTS) !== 0 && (kinds & ~AGE_INTENTS) !== 0
        : (kinds: number) => (kinds & pair) === pair;
    const hits = entries.filter(([, e]) => holds(e.kinds)).sort((x, y) => x[1].at - y[1].at);
    // The most children within one window of first contacts.
    let from = 0;
    for (let to = 0; to < hits.length; to++) {
      while (
        (hits[to] as [string, FanOutEntry])[1].at - (hits[from] as [string, FanOutEntry])[1].at >
        FAN_OUT_WINDOW_MS
      )
        from++;
      const n = to - from + 1;
      let needed = FAN_OUT_CHILDREN;
      if (minor && hits.slice(from, to + 1).every(([, e]) => e.peer)) needed = FAN_OUT_CHILDREN_FROM_MINOR;
      if (n >= needed && (best === null || n > best.length)) {
        best = hits.slice(from, to + 1);
        bestPair = pair;
      }
    }
  }
  if (best === null) return null;
  let shared = bestPair; // -1 (the age check and any step) keeps every bit the children share
  for (const [, e] of best) shared &= e.kinds;
  // The age check followed by varied steps: name the age intents the children have in common.
  if (bestPair === -1 && (shared & AGE_INTENTS) === 0) shared = AGE_INTENTS;
  const intents = INTENT_KINDS.filter((_, k) => (shared & (1 << k)) !== 0);
  const first = (best[0] as [string, FanOutEntry])[1].at;
  const last = (best[best.length - 1] as [string, FanOutEntry])[1].at;
  const ordered = best.slice().reverse();
  const inFanOut = new Set(best.map(([child]) => child));
  const alsoConversations = entries
    .filter(
      ([child, e]) => !inFanOut.has(child) && e.at >= first - FAN_OUT_WINDOW_MS && e.at <= last + FAN_OUT_WINDOW_MS,
    )
    .map(([, e]) => e.conversationId);
  return {
    children: ordered.map(([child]) => child),
    intents,
    conversations: ordered.map(([, e]) => e.conversationId),
    alsoConversations,
    withinDays: Math.max(0, Math.round(((last - first) / DAY_MS) * 10) / 10),
  };
}

/**
 * Records, for each participant sending intents to a likely child in a one-to-one
 * conversation, which intent kinds reached which child: the same pair reaching several
 * children is fan-out, whatever the wording.
 */
export function noteFanOut(c: ConversationState, pending: Set<ActorState>): void {
  if (c.participants.length !== 2 || c.extraParticipants > 0) return;
  for (let i = 0; i < 2; i++) {
    const p = c.participants[i] as ParticipantState;
    const other = (c.participants[1 - i] as ParticipantState).actor;
    if (!p.signals || minorStrength(other) < 0.5) continue;
    let kinds = 0;
    for (let k = 0; k < INTENT_KINDS.length; k++)
      if ((p.signals[S[INTENT_KINDS[k] as SignalKind]] as number) > 0.05) kinds |= 1 << k;
    // One intent alone is ordinary chat and never makes a fan-out (fanOutOf needs a pair), but it
    // is kept: once the account's fan-out is found, its other child contacts in the same days
    // (alsoConversations) are part of the same case.
    if (kinds === 0) continue;
    const map = (p.actor.fanOut ??= new Map());
    const existing = map.get(other.userId);
    const peer = isPeerOf(ageOf(p.actor), ageOf(other));
    if (existing) {
      existing.kinds |= kinds;
      existing.conversationId = c.id;
      existing.peer = peer;
    } else if (map.size < MAX_FAN_OUT) map.set(other.userId, { conversationId: c.id, kinds, at: c.firstAt, peer });
    else continue;
    if (fanOutOf(p.actor) !== null) pending.add(p.actor);
  }
}
