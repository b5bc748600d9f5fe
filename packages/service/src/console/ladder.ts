// The enforcement ladder: the actions a moderator can take on a case, from dismissing it to disabling
// the account. Configurable in the policy file's `enforcement` section; these are the defaults.
import { z } from 'zod';

export const DECISION_ACTIONS = ['dismiss', 'escalate', 'warn', 'restrict', 'remove', 'suspend', 'disable'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];
export const CONSOLE_ROLES = ['moderator', 'specialist', 'admin'] as const;

const reason = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'reasons are lower-case letters, digits and _ (at most 40)');

export const ladderStepSchema = z.strictObject({
  action: z.enum(DECISION_ACTIONS),
  label: z.string().min(1).max(80),
  description: z.string().max(400),
  /** The least role that may take this action. */
  requiresRole: z.enum(CONSOLE_ROLES),
  reasons: z.array(reason).min(1).max(40),
  /** Asks for durationHours (restrictions and suspensions). */
  needsDuration: z.boolean(),
  /** Webhook event sent to the platform, or null for decisions the platform need not act on. */
  webhookEvent: z
    .string()
    .regex(/^[a-z][a-z0-9_.]{0,60}$/)
    .nullable(),
});
export type LadderStep = z.infer<typeof ladderStepSchema>;

export const enforcementSchema = z
  .strictObject({
    steps: z.array(ladderStepSchema).min(1),
  })
  .superRefine((e, ctx) => {
    const seen = new Set<string>();
    e.steps.forEach((s, i) => {
      if (seen.has(s.action))
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'action'], message: `"${s.action}" appears twice` });
      seen.add(s.action);
    });
    if (!seen.has('dismiss'))
      ctx.addIssue({
        code: 'custom',
        path: ['steps'],
        message: 'the ladder needs a "dismiss" step (closing a case without action)',
      });
  });
export type EnforcementPolicy = z.infer<typeof enforcementSchema>;

const CHILD_SAFETY = ['grooming', 'sextortion', 'known_image', 'age_misrepresentation', 'child_sexualisation'];
const ENFORCE = 'enforcement.action';

export const DEFAULT_ENFORCEMENT: EnforcementPolicy = {
  steps: [
    {
      action: 'dismiss',
      label: 'Dismiss',
      description: 'No violation found: close the case without action.',
      requiresRole: 'moderator',
      reasons: ['no_violation', 'insufficient_evidence', 'detector_error'],
      needsDuration: false,
      webhookEvent: null,
    },
    {
      action: 'escalate',
      label: 'Escalate to a specialist',
      description:
        'Hand the case to a child-safety specialist (serious or unclear harm, possible report to authorities).',
      requiresRole: 'moderator',
      reasons: ['needs_specialist', 'imminent_risk', 'possible_crime'],
      needsDuration: false,
      webhookEvent: null,
    },
    {
      action: 'warn',
      label: 'Warn',
      description: 'Send the account a warning about the rules it broke.',
      requiresRole: 'moderator',
      reasons: [...CHILD_SAFETY, 'harassment', 'other_policy'],
      needsDuration: false,
      webhookEvent: ENFORCE,
    },
    {
      action: 'restrict',
      label: 'Restrict contact with children',
      description: 'The account may not message or befriend child accounts for a time.',
      requiresRole: 'moderator',
      reasons: [...CHILD_SAFETY, 'harassment'],
      needsDuration: true,
      webhookEvent: ENFORCE,
    },
    {
      action: 'remove',
      label: 'Remove content',
      description: 'Remove the offending messages or media.',
      requiresRole: 'moderator',
      reasons: [...CHILD_SAFETY, 'harassment', 'other_policy'],
      needsDuration: false,
      webhookEvent: ENFORCE,
    },
    {
      action: 'suspend',
      label: 'Suspend',
      description: 'Suspend the account for a time.',
      requiresRole: 'specialist',
      reasons: [...CHILD_SAFETY, 'harassment'],
      needsDuration: true,
      webhookEvent: ENFORCE,
    },
    {
      action: 'disable',
      label: 'Disable',
      description:
        'Disable the account permanently. The ban is recorded for ban-evasion checks: for child-safety reasons, new accounts linked to it are flagged or blocked at sign-up.',
      requiresRole: 'specialist',
      reasons: [...CHILD_SAFETY, 'harassment'],
      needsDuration: false,
      webhookEvent: ENFORCE,
    },
  ],
};
