// What an account-level alert's case holds, from hand-built actor reports (with and without the
// engine's fan-out), and how the queue shows it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActorRiskReport, SignalKind } from '@lifeguard/core';
import { caseQueueFacts, type QueueCase } from '@lifeguard/storage';
import { actorCaseContent, fanOutReason } from '../src/cases/actorCase.ts';
import { queueItem } from '../src/console/queueItem.ts';

function actorReport(extra: Partial<ActorRiskReport> = {}): ActorRiskReport {
  return {
    userId: 'sam_k',
    score: 0.81,
    level: 'high',
    age: null,
    ageSource: 'unknown',
    accountAgeDays: 3,
    distinctMinorsContacted: 4,
    firstContacts: 4,
    unansweredFirstContacts: 0,
    duplicateOpeners: 0,
    blocksAgainst: 0,
    reportsAgainst: 0,
    riskyConversations: [
      { conversationId: 'dm-noah', score: 0.31, stage: 'trust' },
      { conversationId: 'dm-other', score: 0.2, stage: 'access' },
      { conversationId: 'dm-third', score: 0.15, stage: 'access' },
      { conversationId: 'dm-fourth', score: 0.1, stage: 'access' },
    ],
    reasons: [],
    ...extra,
  };
}

const fanOut = {
  children: ['zoe', 'ava', 'noah', 'lily'],
  intents: ['flattery', 'age_probe'] as SignalKind[],
  conversations: ['dm-zoe', 'dm-ava', 'dm-noah', 'dm-lily'],
  alsoConversations: [] as string[],
  withinDays: 1.4,
};
const alert = { subjectId: 'sam_k', level: 'high' as const, score: 0.81 };

describe('actor case content', () => {
  it('holds every fan-out conversation, then the riskiest others, and names the children and the intent sequence', () => {
    const content = actorCaseContent(alert, actorReport({ fanOut }));
    assert.deepEqual(
      content.conversationIds,
      ['dm-zoe', 'dm-ava', 'dm-noah', 'dm-lily', 'dm-other', 'dm-third'],
      'fan-out first, then the top three risky ones without repeats',
    );
    assert.deepEqual(content.childIds, ['zoe', 'ava', 'noah', 'lily'], 'the children the fan-out reached');
    assert.equal(
      content.reason,
      'account sam_k reached high risk (0.81): same flattery + age probe sent to 4 children in 2 days',
      'reason in words',
    );
  });

  it('without a fan-out (older engine, or none found) keeps the three riskiest conversations and the plain reason', () => {
    for (const f of [undefined, null]) {
      const content = actorCaseContent(alert, actorReport(f === undefined ? {} : { fanOut: f }));
      assert.deepEqual(
        content.conversationIds,
        ['dm-noah', 'dm-other', 'dm-third'],
        `fanOut ${String(f)}: top three risky conversations`,
      );
      assert.deepEqual(content.childIds, [], `fanOut ${String(f)}: no children named`);
      assert.equal(content.reason, 'account sam_k reached high risk (0.81)', `fanOut ${String(f)}: plain reason`);
    }
    assert.deepEqual(actorCaseContent(alert, null).conversationIds, [], 'no actor report: no conversations, no crash');
  });

  it('ignores a malformed fan-out (from an old snapshot) instead of failing the alert', () => {
    const bad = {
      children: 'zoe',
      intents: null,
      conversations: 3,
      withinDays: 'soon',
    } as unknown as ActorRiskReport['fanOut'];
    const content = actorCaseContent(alert, actorReport({ fanOut: bad }));
    assert.deepEqual(
      content.conversationIds,
      ['dm-noah', 'dm-other', 'dm-third'],
      'falls back to the risky conversations',
    );
  });

  it('caps the conversations a case copies at 20', () => {
    const many = Array.from({ length: 30 }, (_, i) => `dm-${i}`);
    const content = actorCaseContent(
      alert,
      actorReport({ fanOut: { ...fanOut, conversations: many, children: many.map((_, i) => `kid${i}`) } }),
    );
    assert.equal(content.conversationIds.length, 20, 'at most 20 conversations');
  });

  it('says "within a day" for a fan-out inside one day', () => {
    assert.equal(
      fanOutReason({ intents: ['age_probe', 'platform_move'], children: 3, withinDays: 0.2 }),
      'same age probe + platform move sent to 3 children within a day',
    );
  });
});

describe('actor cases in the queue', () => {
  const evidence = {
    actor: actorReport({ fanOut }),
    participants: [
      { userId: 'sam_k', age: null, isMinor: null },
      { userId: 'noah', age: 13, isMinor: true },
      { userId: 'lily', age: 12, isMinor: true },
      { userId: 'zoe', age: null, isMinor: null }, // never said her age: the fan-out still names her
    ],
    conversations: {},
  };

  it('knows the youngest child, how many children and the fan-out from the evidence', () => {
    const facts = caseQueueFacts({ score: 0.81, accusedId: 'sam_k', evidence });
    assert.equal(facts.childId, 'lily', 'the youngest child by known age');
    assert.equal(facts.childAge, 12, 'youngest known age');
    assert.equal(facts.childCount, 4, 'noah, lily, zoe and ava');
    assert.deepEqual(
      facts.fanOut,
      { intents: ['flattery', 'age_probe'], children: 4, withinDays: 1.4 },
      'fan-out summary',
    );
  });

  it('shows the child, the count and the intent sequence instead of "?" and a bare risk score', () => {
    const facts = caseQueueFacts({ score: 0.81, accusedId: 'sam_k', evidence });
    const q: QueueCase = {
      id: 'case_1',
      tenantId: 'acme',
      accusedId: 'sam_k',
      status: 'open',
      level: 'high',
      score: 0.81,
      conversationIds: ['dm-zoe', 'dm-ava', 'dm-noah', 'dm-lily'],
      openedAt: 0,
      updatedAt: 0,
      version: 1,
      queue: {
        ...facts,
        waitingSince: 0,
        claimedBy: null,
        claimExpiresAt: null,
        appeal: false,
        excludedReviewer: null,
        decidedBy: null,
      },
    };
    const item = queueItem(q, 3_600_000);
    assert.equal(item.childId, 'lily', 'child column names the youngest child');
    assert.equal(item.childCount, 4, 'child column can say +3');
    assert.equal(item.conversationCount, 4, 'four conversations, not 0');
    assert.ok(
      item.reasons.includes('same flattery + age probe sent to 4 children in 2 days'),
      `fan-out reason listed: ${item.reasons.join(' | ')}`,
    );
  });

  it('a case without children or fan-out says so plainly', () => {
    const facts = caseQueueFacts({ score: 0.6, accusedId: 'x', evidence: { participants: [], conversations: {} } });
    assert.equal(facts.childId, null, 'no child');
    assert.equal(facts.childCount, 0, 'no children');
    assert.equal(facts.fanOut, null, 'no fan-out');
  });
});
