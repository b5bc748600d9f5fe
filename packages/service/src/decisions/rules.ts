// Safety-by-design decisions as pure functions of facts and a policy profile, so every rule can be
// tested without a server. The service gathers the facts (graph, ages, detector risk) and calls these.
import type { AccountRecord } from '@lifeguard/storage';
import type { SignalKind } from '@lifeguard/core';
import type { HelpResource, PolicyProfile, ContactRule } from '../policy/policy.ts';

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

const BAND_RANGE: Record<string, [number, number]> = { under13: [0, 12], '13-15': [13, 15], '16-17': [16, 17], adult: [18, 200] };

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

function helpFor(profile: PolicyProfile, topic: HelpResource['topics'][number]): { helpUrl?: string; help?: HelpLink[] } {
  const links = profile.helpResources.filter((r) => r.topics.includes(topic)).map((r) => (r.phone ? { name: r.name, url: r.url, phone: r.phone } : { name: r.name, url: r.url }));
  return links.length ? { helpUrl: links[0]!.url, help: links } : {};
}

function nudge(audience: Nudge['audience'], code: string, text: string, help: { helpUrl?: string; help?: HelpLink[] } = {}): Nudge {
  return { audience, code, text, ...help };
}

function strangerNudges(pair: PairFacts, profile: PolicyProfile): Nudge[] {
  const out: Nudge[] = [];
  out.push(
    pair.mutualConnections === 0
      ? nudge('recipient', 'no_mutual_friends', 'This person has no friends in common with you.')
      : nudge('recipient', 'not_connected', `You are not connected with this person (${pair.mutualConnections} friend${pair.mutualConnections === 1 ? '' : 's'} in common).`),
  );
  out.push(nudge('recipient', 'stranger_contact', "You don't have to reply. You can block or report them at any time, and it's fine to tell an adult you trust.", helpFor(profile, 'general')));
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
    for (const n of nudges) if (!this.nudges.some((m) => m.code === n.code && m.audience === n.audience)) this.nudges.push(n);
  }
  result(profile: string): DecisionResult {
    if (this.found.length === 0) this.note('no_restriction', 'No safety rule applies to this contact.');
    if (this.decision === 'allow' && this.nudges.length > 0) this.decision = 'allow_with_warning';
    // Strongest reason first (stable), so a platform showing one reason shows the one that decided.
    const reasons = this.found.map((r, i) => ({ r, i })).sort((a, b) => b.r.severity - a.r.severity || a.i - b.i).map(({ r }) => ({ code: r.code, message: r.message }));
    return { decision: this.decision, reasons, nudges: this.nudges, profile };
  }
}

const RULE_DECISION: Record<ContactRule, Decision> = { block: 'block', hold: 'hold', warn: 'allow_with_warning', allow: 'allow' };

/** May `sender` contact `recipient` (a direct message or a friend request)? */
export function decideContact(pair: PairFacts, kind: 'message' | 'friend_request', profile: PolicyProfile, profileName: string): DecisionResult {
  const b = new Builder();
  contactRules(b, pair, kind, profile);
  return b.result(profileName);
}

function contactRules(b: Builder, pair: PairFacts, kind: 'message' | 'friend_request', profile: PolicyProfile): void {
  const { sender, recipient } = pair;
  if (pair.blockedByRecipient) {
    b.raise('block', 'blocked_by_recipient', 'The recipient has blocked the sender.');
    return;
  }
  if (pair.blockedBySender) {
    b.raise('block', 'recipient_blocked_by_sender', 'The sender has blocked the recipient; unblock first.');
    return;
  }
  if (recipient.isChild) {
    const r = profile.riskySender;
    // An account the service has no age for is a child only because the policy says so: say that, so an
    // integration that forgot to send account events sees why.
    const childAccount = recipient.ageBasis === 'unknown' ? 'an account of unknown age (treated as a child by this policy)' : 'a child account';
    if (sender.risk >= r.blockAt) {
      b.raise('block', 'sender_risk', `The detector holds high risk on the sender (${sender.risk.toFixed(2)}); contact with child accounts is blocked pending review.`);
      return;
    }
    if (sender.risk >= r.holdAt) {
      b.raise('hold', 'sender_risk', `The detector holds risk on the sender (${sender.risk.toFixed(2)}); contact with ${childAccount} is held for review.`);
    }
    if (!pair.connected) {
      const rule = kind === 'message' ? profile.strangerMessagesToChildren : profile.strangerRequestsToChildren;
      const what = `${kind === 'message' ? 'Direct messages' : 'Friend requests'} to ${childAccount}`;
      // A warning with prompts turned off would have nothing to show: it is an allow.
      const decision = rule === 'warn' && !profile.supportivePrompts ? 'allow' : RULE_DECISION[rule];
      const verdict = { block: 'are not allowed', hold: 'are held for review', allow_with_warning: 'come with a safety prompt', allow: 'are allowed' }[decision];
      const code = kind === 'message' ? 'child_unconnected_message' : 'child_unconnected_request';
      b.raise(decision, code, `${what} from accounts it is not connected to ${verdict}.`);
      if (decision === 'block') {
        b.add(nudge('sender', 'recipient_not_reachable', 'This account only receives messages from people it is connected with.'));
        return;
      }
      if (profile.supportivePrompts) b.add(...strangerNudges(pair, profile));
    }
    if (sender.risk >= r.warnAt && sender.risk < r.holdAt) {
      b.raise('allow_with_warning', 'sender_risk', `The detector holds some risk on the sender (${sender.risk.toFixed(2)}).`);
      if (profile.supportivePrompts) b.add(nudge('recipient', 'take_care', 'Take care with this person. If anything they say makes you uncomfortable, you can block them and talk to an adult you trust.', helpFor(profile, 'general')));
    }
    if (pair.connected && !b.hasReasons) b.note('connected', 'The accounts are connected.');
    return;
  }
  // A child reaching out to an adult stranger gets a prompt too (ICU F2-style support for the child).
  if (sender.isChild && !recipient.isChild && !pair.connected && profile.supportivePrompts) {
    b.raise('allow_with_warning', 'child_contacting_stranger', 'A child account is contacting an adult account it is not connected to.');
    b.add(nudge('sender', 'stranger_contact', "You don't know this person yet. Never share photos, your address or your school, and you can block them at any time.", helpFor(profile, 'general')));
    return;
  }
  if (pair.connected) b.note('connected', 'The accounts are connected.');
}

const NUDGE_BY_SIGNAL: Partial<Record<SignalKind, { code: string; text: string; topic?: HelpResource['topics'][number] }>> = {
  image_request: { code: 'photo_request', text: 'You never have to send a photo or video of yourself to anyone. If someone keeps asking, block them and tell an adult you trust.', topic: 'images' },
  sexualisation: { code: 'uncomfortable', text: 'If a message makes you feel uncomfortable, it is not your fault. You can block and report, and talk to an adult you trust.', topic: 'general' },
  platform_move: { code: 'platform_move', text: 'Be careful when someone you met here asks you to move to another app. Our safety tools cannot help you there.' },
  secrecy: { code: 'secrecy', text: 'Nobody should ask you to keep secrets from the adults who look after you. It is always fine to tell someone.', topic: 'general' },
  isolation: { code: 'secrecy', text: 'Nobody should ask you to keep secrets from the adults who look after you. It is always fine to tell someone.', topic: 'general' },
  gift: { code: 'gift_offer', text: 'Gifts, game currency or money from someone online can be a way to make you feel you owe them. You don\'t.' },
  money: { code: 'gift_offer', text: 'Gifts, game currency or money from someone online can be a way to make you feel you owe them. You don\'t.' },
  meeting: { code: 'meeting', text: 'Never meet someone you only know online without a parent or carer knowing and coming with you.' },
  personal_info: { code: 'personal_info', text: 'You don\'t have to share your age, school, address or phone number with anyone.' },
  phone_number: { code: 'personal_info', text: 'You don\'t have to share your age, school, address or phone number with anyone.' },
  age_probe: { code: 'personal_info', text: 'You don\'t have to share your age, school, address or phone number with anyone.' },
};

const SEXTORTION: SignalKind[] = ['sextortion_leverage', 'sextortion_threat', 'sextortion_payment', 'sextortion_deadline'];

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
export function decideMessage(facts: MessageFacts, profile: PolicyProfile, profileName: string): MessageDecision {
  const b = new Builder();
  contactRules(b, facts.pair, 'message', profile);
  const { recipient } = facts.pair;
  if (b.decision !== 'block' && recipient.isChild) {
    const kinds = new Set(facts.signals);
    if (SEXTORTION.some((k) => kinds.has(k))) {
      b.raise('hold', 'sextortion_signals', 'The message carries signs of sextortion (threats, leverage, payment demands or deadlines).');
      b.add(nudge('recipient', 'threat_support', "If someone threatens to share pictures of you, it is not your fault and you are not in trouble. Don't pay and don't send more. Get help to have images taken down, and report it.", {
        ...helpFor(profile, 'images'),
        help: [...(helpFor(profile, 'images').help ?? []), ...(helpFor(profile, 'report').help ?? [])],
      }));
    }
    if (facts.hasImage && facts.pair.sender.risk >= profile.riskySender.warnAt) {
      b.raise('hold', 'risky_sender_image', `Images sent to a child account by an account the detector holds risk on (${facts.pair.sender.risk.toFixed(2)}) are held for review.`);
    }
    if (facts.conversationScore >= profile.conversationHoldAt) {
      b.raise('hold', 'conversation_risk', `The conversation's risk score (${facts.conversationScore.toFixed(2)}) is at or above the hold threshold (${profile.conversationHoldAt}).`);
    }
    if (profile.supportivePrompts) {
      let prompted = false;
      for (const kind of facts.signals) {
        const n = NUDGE_BY_SIGNAL[kind];
        if (!n) continue;
        prompted = true;
        b.add(nudge('recipient', n.code, n.text, n.topic ? helpFor(profile, n.topic) : {}));
      }
      if (prompted) b.raise('allow_with_warning', 'risk_signals', `The message contains: ${[...new Set(facts.signals)].join(', ')}.`);
    }
  }
  const result = b.result(profileName);
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
export function decideVisibility(f: VisibilityFacts, surface: Surface, profile: PolicyProfile): VisibilityResult {
  const hide = (code: string, message: string): VisibilityResult => ({ subjectId: f.subject.userId, visible: false, reasons: [{ code, message }] });
  if (f.blocked) return hide('blocked', 'One of the two accounts has blocked the other.');
  if (f.subject.isChild && !f.connected) {
    if (surface === 'friend_suggestions' && profile.hideChildrenFromSuggestions) return hide('child_not_suggested', 'Child accounts are not suggested to accounts they are not connected to.');
    if (surface === 'connection_lists' && profile.hideChildrenFromConnectionLists) return hide('child_not_listed', "Child accounts are not shown in others' connection lists to accounts they are not connected to.");
  }
  if (f.subject.isChild && f.viewer.risk >= profile.riskySender.warnAt && !f.connected) {
    return hide('viewer_risk', 'The detector holds risk on the viewer; child accounts are not shown to them.');
  }
  if (f.viewer.isChild && !f.subject.isChild && surface === 'friend_suggestions' && f.subject.risk >= profile.riskySender.warnAt) {
    return hide('subject_risk', 'The detector holds risk on this account; it is not suggested to child accounts.');
  }
  return { subjectId: f.subject.userId, visible: true, reasons: [{ code: f.connected ? 'connected' : 'no_restriction', message: f.connected ? 'The accounts are connected.' : 'No safety rule hides this account.' }] };
}
