// Plain-text rendering of risk reports for a moderator reading a terminal.
// Everything that came from the input is sanitised: chat text can carry terminal escape codes.
import type { ActorRiskReport, Alert, ConversationRiskReport, Evidence, ParticipantView } from '@lifeguard/core';

/** Replaces control characters (escape codes, newlines, bidi overrides) so input cannot restyle the terminal. */
export function clean(text: string, maxLength = 200): string {
  const safe = text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, ' ');
  return safe.length > maxLength ? `${safe.slice(0, maxLength - 1)}…` : safe;
}

export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

export function formatScore(score: number): string {
  return score.toFixed(2);
}

function person(p: ParticipantView | undefined, id: string): string {
  if (!p) return clean(id, 80);
  const age = p.age === null ? 'age unknown' : `${p.age}, ${p.ageSource}`;
  return `${clean(id, 80)} (${age})`;
}

function evidenceLine(e: Evidence): string {
  const stage = e.stage ? `, ${e.stage}` : '';
  return `    [${clean(e.messageId, 80)}] ${formatTime(e.time)} ${clean(e.senderId, 40)}: "${clean(e.excerpt, 120)}"  (${e.kind}${stage})`;
}

export function renderConversation(report: ConversationRiskReport, rank: number, maxEvidence = 12): string {
  const lines: string[] = [];
  const stage = report.stage ? `stage ${report.stage}` : 'no grooming stage';
  lines.push(
    `${rank}. conversation ${clean(report.conversationId, 120)}  score ${formatScore(report.score)} ${report.level.toUpperCase()}  ${stage}`,
  );
  const byId = new Map(report.participants.map((p) => [p.userId, p]));
  if (report.suspectId || report.targetId) {
    const suspect = report.suspectId ? person(byId.get(report.suspectId), report.suspectId) : 'unclear';
    const target = report.targetId ? person(byId.get(report.targetId), report.targetId) : 'unclear';
    lines.push(`   suspect: ${suspect}  ->  directed at: ${target}`);
  }
  const others = report.participants.filter((p) => p.userId !== report.suspectId && p.userId !== report.targetId);
  if (others.length > 0)
    lines.push(
      `   also in it: ${others
        .slice(0, 6)
        .map((p) => person(p, p.userId))
        .join(', ')}${others.length > 6 ? ', …' : ''}`,
    );
  lines.push(`   ${report.messageCount} messages, ${formatTime(report.firstAt)} to ${formatTime(report.lastAt)}`);
  if (report.stagesReached.length > 0) lines.push(`   stages: ${report.stagesReached.join(' > ')}`);
  const sx = report.sextortion;
  const sextortion = (['leverage', 'threat', 'payment', 'deadline'] as const).filter((k) => sx[k]);
  if (sextortion.length > 0) lines.push(`   sextortion pattern: ${sextortion.join(', ')}`);
  if (report.reasons.length > 0) {
    lines.push('   why:');
    for (const reason of report.reasons) lines.push(`    - ${clean(reason, 300)}`);
  }
  if (report.evidence.length > 0) {
    const shown = [...report.evidence]
      .sort((a, b) => a.time - b.time || compareIds(a.messageId, b.messageId))
      .slice(0, maxEvidence);
    lines.push(`   evidence (${shown.length} of ${report.evidence.length}, in time order):`);
    for (const e of shown) lines.push(evidenceLine(e));
  }
  return lines.join('\n');
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function renderActor(report: ActorRiskReport, rank: number): string {
  const lines: string[] = [];
  const age = report.age === null ? 'age unknown' : `age ${report.age} (${report.ageSource})`;
  lines.push(
    `${rank}. account ${clean(report.userId, 120)}  score ${formatScore(report.score)} ${report.level.toUpperCase()}  ${age}`,
  );
  const facts: string[] = [];
  if (report.accountAgeDays !== null) facts.push(`account ${Math.round(report.accountAgeDays)} days old`);
  facts.push(`${report.distinctMinorsContacted} minor${report.distinctMinorsContacted === 1 ? '' : 's'} contacted`);
  if (report.firstContacts > 0)
    facts.push(`${report.firstContacts} first contacts (${report.unansweredFirstContacts} unanswered)`);
  if (report.duplicateOpeners > 0) facts.push(`${report.duplicateOpeners} copy-paste openers`);
  if (report.blocksAgainst > 0) facts.push(`blocked ${report.blocksAgainst}x`);
  if (report.reportsAgainst > 0) facts.push(`reported ${report.reportsAgainst}x`);
  lines.push(`   ${facts.join(', ')}`);
  if (report.reasons.length > 0) {
    lines.push('   why:');
    for (const reason of report.reasons) lines.push(`    - ${clean(reason, 300)}`);
  }
  if (report.riskyConversations.length > 0) {
    const list = report.riskyConversations
      .slice(0, 5)
      .map((c) => `${clean(c.conversationId, 60)} (${formatScore(c.score)}${c.stage ? `, ${c.stage}` : ''})`);
    lines.push(`   risky conversations: ${list.join(', ')}${report.riskyConversations.length > 5 ? ', …' : ''}`);
  }
  return lines.join('\n');
}

export function renderAlert(alert: Alert): string {
  return `  ${formatTime(alert.time)}  ${alert.kind.padEnd(12)} ${clean(alert.subjectId, 60)}  ${alert.level.toUpperCase()} ${formatScore(alert.score)}  after ${alert.messagesRead} message${alert.messagesRead === 1 ? '' : 's'} (event ${clean(alert.eventId, 60)})`;
}

export function formatNumber(value: number | null, digits = 3): string {
  return value === null ? 'n/a' : value.toFixed(digits);
}
