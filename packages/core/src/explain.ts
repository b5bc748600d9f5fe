// Turns scores into sentences a moderator can read and a report can quote. Every reason is
// derived from the same feature contributions and evidence that produced the score.
import { CONVERSATION_FEATURES, contributions, type ConversationFeature, type RiskModel } from './model.ts';
import type { WordingQuote } from './wording.ts';
import type { ActorRiskReport, ConversationRiskReport, Evidence, SignalKind } from './reports.ts';

const FEATURE_SIGNALS: Partial<Record<ConversationFeature, SignalKind[]>> = {
  age_probe: ['age_probe'],
  personal_info: ['personal_info'],
  platform_move: ['platform_move', 'phone_number'],
  secrecy: ['secrecy'],
  risk_assessment: ['isolation'],
  isolation: ['isolation'],
  flattery: ['flattery'],
  relationship: ['relationship'],
  gift_money: ['gift', 'money'],
  image_request: ['image_request'],
  meeting: ['meeting'],
  sexualisation: ['sexualisation'],
  sextortion_leverage: ['sextortion_leverage'],
  sextortion_threat: ['sextortion_threat'],
  sextortion_payment: ['sextortion_payment'],
  sextortion_deadline: ['sextortion_deadline'],
  target_distress: ['distress'],
};

const SENTENCES: Record<ConversationFeature, string> = {
  target_minor: 'the other participant is a child',
  suspect_adult: 'the suspect is an adult',
  suspect_minor: 'the suspect is a child too (peers)',
  age_gap: 'large age gap between the participants',
  age_probe: "asked the child's age or school year",
  personal_info: 'asked for personal details (location, school, number)',
  platform_move: 'tried to move the conversation to another app or a phone number',
  secrecy: 'asked for secrecy or deletion of messages',
  risk_assessment: "checked whether the child's parents are around or the child is alone",
  isolation: 'set the child against family or friends',
  flattery: 'flattery',
  relationship: 'romantic or relationship talk',
  gift_money: 'offered gifts, game currency or money',
  image_request: 'asked for pictures, video or the camera',
  meeting: 'proposed meeting in person',
  sexualisation: 'sexualised talk',
  sextortion_leverage: 'claimed to hold images or personal information',
  sextortion_threat: 'threatened to share images or expose the child',
  sextortion_payment: 'demanded payment',
  sextortion_deadline: 'set a deadline',
  stages_reached: 'several grooming stages in one conversation',
  sextortion_script: 'follows the sextortion script (leverage, threat, payment)',
  target_distress: 'the child expressed distress',
  one_to_one: 'one-to-one conversation',
  group_size: 'group conversation (weighs less)',
  minor_x_grooming: 'grooming behaviour directed at a child',
  asymmetry: 'the risk comes from one side of the conversation',
  offender_wording: "wording like offenders' messages",
};

/** One quoted message: its excerpt (or the note that retention removed it) and its id. */
function quoted(item: { excerpt: string; messageId: string; textRemoved?: true }): string {
  return `"${item.textRemoved ? '[text removed by retention]' : item.excerpt}" (${item.messageId})`;
}

function quote(ev: Evidence[], kinds: SignalKind[], senderId: string | null): string {
  const hits = ev.filter((e) => kinds.includes(e.kind) && (senderId === null || e.senderId === senderId));
  if (hits.length === 0) return '';
  const shown = hits.slice(0, 2).map(quoted);
  return `: ${shown.join(', ')}${hits.length > 2 ? ` and ${hits.length - 2} more` : ''}`;
}

export function explainConversation(
  report: ConversationRiskReport,
  model: RiskModel,
  features: Float64Array | null,
  /** The suspect's most offender-like messages (wording.ts), most offender-like first. */
  wordingQuotes: readonly WordingQuote[] | null = null,
): string[] {
  if (!features) return [];
  const contrib = contributions(model, features);
  const order = contrib
    .map((v, i) => [v, i] as const)
    .filter(([v]) => v > 0.15)
    .sort((a, b) => b[0] - a[0]);
  const reasons: string[] = [];
  const child = report.participants.find((p) => p.userId === report.targetId);
  const suspect = report.participants.find((p) => p.userId === report.suspectId);
  for (const [, i] of order) {
    const feature = CONVERSATION_FEATURES[i] as ConversationFeature;
    let text = SENTENCES[feature];
    if (feature === 'target_minor' && child) {
      text =
        child.age !== null
          ? `${child.userId} is ${child.age} (${child.ageSource})`
          : `${child.userId} appears to be a child (${child.ageSource} cues)`;
    } else if (feature === 'suspect_adult' && suspect) {
      text =
        suspect.age !== null
          ? `${suspect.userId} is ${suspect.age} (${suspect.ageSource})`
          : `${suspect.userId} is an adult (${suspect.ageSource})`;
    } else if (feature === 'offender_wording' && wordingQuotes && wordingQuotes.length > 0) {
      text += `: ${wordingQuotes.slice(0, 2).map(quoted).join(', ')}`;
    } else if (feature === 'target_distress') {
      text += quote(report.evidence, ['distress'], report.targetId);
    } else if (FEATURE_SIGNALS[feature]) {
      text += quote(report.evidence, FEATURE_SIGNALS[feature] as SignalKind[], report.suspectId);
    }
    reasons.push(text);
  }
  if (report.stagesReached.length > 0) reasons.push(`stages reached: ${report.stagesReached.join(' → ')}`);
  return reasons;
}

export function explainActor(r: ActorRiskReport): string[] {
  const reasons: string[] = [];
  for (const c of r.riskyConversations)
    if (c.score >= 0.2)
      reasons.push(
        `suspect in conversation ${c.conversationId} (score ${c.score}${c.stage ? `, stage ${c.stage}` : ''})`,
      );
  if (r.distinctMinorsContacted > 0)
    reasons.push(`contacted ${r.distinctMinorsContacted} child account${r.distinctMinorsContacted === 1 ? '' : 's'}`);
  if (r.firstContacts >= 5 && r.unansweredFirstContacts > 0)
    reasons.push(`${r.unansweredFirstContacts} of ${r.firstContacts} first contacts unanswered`);
  if (r.duplicateOpeners > 0) reasons.push(`sent the same opening message ${r.duplicateOpeners + 1} times`);
  if (r.blocksAgainst > 0) reasons.push(`blocked by ${r.blocksAgainst} account${r.blocksAgainst === 1 ? '' : 's'}`);
  if (r.reportsAgainst > 0) reasons.push(`reported by ${r.reportsAgainst} account${r.reportsAgainst === 1 ? '' : 's'}`);
  if (r.accountAgeDays !== null && r.accountAgeDays < 7)
    reasons.push(`account is ${r.accountAgeDays} day${r.accountAgeDays === 1 ? '' : 's'} old`);
  return reasons;
}
