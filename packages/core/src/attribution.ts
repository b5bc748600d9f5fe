// Suspect attribution: each participant is scored as a possible suspect against the most
// vulnerable other one, and the conversation takes the score of the one who reads as the suspect.
import type { EscalationRule } from './escalation.ts';
import { scoreFeatures, type RiskModel } from './model.ts';
import { S, STAGE_BIT, type ActorState, type ConversationState, type ParticipantState } from './state.ts';
import { minorStrength } from './ages.ts';
import { EMPTY_FEATURES, conversationFeatures, escalation, riskSignalTotal } from './conversation-features.ts';
import { FAN_OUT_CONVERSATION_FLOOR, FAN_OUT_RULE, fanOutOf, noteFanOut } from './fan-out.ts';

/** Score cap for a conversation with a participant's own parent. */
export const FAMILY_CAP = 0.35;
/** Where banter between friends stays: the watch level, below the alert. */
export const BANTER_CAP = 0.45;

/**
 * Sextortion-only talk with no demand for money or pictures, laughed at by either side and never
 * pleaded about: what friends' mock threats look like (see onMessage's laughsOff). A real script
 * leaves this as soon as it asks for money or pictures.
 */
function isBanter(suspect: ParticipantState, target: ParticipantState): boolean {
  if (target.laughedOff + suspect.laughedOff === 0 || suspect.signals === null) return false;
  if (((target.signals?.[S.distress] as number | undefined) ?? 0) > 0.05) return false;
  const sig = suspect.signals;
  if ((sig[S.sextortion_payment] as number) > 0.05 || (sig[S.image_request] as number) > 0.05) return false;
  const beyondSextortion =
    suspect.stages & ~((STAGE_BIT.get('access') as number) | (STAGE_BIT.get('sextortion') as number));
  return beyondSextortion === 0;
}
const MAX_ESCALATION_PARTICIPANTS = 3;

/** Scores each participant as a possible suspect against the most vulnerable other one. */
export function rescore(c: ConversationState, model: RiskModel, pending: Set<ActorState>): void {
  const ps = c.participants;
  let best = 0;
  let bestSuspect = -1;
  let bestTarget = -1;
  let bestFeatures: Float64Array | null = null;
  let totalSignals = 0;
  for (const p of ps) if (p.signals) totalSignals += riskSignalTotal(p.signals);
  let bestRule: EscalationRule | null = null;
  // A likely child is never the suspect when someone not known to be a child also carries
  // risk: children answer, ask back and panic, and those words must not name them.
  let bestAdultish = -1;
  let bestAdultishScore = 0;
  const scored: { score: number; target: number; features: Float64Array; rule: EscalationRule | null }[] = [];
  for (let s = 0; s < ps.length; s++) {
    const suspect = ps[s] as ParticipantState;
    if (!suspect.signals) {
      scored.push({ score: -1, target: -1, features: EMPTY_FEATURES, rule: null });
      continue;
    }
    const target = pickTarget(ps, s);
    const targetState = target >= 0 ? (ps[target] as ParticipantState) : null;
    const f = conversationFeatures(c, suspect, targetState, totalSignals);
    let score = scoreFeatures(model, f);
    // Escalation rules describe private grooming: not busy group chats, where wording travels.
    const rule =
      c.family || ps.length + c.extraParticipants > MAX_ESCALATION_PARTICIPANTS
        ? null
        : escalation(suspect, targetState, f, c);
    if (rule && rule.floor > score) score = rule.floor;
    // A parent's messages to their own child ("are you alone? send me a pic so i know you're
    // ok") stay on the watch level at most: reviewable, never an alert on wording alone.
    if (c.family && score > FAMILY_CAP) score = FAMILY_CAP;
    // A threat with no demand for money or pictures, laughed off by the other side and never
    // pleaded with, is friends' banter ("or the clip goes on the group chat" / "you wouldnt
    // dare 😂"): kept on the watch level, not an alert.
    if (score > BANTER_CAP && targetState !== null && isBanter(suspect, targetState)) score = BANTER_CAP;
    scored.push({ score, target, features: f, rule: rule && rule.floor >= score ? rule : null });
    if (score > best || bestSuspect < 0) {
      best = score;
      bestSuspect = s;
    }
    if (minorStrength(suspect.actor) < 0.5 && score > bestAdultishScore) {
      bestAdultish = s;
      bestAdultishScore = score;
    }
  }
  if (
    bestSuspect >= 0 &&
    bestAdultish >= 0 &&
    bestAdultish !== bestSuspect &&
    minorStrength((ps[bestSuspect] as ParticipantState).actor) >= 0.5 &&
    bestAdultishScore >= 0.05
  ) {
    bestSuspect = bestAdultish;
    best = bestAdultishScore;
  }
  if (bestSuspect >= 0) {
    const chosen = scored[bestSuspect] as (typeof scored)[number];
    bestTarget = chosen.target;
    bestFeatures = chosen.features;
    bestRule = chosen.rule;
  }
  c.score = best;
  c.suspect = bestSuspect;
  c.target = bestTarget;
  c.features = bestFeatures;
  c.rule = bestRule?.id ?? null;
  noteFanOut(c, pending);
  // Part of an account's fan-out to several children: each conversation is worth a look.
  if (bestSuspect >= 0 && c.score < FAN_OUT_CONVERSATION_FLOOR && !c.family) {
    const fan = fanOutOf((ps[bestSuspect] as ParticipantState).actor);
    if (fan && (fan.conversations.includes(c.id) || fan.alsoConversations.includes(c.id))) {
      c.score = FAN_OUT_CONVERSATION_FLOOR;
      c.rule = FAN_OUT_RULE;
    }
  }
}

export function pickTarget(ps: ParticipantState[], suspect: number): number {
  let best = -1;
  let bestStrength = -1;
  for (let i = 0; i < ps.length; i++) {
    if (i === suspect) continue;
    const strength = minorStrength((ps[i] as ParticipantState).actor) * 10 + (ps[i] as ParticipantState).messages / 1e6;
    if (strength > bestStrength) {
      best = i;
      bestStrength = strength;
    }
  }
  return best;
}
