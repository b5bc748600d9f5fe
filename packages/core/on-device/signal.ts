// The one thing an app may send off the device about a conversation, if it chooses to: how risky
// it is and which kinds of behaviour made it so. Never text, never excerpts, never account,
// message or conversation ids, never times: a server learns that a child on this app met risk of
// some kind, not who, where or what was said. The app adds its own context (and consent) if any.
import { z } from 'zod';
import { GROOMING_STAGES, SIGNAL_KINDS, type ConversationRiskReport } from '@lifeguard/core';

export const privacySignalSchema = z.strictObject({
  format: z.literal('lifeguard-signal'),
  version: z.literal(1),
  level: z.enum(['low', 'medium', 'high', 'critical']),
  /** Behaviours of the other person, in SIGNAL_KINDS order. */
  kinds: z.array(z.enum(SIGNAL_KINDS)).max(SIGNAL_KINDS.length),
  /** Furthest grooming stage reached. */
  stage: z.enum(GROOMING_STAGES).nullable(),
  /** Leverage claimed or a threat made (as in Warning.sextortion). */
  sextortion: z.boolean(),
});
export type PrivacySignal = z.infer<typeof privacySignalSchema>;

/** The signal for a report (null below level 'low'): kinds are those of messages not sent by the child. */
export function signalFromReport(report: ConversationRiskReport, childId: string): PrivacySignal | null {
  if (report.level === 'none') return null;
  const present = new Set(report.evidence.filter((e) => e.senderId !== childId).map((e) => e.kind));
  return {
    format: 'lifeguard-signal',
    version: 1,
    level: report.level,
    kinds: SIGNAL_KINDS.filter((k) => present.has(k)),
    stage: report.stage,
    sextortion: report.sextortion.leverage || report.sextortion.threat,
  };
}
