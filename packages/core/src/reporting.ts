// Reports read from state: a conversation's or an account's risk, with its reasons, and the
// risk level a score falls in.
import { ESCALATION_RULES } from './escalation.ts';
import { explainActor, explainConversation } from './explain.ts';
import type { RiskModel } from './model.ts';
import type { ActorRiskReport, ConversationRiskReport, GroomingStage, RiskLevel, SignalKind } from './reports.ts';
import {
  DAY_MS,
  SIGNAL_INDEX,
  stagesOf,
  type ActorState,
  type ConversationState,
  type ParticipantState,
} from './state.ts';
import { ageOf } from './ages.ts';
import { FAMILY_CAP } from './attribution.ts';
import { FAN_OUT_CONVERSATION_FLOOR, FAN_OUT_RULE, fanOutOf } from './fan-out.ts';

export function conversationReportOf(
  c: ConversationState,
  model: RiskModel,
  watchThreshold: number,
): ConversationRiskReport {
  const suspect = c.suspect >= 0 ? (c.participants[c.suspect] as ParticipantState) : null;
  const target = c.target >= 0 ? (c.participants[c.target] as ParticipantState) : null;
  const stagesReached = suspect ? stagesOf(suspect.stages) : [];
  const sig = suspect?.signals;
  const has = (k: SignalKind) => (sig ? (sig[SIGNAL_INDEX.get(k) as number] as number) > 0.01 : false);
  const report: ConversationRiskReport = {
    conversationId: c.id,
    score: round(c.score),
    level: levelOf(c.score),
    stage: stagesReached.length ? (stagesReached[stagesReached.length - 1] as GroomingStage) : null,
    stagesReached,
    sextortion: {
      leverage: has('sextortion_leverage'),
      threat: has('sextortion_threat'),
      payment: has('sextortion_payment'),
      deadline: has('sextortion_deadline'),
    },
    suspectId: suspect && c.score >= 0.05 ? suspect.actor.userId : null,
    targetId: target && c.score >= 0.05 ? target.actor.userId : null,
    participants: c.participants.map((p) => ({
      userId: p.actor.userId,
      ...ageOf(p.actor),
      messageCount: p.messages,
    })),
    messageCount: c.messageCount,
    firstAt: c.firstAt,
    lastAt: c.lastAt,
    reasons: [],
    evidence: (c.evidence ?? []).slice().sort((a, b) => a.time - b.time),
    watch: c.score >= watchThreshold,
    modelId: model.id ?? 'default',
  };
  const suspectState = c.suspect >= 0 ? c.participants[c.suspect] : undefined;
  report.reasons = explainConversation(report, model, c.features, suspectState?.wordingQuotes ?? null);
  const rule = c.rule !== null ? ESCALATION_RULES.find((r) => r.id === c.rule) : undefined;
  if (rule) report.reasons.unshift(`${rule.reason} (rule ${rule.id}: at least ${rule.floor})`);
  if (c.rule === FAN_OUT_RULE && suspect) {
    const fan = fanOutOf(suspect.actor);
    if (fan)
      report.reasons.unshift(
        `${suspect.actor.userId} sent the same ${fan.intents.join(' + ').replace(/_/g, ' ')} to ${fan.children.length} children within ${fan.withinDays} days (rule fan_out: at least ${FAN_OUT_CONVERSATION_FLOOR})`,
      );
  }
  if (c.family) report.reasons.push(`a participant addressed the other as their parent: capped at ${FAMILY_CAP}`);
  if (suspect?.actor.ageLie)
    report.reasons.push(
      `${suspect.actor.userId} contradicted their own stated age (${suspect.actor.minDisclosed ?? '?'} and ${suspect.actor.maxDisclosed ?? suspect.actor.declaredAge ?? '?'})`,
    );
  return report;
}

export function actorReportOf(a: ActorState, model: RiskModel): ActorRiskReport {
  const age = ageOf(a);
  const report: ActorRiskReport = {
    userId: a.userId,
    score: round(a.score),
    level: levelOf(a.score),
    age: age.age,
    ageSource: age.ageSource,
    accountAgeDays: a.createdAt !== null ? Math.max(0, Math.floor((a.lastAt - a.createdAt) / DAY_MS)) : null,
    distinctMinorsContacted: a.minorsContacted?.size ?? 0,
    firstContacts: a.firstContacts,
    unansweredFirstContacts: a.firstContacts - a.answeredFirstContacts,
    duplicateOpeners: a.duplicateOpeners,
    blocksAgainst: a.blockedBy?.size ?? 0,
    reportsAgainst: a.reportedBy?.size ?? 0,
    riskyConversations: (a.risky ?? []).map((r) => ({ ...r, score: round(r.score) })),
    fanOut: fanOutOf(a),
    modelId: model.id ?? 'default',
    reasons: [],
  };
  report.reasons = explainActor(report);
  return report;
}

export function levelOf(score: number): RiskLevel {
  if (score >= 0.85) return 'critical';
  if (score >= 0.6) return 'high';
  if (score >= 0.4) return 'medium';
  if (score >= 0.2) return 'low';
  return 'none';
}

export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
