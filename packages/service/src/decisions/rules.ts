// Safety-by-design decisions as pure functions of facts and a policy profile, so every rule can be
// tested without a server. The service gathers the facts (graph, ages, detector risk) and calls these.
import type { AccountRecord } from '@lifeguard/storage';
import type { SignalKind } from '@lifeguard/core';
import type { HelpResource, PolicyProfile, ContactRule } from '../policy/policy.ts';
import { ENGLISH, type Translate } from '../i18n/catalogue.ts';

/**
 * The words and help for one decision: the recipient's (child's) locale and tenant, and help resources
 * for the child's country. Defaults: en-GB and the profile's own help resources.
 */
export interface RuleText {
  t: Translate;
  /** Help resources to offer; the profile's when omitted. */
  help?: readonly HelpResource[];
  /** Nudges for the sender, in the sender's locale; `t` when omitted. */
  sender?: Translate;
}
export const DEFAULT_TEXT: RuleText = { t: ENGLISH };

export type Decision = 'allow' | 'allow_with_warning' | 'hold' | 'block';
const SEVERITY: Record<Decision, number> = { allow: 0, allow_with_warning: 1, hold: 2, block: 3 };

export interface Reason {
  code: string;
  message: string;
}

export interface HelpLink {
  name: string;
  url: string;
  phone?: string;
}

export interface Nudge {
  /** Who the platform should show it to. */
  audience: 'recipient' | 'sender';
  code: string;
  text: string;
  helpUrl?: string;
  help?: HelpLink[];
}

export interface DecisionResult {
  decision: Decision;
  reasons: Reason[];
  nudges: Nudge[];
  /** The policy profile applied, e.g. 'uk'. */
  profile: string;
}

export type AgeBasis = 'declared' | 'declared_band' | 'disclosed' | 'unknown';

export interface PartyFacts {
  userId: string;
  age: number | null;
  ageBasis: AgeBasis;
  /** Treated as a child account under the profile (unknown ages follow profile.unknownAge). */
  isChild: boolean;
  /** The detector's actor risk on this account, 0..1. */
  risk: number;
}

export interface PairFacts {
  sender: PartyFacts;
  recipient: PartyFacts;
  connected: boolean;
  blockedByRecipient: boolean;
  blockedBySender: boolean;
  mutualConnections: number;
}

const BAND_RANGE: Record<string, [number, number]> = {
  under13: [0, 12],
  '13-15': [13, 15],
  '16-17': [16, 17],
  adult: [18, 200],
};

/**
 * Whether an account counts as a child under the profile. Any credible sign of a minor wins: a declared
 * adult who told someone "im 13" in a message is treated as a child (the cautious error).
 */
export function classifyParty(
  userId: string,
  account: AccountRecord | null,
  engineInfo: { age: number | null; ageSource: string; isMinor: boolean | null; disclosedAge?: number | null } | null,
  risk: number,
  profile: PolicyProfile,
): PartyFacts {
  const under = profile.childUnder;
  // The engine reports the declared age first; the age stated in chat comes separately.
  const disclosed = engineInfo?.disclosedAge ?? (engineInfo?.ageSource === 'disclosed' ? engineInfo.age : null);
  const disclosedChild = disclosed != null && disclosed < under;
  if (account?.age != null) {
    const isChild = account.age < under || disclosedChild;
    return { userId, age: account.age, ageBasis: 'declared', isChild, risk };
  }
  const band = account?.ageBand ? BAND_RANGE[account.ageBand] : undefined;
  if (band) {
    // A band straddling the limit counts as a child.
    return { userId, age: null, ageBasis: 'declared_band', isChild: band[0] < under || disclosedChild, risk };
  }
  if (engineInfo && engineInfo.age !== null && engineInfo.ageSource !== 'unknown') {
    return { userId, age: engineInfo.age, ageBasis: 'disclosed', isChild: engineInfo.age < under, risk };
  }
  return { userId, age: null, ageBasis: 'unknown', isChild: profile.unknownAge === 'child', risk };
}

function helpFor(
  profile: PolicyProfile,
  topic: HelpResource['topics'][number],
  text: RuleText,
): { helpUrl?: string; help?: HelpLink[] } {
  const links = (text.help ?? profile.helpResources)
    .filter((r) => r.topics.includes(topic))
    .map((r) => (r.phone ? { name: r.name, url: r.url, phone: r.phone } : { name: r.name, url: r.url }));
  return links.length ? { helpUrl: links[0]!.url, help: links } : {};
}

function nudge(
  audience: Nudge['audience'],
  code: string,
  text: string,
  help: { helpUrl?: string; help?: HelpLink[] } = {},
): Nudge {
  return { audience, code, text, ...help };
}

function strangerNudges(pair: PairFacts, profile: PolicyProfile, text: RuleText): Nudge[] {
  const { t } = text;
  const out: Nudge[] = [];
  out.push(
    pair.mutualConnections === 0
      ? nudge('recipient', 'no_mutual_friends', t('nudge.recipient.no_mutual_friends'))
      : nudge('recipient', 'not_connected', t('nudge.recipient.not_connected', { count: pair.mutualConnections })),
  );
  out.push(
    nudge('recipient', 'stranger_contact', t('nudge.recipient.stranger_contact'), helpFor(profile, 'general', text)),
  );
  return out;
}

class Builder {
  decision: Decision = 'allow';
  private readonly found: (Reason & { severity: number })[] = [];
  readonly nudges: Nudge[] = [];
  get hasReasons(): boolean {
    return this.found.length > 0;
  }
  raise(to: Decision, code: string, message: string): void {
    if (SEVERITY[to] > SEVERITY[this.decision]) this.decision = to;
    this.found.push({ code, message, severity: SEVERITY[to] });
  }
  /** A reason that explains without changing the decision. */
  note(code: string, message: string): void {
    this.found.push({ code, message, severity: 0 });
  }
  add(...nudges: Nudge[]): void {
    for (const n of nudges)
      if (!this.nudges.some((m) => m.code === n.code && m.audience === n.audience)) this.nudges.push(n);
  }
  result(profile: string, t: Translate): DecisionResult {
    if (this.found.length === 0) this.note('no_restriction', t('reason.no_restriction'));
    if (this.decision === 'allow' && this.nudges.length > 0) this.decision = 'allow_with_warning';
    // Strongest reason first (stable), so a platform showing one reason shows the one that decided.
    const reasons = this.found
      .map((r, i) => ({ r, i }))
      .sort((a, b) => b.r.severity - a.r.severity || a.i - b.i)
      .map(({ r }) => ({ code: r.code, message: r.message }));
    return { decision: this.decision, reasons, nudges: this.nudges, profile };
  }
}

const RULE_DECISION: Record<ContactRule, Decision> = {
  block: 'block',
  hold: 'hold',
  warn: 'allow_with_warning',
  allow: 'allow',
};

/** May `sender` contact `recipient` (a direct message or a friend request)? */
export function decideContact(
  pair: PairFacts,
  kind: 'message' | 'friend_request',
  profile: PolicyProfile,
  profileName: string,
  text: RuleText = DEFAULT_TEXT,
): DecisionResult {
  const b = new Builder();
  contactRules(b, pair, kind, profile, text);
  return b.result(profileName, text.t);
}

function contactRules(
  b: Builder,
  pair: PairFacts,
  kind: 'message' | 'friend_request',
  profile: PolicyProfile,
  text: RuleText,
): void {
  const { t } = text;
  const { sender, recipient } = pair;
  if (pair.blockedByRecipient) {
    b.raise('block', 'blocked_by_recipient', t('reason.blocked_by_recipient'));
    return;
  }
  if (pair.blockedBySender) {
    b.raise('block', 'recipient_blocked_by_sender', t('reason.recipient_blocked_by_sender'));
    return;
  }
  if (recipient.isChild) {
    const r = profile.riskySender;
    // An account with no known age is a child only because the policy says so: the reason says that, so
    // an integration that forgot to send account events sees why.
    const who = { recipient: recipient.ageBasis === 'unknown' ? 'unknown' : 'child' };
    if (sender.risk >= r.blockAt) {
      b.raise('block', 'sender_risk', t('reason.sender_risk.block', { risk: sender.risk.toFixed(2) }));
      return;
    }
    if (sender.risk >= r.holdAt) {
      b.raise('hold', 'sender_risk', t('reason.sender_risk.hold', { risk: sender.risk.toFixed(2), ...who }));
    }
    if (!pair.connected) {
      const rule = kind === 'message' ? profile.strangerMessagesToChildren : profile.strangerRequestsToChildren;
      // A warning with prompts turned off would have nothing to show: it is an allow.
      const decision = rule === 'warn' && !profile.supportivePrompts ? 'allow' : RULE_DECISION[rule];
      const code = kind === 'message' ? 'child_unconnected_message' : 'child_unconnected_request';
      b.raise(decision, code, t(`reason.${code}.${decision}`, who));
      if (decision === 'block') {
        b.add(nudge('sender', 'recipient_not_reachable', (text.sender ?? t)('nudge.sender.recipient_not_reachable')));
        return;
      }
      if (profile.supportivePrompts) b.add(...strangerNudges(pair, profile, text));
    }
    if (sender.risk >= r.warnAt && sender.risk < r.holdAt) {
      b.raise('allow_with_warning', 'sender_risk', t('reason.sender_risk.warn', { risk: sender.risk.toFixed(2) }));
      if (profile.supportivePrompts)
        b.add(nudge('recipient', 'take_care', t('nudge.recipient.take_care'), helpFor(profile, 'general', text)));
    }
    if (pair.connected && !b.hasReasons) b.note('connected', t('reason.connected'));
    return;
  }
  // A child reaching out to an adult stranger gets a prompt too (ICU F2-style support for the child).
  if (sender.isChild && !recipient.isChild && !pair.connected && profile.supportivePrompts) {
    b.raise('allow_with_warning', 'child_contacting_stranger', t('reason.child_contacting_stranger'));
    b.add(
      nudge(
        'sender',
        'stranger_contact',
        (text.sender ?? t)('nudge.sender.stranger_contact'),
        helpFor(profile, 'general', text),
      ),
    );
    return;
  }
  if (pair.connected) b.note('connected', t('reason.connected'));
}

const NUDGE_BY_SIGNAL: Partial<Record<SignalKind, { code: string; topic?: HelpResource['topics'][number] }>> = {
  image_request: { code: 'photo_request', topic: 'images' },
  sexualisation: { code: 'uncomfortable', topic: 'general' },
  platform_move: { code: 'platform_move' },
  secrecy: { code: 'secrecy', topic: 'general' },
  isolation: { code: 'secrecy', topic: 'general' },
  gift: { code: 'gift_offer' },
  money: { code: 'gift_offer' },
  meeting: { code: 'meeting' },
  personal_info: { code: 'personal_info' },
  phone_number: { code: 'personal_info' },
  age_probe: { code: 'personal_info' },
};

const SEXTORTION: SignalKind[] = [
  'sextortion_leverage',
  'sextortion_threat',
  'sextortion_payment',
  'sextortion_deadline',
];

export interface MessageFacts {
  pair: PairFacts;
  /** Signal kinds found in the message text. */
  signals: SignalKind[];
  /** The detector's score for the conversation so far (0 if unknown). */
  conversationScore: number;
  hasImage: boolean;
}

export interface MessageDecision extends DecisionResult {
  /** Whether the platform should deliver the message now (false for hold and block). */
  deliver: boolean;
}

/** Should this message be delivered, and with which nudges? */
export function decideMessage(
  facts: MessageFacts,
  profile: PolicyProfile,
  profileName: string,
  text: RuleText = DEFAULT_TEXT,
): MessageDecision {
  const { t } = text;
  const b = new Builder();
  contactRules(b, facts.pair, 'message', profile, text);
  const { recipient } = facts.pair;
  if (b.decision !== 'block' && recipient.isChild) {
    const kinds = new Set(facts.signals);
    if (SEXTORTION.some((k) => kinds.has(k))) {
      b.raise('hold', 'sextortion_signals', t('reason.sextortion_signals'));
      b.add(
        nudge('recipient', 'threat_support', t('nudge.recipient.threat_support'), {
          ...helpFor(profile, 'images', text),
          help: [...(helpFor(profile, 'images', text).help ?? []), ...(helpFor(profile, 'report', text).help ?? [])],
        }),
      );
    }
    if (facts.hasImage && facts.pair.sender.risk >= profile.riskySender.warnAt) {
      b.raise(
        'hold',
        'risky_sender_image',
        t('reason.risky_sender_image', { risk: facts.pair.sender.risk.toFixed(2) }),
      );
    }
    if (facts.conversationScore >= profile.conversationHoldAt) {
      b.raise(
        'hold',
        'conversation_risk',
        t('reason.conversation_risk', {
          score: facts.conversationScore.toFixed(2),
          threshold: String(profile.conversationHoldAt),
        }),
      );
    }
    if (profile.supportivePrompts) {
      let prompted = false;
      for (const kind of facts.signals) {
        const n = NUDGE_BY_SIGNAL[kind];
        if (!n) continue;
        prompted = true;
        b.add(
          nudge('recipient', n.code, t(`nudge.recipient.${n.code}`), n.topic ? helpFor(profile, n.topic, text) : {}),
        );
      }
      if (prompted)
        b.raise(
          'allow_with_warning',
          'risk_signals',
          t('reason.risk_signals', { signals: [...new Set(facts.signals)].join(', ') }),
        );
    }
  }
  const result = b.result(profileName, t);
  return { ...result, deliver: result.decision === 'allow' || result.decision === 'allow_with_warning' };
}

export type Surface = 'friend_suggestions' | 'connection_lists';

export interface VisibilityFacts {
  viewer: PartyFacts;
  subject: PartyFacts;
  connected: boolean;
  blocked: boolean;
}

export interface VisibilityResult {
  subjectId: string;
  visible: boolean;
  reasons: Reason[];
}

/** May `subject` be suggested to `viewer` as a friend, or appear in lists `viewer` sees? */
export function decideVisibility(
  f: VisibilityFacts,
  surface: Surface,
  profile: PolicyProfile,
  t: Translate = ENGLISH,
): VisibilityResult {
  const hide = (code: string): VisibilityResult => ({
    subjectId: f.subject.userId,
    visible: false,
    reasons: [{ code, message: t(`reason.visibility.${code}`) }],
  });
  if (f.blocked) return hide('blocked');
  if (f.subject.isChild && !f.connected) {
    if (surface === 'friend_suggestions' && profile.hideChildrenFromSuggestions) return hide('child_not_suggested');
    if (surface === 'connection_lists' && profile.hideChildrenFromConnectionLists) return hide('child_not_listed');
  }
  if (f.subject.isChild && f.viewer.risk >= profile.riskySender.warnAt && !f.connected) return hide('viewer_risk');
  if (
    f.viewer.isChild &&
    !f.subject.isChild &&
    surface === 'friend_suggestions' &&
    f.subject.risk >= profile.riskySender.warnAt
  )
    return hide('subject_risk');
  return {
    subjectId: f.subject.userId,
    visible: true,
    reasons: [
      {
        code: f.connected ? 'connected' : 'no_restriction',
        message: f.connected ? t('reason.connected') : t('reason.visibility.no_restriction'),
      },
    ],
  };
}
