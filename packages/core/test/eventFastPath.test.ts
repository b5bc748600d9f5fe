import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quickEvent } from '../src/eventFastPath.ts';
import { eventSchema, LIMITS } from '../src/events.ts';

const message = {
  type: 'message',
  id: 'm1',
  time: 1_700_000_000_000,
  conversationId: 'c1',
  senderId: 'a',
  recipientIds: ['b'],
  text: 'how old are you? 🙂',
};
const contact = {
  type: 'contact',
  id: 'k1',
  time: 5,
  action: 'block',
  actorId: 'a',
  targetId: 'b',
  reason: 'rude',
  conversationId: 'c1',
};

/** Field values that break a rule (or that the quick check leaves to zod), tried in every field. */
const odd: unknown[] = [
  undefined,
  null,
  '',
  'x'.repeat(LIMITS.idLength + 1),
  'x'.repeat(LIMITS.textLength + 1),
  'nul\u0000',
  'lone \ud800 surrogate',
  'pair \ud83d\ude42 ok',
  -1,
  -0,
  1.5,
  8.64e15,
  8.64e15 + 2,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '2026-01-01T10:00:00Z',
  '2026-01-01T10:00:00',
  [],
  ['b', 'c'],
  [''],
  ['b', 7],
  Array.from({ length: LIMITS.recipients + 1 }, (_, i) => `r${i}`),
  [{ kind: 'image' }],
  {},
  'report',
  'wave',
  true,
  7,
];

function variants(base: Record<string, unknown>): unknown[] {
  const out: unknown[] = [base, { ...base, extra: 1 }, [base], 'text', null, Object.create(base)];
  for (const key of [...Object.keys(base), 'attachments', 'recipientIds', 'reason', 'conversationId']) {
    const { [key]: _removed, ...without } = base;
    out.push(without);
    for (const value of odd) out.push({ ...base, [key]: value });
  }
  return out;
}

describe('quick event check', () => {
  it('accepts only what the event schema accepts, with the same result', () => {
    let quick = 0;
    let total = 0;
    for (const value of [...variants(message), ...variants(contact)]) {
      total++;
      const fast = quickEvent(value);
      const zod = eventSchema.safeParse(value);
      if (fast === null) continue;
      quick++;
      assert.ok(zod.success, `zod refuses what the quick check accepted: ${JSON.stringify(value)}`);
      assert.deepStrictEqual(fast, zod.data, `same event as zod gives for ${JSON.stringify(value)}`);
      assert.equal(JSON.stringify(fast), JSON.stringify(zod.data), 'same keys in the same order (the stored body)');
    }
    // The check must actually take the common cases, or ingestion gains nothing.
    assert.ok(quick > 20, `the quick check took ${quick} of ${total} variants; expected the plain valid ones`);
    assert.ok(quickEvent(message) !== null && quickEvent(contact) !== null, 'plain message and contact taken');
  });

  it('gives a fresh recipient list, never the caller’s array', () => {
    const recipientIds = ['b'];
    const event = quickEvent({ ...message, recipientIds });
    assert.ok(event?.type === 'message', 'a message');
    assert.notEqual(event.recipientIds, recipientIds, 'a copy of the recipients');
  });
});
