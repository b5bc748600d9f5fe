// Account-level cases and risk models in the console, in real Chromium against the real service: the
// queue names the children an account reached and why, the case view shows the fan-out and which
// model scored the case. Needs Debian's chromium (/usr/bin/chromium); LIFEGUARD_SKIP_BROWSER=1 skips.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MODEL, type RiskModel } from '@lifeguard/core';
import { newId, type CaseRecord } from '@lifeguard/storage';
import { browserSkip, GROOMING, startConsoleEnv, TENANT, v1, type ConsoleEnv } from './harness.ts';

const MODEL: RiskModel = { ...DEFAULT_MODEL, id: 'acme-v2', weights: [...DEFAULT_MODEL.weights] };
const KIDS = [
  ['lily', 12],
  ['noah', 13],
  ['ava', 14],
  ['zoe', 13],
] as const;

/** One account sends compliments and age questions in varied wording to four children who answer 12 to 14. */
function fanOutEvents(t0: number) {
  const openers = ['hey cute pic', 'hi ur really pretty', 'hello gorgeous', 'hey beautiful'];
  const probes = ['how old r u', 'whats ur age', 'how old are you?', 'u in high school? how old'];
  return KIDS.flatMap(([kid, age], i) => {
    const conversationId = `dm-sam-${kid}`;
    const lines: [string, string][] = [
      ['sam_k', openers[i]!],
      ['sam_k', probes[i]!],
      [kid, String(age)],
    ];
    return lines.map(([from, text], j) => ({
      type: 'message',
      id: `fan-${i}-${j}`,
      time: t0 + i * 6 * 3_600_000 + j * 60_000,
      conversationId,
      senderId: from,
      recipientIds: [from === 'sam_k' ? kid : 'sam_k'],
      text,
    }));
  });
}

/**
 * The case the case manager writes for an account whose fan-out the engine found (the evidence shape
 * of caseManager.handleAlert), stored directly so the view is tested whatever today's engine finds.
 */
function fanOutCase(t: number): CaseRecord {
  const conversations: Record<string, unknown> = {};
  const participants = [
    {
      userId: 'fan_acct',
      age: null,
      ageSource: 'unknown',
      isMinor: null,
      declaredAge: null,
      declaredAgeBand: null,
      country: null,
    },
  ];
  for (const [kid, age] of KIDS) {
    const id = `dm-fan-${kid}`;
    conversations[id] = {
      report: {
        conversationId: id,
        score: 0.4,
        level: 'medium',
        stage: 'access',
        stagesReached: ['access'],
        sextortion: { leverage: false, threat: false, payment: false, deadline: false },
        suspectId: 'fan_acct',
        targetId: kid,
        participants: [],
        messageCount: 3,
        firstAt: t,
        lastAt: t,
        modelId: 'acme-v2',
        reasons: [],
        evidence: [],
      },
      messages: [
        {
          id: `${id}-1`,
          time: t,
          senderId: 'fan_acct',
          recipientIds: [kid],
          text: 'hey ur really pretty, how old r u',
          textPurged: false,
        },
        {
          id: `${id}-2`,
          time: t + 60_000,
          senderId: kid,
          recipientIds: ['fan_acct'],
          text: String(age),
          textPurged: false,
        },
      ],
    };
    participants.push({
      userId: kid,
      age,
      ageSource: 'disclosed',
      isMinor: true,
      declaredAge: null,
      declaredAgeBand: null,
      country: null,
    } as never);
  }
  const actor = {
    userId: 'fan_acct',
    score: 0.83,
    level: 'high',
    age: null,
    ageSource: 'unknown',
    accountAgeDays: 2,
    distinctMinorsContacted: 4,
    firstContacts: 4,
    unansweredFirstContacts: 0,
    duplicateOpeners: 0,
    blocksAgainst: 0,
    reportsAgainst: 0,
    riskyConversations: [],
    reasons: ['contacted 4 child accounts'],
    fanOut: {
      children: KIDS.map(([k]) => k),
      intents: ['flattery', 'age_probe'],
      conversations: Object.keys(conversations),
      withinDays: 1.5,
    },
    modelId: 'acme-v2',
  };
  return {
    id: newId('case'),
    tenantId: TENANT,
    accusedId: 'fan_acct',
    status: 'open',
    level: 'high',
    score: 0.83,
    conversationIds: Object.keys(conversations),
    evidence: {
      alerts: [
        {
          kind: 'actor',
          subjectId: 'fan_acct',
          level: 'high',
          score: 0.83,
          time: t,
          eventId: 'x',
          messagesRead: 8,
          modelId: 'acme-v2',
        },
      ],
      actor,
      conversations,
      participants,
      modelId: 'acme-v2',
    },
    openedAt: t,
    updatedAt: t,
    version: 1,
  };
}

describe('account cases and risk models in the console (Chromium)', { timeout: 240_000 }, () => {
  let env: ConsoleEnv;
  let fanCase: CaseRecord;
  let samCase = '';
  before(
    async () => {
      if (browserSkip) return;
      // acme is scored by a named model; a lower account threshold makes today's engine raise an account alert for the fan-out.
      env = await startConsoleEnv(
        [{ accused: 'rick_j', accusedAge: 34, child: 'mia', childAge: 13, chat: GROOMING, hoursAgo: 5 }],
        {
          server: { models: { tenants: { [TENANT]: MODEL } }, engine: { engine: { actorAlertThreshold: 0.3 } } },
        },
      );
      await v1(env.base, env.apiKey, 'POST', '/v1/events', { events: fanOutEvents(Date.now() - 30 * 3_600_000) });
      await env.app.lifeguard.engines.idle();
      await env.app.lifeguard.cases.flush();
      const { cases } = await v1(env.base, env.apiKey, 'GET', '/v1/cases?accusedId=sam_k');
      assert.equal(cases.length, 1, 'the engine opened a case against sam_k');
      samCase = cases[0].id;
      fanCase = fanOutCase(Date.now() - 2 * 3_600_000);
      await env.storage.saveCase(TENANT, { caseRecord: fanCase });
    },
    { timeout: 180_000 },
  );
  after(async () => {
    await env?.close();
  });

  test('the queue names the youngest child and how many more, and the fan-out in words', {
    skip: browserSkip,
  }, async () => {
    const { context, page } = await env.signIn('moderator');
    const row = (id: string) => page.locator(`table.queue tbody tr[data-case-id="${id}"]`);
    await row(fanCase.id).waitFor();
    assert.match(
      await row(fanCase.id).getByTestId('child-cell').innerText(),
      /^12\s*lily \+3$/,
      'youngest child, age and three more',
    );
    const fanRow = await row(fanCase.id).innerText();
    assert.ok(fanRow.includes('same flattery + age probe sent to 4 children in 2 days'), `reason in words: ${fanRow}`);
    assert.ok(fanRow.includes('4 conversations'), `conversation count: ${fanRow}`);

    // The case the real engine opened for sam_k: children and conversations, never "?" and "0 conversations".
    const sam = await row(samCase).innerText();
    assert.doesNotMatch(sam, /\b0 conversations/, `sam_k's case holds conversations: ${sam}`);
    assert.match(
      await row(samCase).getByTestId('child-cell').innerText(),
      /^1[2-4]\s*(lily|noah|ava|zoe)( \+\d)?$/,
      'a child with an age, not "?"',
    );
    await context.close();
  });

  test('the case view shows the fan-out, the children reached and the model that scored it', {
    skip: browserSkip,
  }, async () => {
    const { context, page } = await env.signIn('moderator');
    await page.goto(`/console/cases/${encodeURIComponent(fanCase.id)}`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'fan_acct' }).waitFor();
    assert.equal(
      await page.getByTestId('fan-out-summary').innerText(),
      'fan_acct sent the same flattery + age probe to 4 children in 2 days.',
    );
    assert.deepEqual(
      await page.getByTestId('fan-out-child').allInnerTexts(),
      ['lily', 'noah', 'ava', 'zoe'],
      'every child reached',
    );
    assert.equal(await page.getByTestId('model-id').innerText(), 'Scored by risk model acme-v2');
    assert.equal(await page.locator('section.conversation').count(), 4, 'the four conversations are in the case');
    for (const [kid] of KIDS)
      await page
        .getByRole('heading', { level: 2 })
        .filter({ hasText: `dm-fan-${kid}` })
        .waitFor();

    // A case the live engine opened names the tenant's model too.
    await page.goto(`/console/cases/${encodeURIComponent(env.cases.rick_j!)}`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'rick_j' }).waitFor();
    assert.equal(await page.getByTestId('model-id').innerText(), 'Scored by risk model acme-v2');
    assert.match(
      await page.locator('section.conversation h2').first().innerText(),
      /model acme-v2/,
      'each conversation names its model',
    );
    await context.close();
  });
});
