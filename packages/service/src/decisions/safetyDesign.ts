// The remaining safety-by-design answers for child accounts, as pure functions of facts and a policy
// profile: the defaults a child account starts with (each with its reason and the rule's source), who
// may add a child to a group, and with whom a child's location may be shared.
import type { PolicyProfile, SafetyDefault } from '../policy/policy.ts';
import { SAFETY_DEFAULTS } from '../policy/policy.ts';
import type { Translate } from '../i18n/catalogue.ts';
import type { Decision, Nudge, PartyFacts, Reason } from './rules.ts';

export interface DefaultSetting {
  setting: SafetyDefault;
  /** Whether the protective default is on for this account. */
  on: boolean;
  reason: string;
  /** The rule it comes from (the policy file's source for the jurisdiction). */
  source: string;
}

export interface DefaultsAnswer {
  userId: string;
  isChild: boolean;
  ageBasis: PartyFacts['ageBasis'];
  profile: string;
  defaults: DefaultSetting[];
  reasons: Reason[];
}

export function decideDefaults(
  party: PartyFacts,
  profile: PolicyProfile,
  profileName: string,
  t: Translate,
): DefaultsAnswer {
  const base = { userId: party.userId, isChild: party.isChild, ageBasis: party.ageBasis, profile: profileName };
  if (!party.isChild)
    return { ...base, defaults: [], reasons: [{ code: 'adult_account', message: t('default.adult_account') }] };
  const defaults = SAFETY_DEFAULTS.map((setting) => {
    const rule = profile.childDefaults?.[setting];
    const on = rule?.on ?? true;
    return {
      setting,
      on,
      reason: on ? t(`default.${setting}`) : t('default.not_required'),
      source: rule?.source ?? profile.label,
    };
  });
  return { ...base, defaults, reasons: [] };
}

export interface GroupInviteFacts {
  inviter: PartyFacts;
  invitee: PartyFacts;
  connected: boolean;
  blocked: boolean;
  inviteeConsented: boolean;
}

export interface SimpleDecision {
  decision: Decision;
  reasons: Reason[];
  nudges: Nudge[];
  profile: string;
}

/** A child joins a group only with the child's consent, and never at the hand of an unconnected adult. */
export function decideGroupInvite(f: GroupInviteFacts, profileName: string, t: Translate): SimpleDecision {
  const answer = (decision: Decision, code: string, key: string, nudges: Nudge[] = []): SimpleDecision => ({
    decision,
    reasons: [{ code, message: t(key) }],
    nudges,
    profile: profileName,
  });
  if (f.blocked) return answer('block', 'blocked', 'group.blocked');
  if (!f.invitee.isChild) return answer('allow', 'not_child', 'group.not_child');
  // An inviter of unknown age counts as an adult here: the rule exists to keep strangers out.
  const adultInviter = !f.inviter.isChild || f.inviter.ageBasis === 'unknown';
  if (adultInviter && !f.connected) return answer('block', 'unconnected_adult', 'group.unconnected_adult');
  if (!f.inviteeConsented) {
    return answer('hold', 'consent_required', 'group.consent_required', [
      { audience: 'recipient', code: 'group_consent', text: t('nudge.recipient.group_consent') },
    ]);
  }
  return answer('allow', 'consented', 'group.consented');
}

export interface LocationShareResult extends SimpleDecision {
  results: { viewerId: string; allowed: boolean; reason: Reason }[];
}

/** A child's location is shared only with connections; the child is told when it was not. */
export function decideLocationShare(
  child: PartyFacts,
  viewers: { viewerId: string; connected: boolean }[],
  profileName: string,
  t: Translate,
  tChild: Translate,
): LocationShareResult {
  if (!child.isChild) {
    const reason = { code: 'not_child', message: t('location.not_child') };
    return {
      decision: 'allow',
      reasons: [reason],
      nudges: [],
      profile: profileName,
      results: viewers.map((v) => ({ viewerId: v.viewerId, allowed: true, reason })),
    };
  }
  const results = viewers.map((v) => ({
    viewerId: v.viewerId,
    allowed: v.connected,
    reason: v.connected
      ? { code: 'connection', message: t('location.connection') }
      : { code: 'not_connection', message: t('location.not_connection') },
  }));
  const refused = results.filter((r) => !r.allowed).length;
  const decision: Decision = refused === 0 ? 'allow' : refused === results.length ? 'block' : 'allow_with_warning';
  const nudges: Nudge[] = refused
    ? [
        {
          audience: 'sender',
          code: 'location_refused',
          text: tChild('nudge.sender.location_refused', { count: refused }),
        },
      ]
    : [];
  const reasons = refused
    ? [{ code: 'not_connection', message: t('location.not_connection') }]
    : [{ code: 'connection', message: t('location.connection') }];
  return { decision, reasons, nudges, profile: profileName, results };
}
