import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AccountRecord } from '@lifeguard/storage';
import { DetectionEngine } from '@lifeguard/core';
import {
  DEFAULT_POLICY,
  classifyParty,
  decideContact,
  decideMessage,
  decideVisibility,
  type PolicyProfile,
} from '../src/index.ts';
import type { PairFacts, PartyFacts } from '../src/decisions/rules.ts';
import { Messages } from '../src/i18n/catalogue.ts';

const uk = DEFAULT_POLICY.profiles.uk!;
const account = (fields: Partial<AccountRecord>): AccountRecord => ({
  userId: 'u',
  age: null,
  ageBand: null,
  country: null,
  createdAt: null,
  updatedAt: 0,
  ...fields,
});
const party = (userId: string, isChild: boolean, risk = 0): PartyFacts => ({
  userId,
  age: isChild ? 13 : 35,
  ageBasis: 'declared',
  isChild,
  risk,
});
const pair = (over: Partial<PairFacts> = {}): PairFacts => ({
  sender: party('adult', false),
  recipient: party('child', true),
  connected: false,
  blockedByRecipient: false,
  blockedBySender: false,
  mutualConnections: 0,
  ...over,
});
const codes = (xs: { code: string }[]) => xs.map((x) => x.code);

describe('who counts as a child', () => {
  it('uses the declared age against the profile limit', () => {
    assert.equal(classifyParty('a', account({ age: 17 }), null, 0, uk).isChild, true);
    assert.equal(classifyParty('a', account({ age: 18 }), null, 0, uk).isChild, false);
    assert.equal(classifyParty('a', account({ age: 16 }), null, 0, { ...uk, childUnder: 16 }).isChild, false);
  });

  it('treats a declared adult who disclosed a child age in chat as a child', () => {
    assert.equal(
      classifyParty('a', account({ age: 19 }), { age: 13, ageSource: 'disclosed', isMinor: true }, 0, uk).isChild,
      true,
    );
  });

  it('treats a declared adult as a child once they tell the real engine they are 13', () => {
    const engine = new DetectionEngine();
    engine.process({ type: 'account', id: 'a1', time: 0, userId: 'kid', age: 19 });
    engine.process({
      type: 'message',
      id: 'm1',
      time: 1,
      conversationId: 'c',
      senderId: 'kid',
      recipientIds: ['x'],
      text: 'im 13 tbh',
    });
    const info = engine.accountInfo('kid');
    assert.equal(info.ageSource, 'declared'); // the declared age still leads...
    assert.equal(classifyParty('kid', account({ age: 19 }), info, 0, uk).isChild, true); // ...but protection takes the younger
  });

  it('counts an age band as a child when any part of it is under the limit', () => {
    assert.equal(classifyParty('a', account({ ageBand: '16-17' }), null, 0, uk).isChild, true);
    assert.equal(classifyParty('a', account({ ageBand: '16-17' }), null, 0, { ...uk, childUnder: 16 }).isChild, false);
    assert.equal(classifyParty('a', account({ ageBand: 'adult' }), null, 0, uk).isChild, false);
  });

  it('falls back to a disclosed age, then to the profile rule for unknown ages', () => {
    assert.equal(
      classifyParty('a', null, { age: 12, ageSource: 'disclosed', isMinor: true }, 0, uk).ageBasis,
      'disclosed',
    );
    assert.equal(classifyParty('a', null, null, 0, uk).isChild, true, 'the UK default treats unknown ages as children');
    assert.equal(classifyParty('a', null, null, 0, { ...uk, unknownAge: 'adult' }).isChild, false);
  });
});

describe('contact decisions', () => {
  it('follows the profile rule for unconnected contact with a child', () => {
    assert.equal(decideContact(pair(), 'message', uk, 'uk').decision, 'block');
    const held = decideContact(pair(), 'message', { ...uk, strangerMessagesToChildren: 'hold' }, 'x');
    assert.equal(held.decision, 'hold');
    const warned = decideContact(
      pair({ mutualConnections: 2 }),
      'message',
      { ...uk, strangerMessagesToChildren: 'warn' },
      'x',
    );
    assert.equal(warned.decision, 'allow_with_warning');
    assert.deepEqual(codes(warned.nudges), ['not_connected', 'stranger_contact']);
    assert.match(warned.nudges[0]!.text, /2 friends in common/);
  });

  it('says an account of unknown age is treated as a child by the policy, not that it is a child account', () => {
    const unknown = classifyParty('never-seen', null, null, 0, uk);
    const result = decideContact(pair({ recipient: unknown }), 'message', uk, 'uk');
    assert.equal(result.decision, 'block', 'still protected as a child');
    assert.match(
      result.reasons[0]!.message,
      /^Direct messages to an account of unknown age \(treated as a child by this policy\) from accounts/,
    );
    assert.match(
      decideContact(pair(), 'message', uk, 'uk').reasons[0]!.message,
      /^Direct messages to a child account /,
      'a known child is still named so',
    );
    const held = decideContact(
      pair({ recipient: unknown, sender: party('adult', false, uk.riskySender.holdAt) }),
      'message',
      uk,
      'uk',
    );
    assert.ok(
      held.reasons.some(
        (r) =>
          r.code === 'sender_risk' &&
          r.message.includes('contact with an account of unknown age (treated as a child by this policy) is held'),
      ),
      `the sender-risk hold names the unknown age too: ${JSON.stringify(held.reasons)}`,
    );
  });

  it("words the unknown-age reason from the catalogue of the account's language", () => {
    const unknown = classifyParty('never-seen', null, null, 0, uk);
    const german = { t: new Messages().translator('t1', 'de') };
    const result = decideContact(pair({ recipient: unknown }), 'friend_request', uk, 'uk', german);
    assert.match(
      result.reasons[0]!.message,
      /^Freundschaftsanfragen an ein Konto mit unbekanntem Alter \(von diesen Regeln wie ein Kind behandelt\)/,
    );
    assert.match(
      decideContact(pair(), 'friend_request', uk, 'uk', german).reasons[0]!.message,
      /^Freundschaftsanfragen an ein Kinderkonto /,
      'a known child is still named so in German',
    );
  });

  it('leaves out supportive prompts when the profile turns them off', () => {
    const result = decideContact(pair(), 'friend_request', { ...uk, supportivePrompts: false }, 'x');
    assert.equal(result.decision, 'allow');
    assert.deepEqual(result.nudges, []);
    assert.equal(result.reasons[0]!.code, 'child_unconnected_request');
  });

  it('is stricter with senders the detector holds risk on, even when connected', () => {
    const r = uk.riskySender;
    assert.equal(
      decideContact(pair({ connected: true, sender: party('adult', false, r.warnAt) }), 'message', uk, 'uk').decision,
      'allow_with_warning',
    );
    assert.equal(
      decideContact(pair({ connected: true, sender: party('adult', false, r.holdAt) }), 'message', uk, 'uk').decision,
      'hold',
    );
    assert.equal(
      decideContact(pair({ connected: true, sender: party('adult', false, r.blockAt) }), 'message', uk, 'uk').decision,
      'block',
    );
    assert.equal(
      decideContact(
        pair({ connected: true, recipient: party('grown-up', false), sender: party('adult', false, 0.99) }),
        'message',
        uk,
        'uk',
      ).decision,
      'allow',
      'risk rules protect children',
    );
  });

  it('prompts a child who reaches out to an adult stranger', () => {
    const result = decideContact(
      pair({ sender: party('child', true), recipient: party('adult', false) }),
      'friend_request',
      uk,
      'uk',
    );
    assert.equal(result.decision, 'allow_with_warning');
    assert.equal(result.nudges[0]!.audience, 'sender');
  });

  it('blocks in both block directions before anything else', () => {
    assert.equal(
      decideContact(pair({ connected: true, blockedByRecipient: true }), 'message', uk, 'uk').reasons[0]!.code,
      'blocked_by_recipient',
    );
    assert.equal(
      decideContact(pair({ connected: true, blockedBySender: true }), 'message', uk, 'uk').reasons[0]!.code,
      'recipient_blocked_by_sender',
    );
  });
});

describe('message decisions', () => {
  const friends = pair({ connected: true });
  it('holds sextortion signals and conversations at the hold threshold', () => {
    assert.equal(
      decideMessage({ pair: friends, signals: ['sextortion_threat'], conversationScore: 0, hasImage: false }, uk, 'uk')
        .decision,
      'hold',
    );
    const risky = decideMessage(
      { pair: friends, signals: [], conversationScore: uk.conversationHoldAt, hasImage: false },
      uk,
      'uk',
    );
    assert.equal(risky.decision, 'hold');
    assert.equal(risky.deliver, false);
    assert.equal(risky.reasons[0]!.code, 'conversation_risk');
  });

  it('holds an image sent to a child by a sender the detector holds risk on', () => {
    const risky = pair({ connected: true, sender: party('adult', false, uk.riskySender.warnAt) });
    const held = decideMessage({ pair: risky, signals: [], conversationScore: 0, hasImage: true }, uk, 'uk');
    assert.equal(held.decision, 'hold');
    assert.equal(held.reasons[0]!.code, 'risky_sender_image');
    assert.equal(
      decideMessage({ pair: friends, signals: [], conversationScore: 0, hasImage: true }, uk, 'uk').decision,
      'allow',
    );
  });

  it('turns each risk signal into one nudge for the child', () => {
    const result = decideMessage(
      {
        pair: friends,
        signals: ['secrecy', 'isolation', 'platform_move', 'gift'],
        conversationScore: 0,
        hasImage: false,
      },
      uk,
      'uk',
    );
    assert.equal(result.decision, 'allow_with_warning');
    assert.deepEqual(codes(result.nudges), ['secrecy', 'platform_move', 'gift_offer']);
    assert.ok(
      result.nudges.every((n) => n.audience === 'recipient'),
      'every nudge is for the child',
    );
  });

  it('does not nudge adults about signals', () => {
    const adults = pair({ connected: true, recipient: party('grown-up', false) });
    assert.equal(
      decideMessage(
        { pair: adults, signals: ['secrecy', 'sextortion_threat'], conversationScore: 0.9, hasImage: false },
        uk,
        'uk',
      ).decision,
      'allow',
    );
  });
});

describe('visibility decisions', () => {
  const p: PolicyProfile = uk;
  it('hides unconnected children from suggestions and lists, shows connected ones', () => {
    const f = { viewer: party('adult', false), subject: party('child', true), connected: false, blocked: false };
    assert.equal(decideVisibility(f, 'friend_suggestions', p).reasons[0]!.code, 'child_not_suggested');
    assert.equal(decideVisibility(f, 'connection_lists', p).reasons[0]!.code, 'child_not_listed');
    assert.equal(decideVisibility({ ...f, connected: true }, 'friend_suggestions', p).visible, true);
    assert.equal(decideVisibility(f, 'friend_suggestions', { ...p, hideChildrenFromSuggestions: false }).visible, true);
  });

  it('hides accounts across a block and risky adults from children', () => {
    assert.equal(
      decideVisibility(
        { viewer: party('a', false), subject: party('b', false), connected: true, blocked: true },
        'connection_lists',
        p,
      ).visible,
      false,
    );
    const risky = {
      viewer: party('child', true),
      subject: party('adult', false, p.riskySender.warnAt),
      connected: false,
      blocked: false,
    };
    assert.equal(decideVisibility(risky, 'friend_suggestions', p).reasons[0]!.code, 'subject_risk');
  });
});
