// What the child sees: the engine's report turned into a short warning in plain words. The
// engine's own reasons are written for moderators (account ids, scores, rules); these name what
// the other person did. Apps that show another language map `reason.kind` to their own text.
import type { ConversationRiskReport, RiskLevel, SignalKind } from '@lifeguard/core';

/** Levels from which a warning may be shown, lowest first. */
export const WARNING_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type WarningLevel = (typeof WARNING_LEVELS)[number];

const LEVEL_RANK: Record<RiskLevel, number> = { none: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** Orders risk levels: negative when a is lower than b. */
export function compareLevels(a: RiskLevel, b: RiskLevel): number {
  return LEVEL_RANK[a] - LEVEL_RANK[b];
}

/**
 * The child-facing sentence for each kind of thing the other person did. Kinds missing here are
 * about the child (their own age, their distress) and are never listed as a reason.
 */
export const CHILD_REASONS: Partial<Record<SignalKind, string>> = {
  age_disclosure_adult: 'They said they are an adult.',
  age_probe: 'They keep asking how old you are.',
  age_attributed: 'They point out how young you are.',
  age_lie: 'They changed the age they told you.',
  personal_info: 'They asked where you live or go to school.',
  phone_number: 'They shared or asked for a phone number.',
  platform_move: 'They want to move the chat to another app, where fewer people can see it.',
  secrecy: 'They asked you to keep this chat secret.',
  isolation: 'They asked if you are alone, or said the people around you would not understand.',
  flattery: 'They give you lots of compliments, like saying you are very mature.',
  relationship: 'They talk about love or being in a relationship with you.',
  gift: 'They offered you gifts, game money or gift cards.',
  money: 'They talked about sending or asking for money.',
  image_request: 'They asked for photos or videos of you, or to turn on your camera.',
  meeting: 'They want to meet you in person.',
  sexualisation: 'They asked personal questions that are not OK from someone you met online.',
  sextortion_leverage: 'They say they have pictures or recordings of you.',
  sextortion_threat: 'They threaten to share something about you.',
  sextortion_payment: 'They are asking you to pay them.',
  sextortion_deadline: 'They are rushing you with a deadline.',
};

export interface WarningReason {
  kind: SignalKind;
  /** One sentence for the child. */
  text: string;
  /** The messages it came from, oldest first (for the app to highlight). */
  messageIds: string[];
}

export interface Warning {
  conversationId: string;
  level: RiskLevel;
  /** The account the warning is about (the other person), when the engine could tell. */
  aboutUserId: string | null;
  /** The other person claims leverage (pictures, recordings) or threatens: the advice changes. */
  sextortion: boolean;
  title: string;
  message: string;
  /** What the other person did, in the order it first happened. */
  reasons: WarningReason[];
  /** What the child can do, most important first. */
  advice: string[];
}

const ADVICE = [
  'You have not done anything wrong.',
  'You can block or report them, and you do not have to reply.',
  'Talk to an adult you trust, like a parent, a carer or a teacher.',
];

const SEXTORTION_ADVICE = [
  'This is not your fault, and you are not in trouble.',
  'Do not pay and do not send anything else. Stop replying, but keep the messages.',
  'Tell an adult you trust now. Report the account: they can help take pictures down.',
];

/** The warning for a report, from the child's side; null when the child is the one the risk comes from. */
export function warningFromReport(report: ConversationRiskReport, childId: string): Warning | null {
  if (report.suspectId === childId) return null;
  const byKind = new Map<SignalKind, WarningReason>();
  for (const e of report.evidence) {
    if (e.senderId === childId) continue;
    const text = CHILD_REASONS[e.kind];
    if (text === undefined) continue;
    const reason = byKind.get(e.kind) ?? { kind: e.kind, text, messageIds: [] };
    if (!reason.messageIds.includes(e.messageId)) reason.messageIds.push(e.messageId);
    byKind.set(e.kind, reason);
  }
  // Leverage or a threat makes it sextortion; a payment or deadline cue alone can be an offer.
  const sextortion = report.sextortion.leverage || report.sextortion.threat;
  const serious = compareLevels(report.level, 'high') >= 0;
  return {
    conversationId: report.conversationId,
    level: report.level,
    aboutUserId: report.suspectId,
    sextortion,
    title: sextortion
      ? 'Someone is pressuring you'
      : serious
        ? 'This chat shows warning signs'
        : 'Take care in this chat',
    message: sextortion
      ? 'This person is using threats or asking for money. This is a known trick, and help is available.'
      : 'Some messages in this chat look like ways people try to gain the trust of young people online.',
    reasons: [...byKind.values()],
    advice: sextortion ? SEXTORTION_ADVICE : ADVICE,
  };
}
