import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIMITS, eventJsonSchema, parseEvent, toMillis } from '../src/events.ts';

function problems(value: unknown): string[] {
  const r = parseEvent(value);
  assert.equal(r.ok, false);
  return r.ok ? [] : r.error.problems;
}

describe('event schema', () => {
  it('accepts each event type and defaults recipients', () => {
    const m = parseEvent({ type: 'message', id: 'm1', time: '2026-01-01T10:00:00Z', conversationId: 'c', senderId: 'a', text: 'hi' });
    assert.ok(m.ok && m.event.type === 'message' && m.event.recipientIds.length === 0);
    assert.ok(parseEvent({ type: 'account', id: 'a', time: 0, userId: 'u', age: 13 }).ok);
    assert.ok(parseEvent({ type: 'contact', id: 'k', time: 1, action: 'report', actorId: 'a', targetId: 'b', reason: 'threats' }).ok);
  });

  it('names an unknown event type', () => {
    assert.match(problems({ type: 'like', id: 'x', time: 0 })[0] ?? '', /unknown event type "like"/);
  });

  it('names missing and wrongly typed fields', () => {
    const p = problems({ type: 'message', id: 'm', time: 0, conversationId: 'c', senderId: 5 });
    assert.ok(p.some((x) => x.startsWith('senderId:')));
    assert.ok(p.some((x) => x.startsWith('text:')));
  });

  it('names unknown fields instead of silently dropping them', () => {
    assert.ok(problems({ type: 'account', id: 'a', time: 0, userId: 'u', favouriteColour: 'red' }).some((x) => x.includes('favouriteColour: unknown field')));
  });

  it('refuses oversized text and bad times', () => {
    assert.ok(problems({ type: 'message', id: 'm', time: 0, conversationId: 'c', senderId: 'a', text: 'x'.repeat(LIMITS.textLength + 1) }).some((x) => x.startsWith('text:')));
    assert.ok(problems({ type: 'message', id: 'm', time: 'yesterday', conversationId: 'c', senderId: 'a', text: '' }).some((x) => x.startsWith('time:')));
  });

  it('refuses values that are not objects', () => {
    for (const v of [null, 3, 'x', []]) assert.match(problems(v)[0] ?? '', /expected a JSON object/);
  });

  it('converts times and publishes a JSON Schema', () => {
    assert.equal(toMillis('1970-01-01T00:00:01Z'), 1000);
    const schema = JSON.stringify(eventJsonSchema());
    assert.ok(schema.includes('conversationId'));
  });
});
