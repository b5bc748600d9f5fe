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
    const m = parseEvent({
      type: 'message',
      id: 'm1',
      time: '2026-01-01T10:00:00Z',
      conversationId: 'c',
      senderId: 'a',
      text: 'hi',
    });
    assert.ok(
      m.ok && m.event.type === 'message' && m.event.recipientIds.length === 0,
      'a message is accepted with no recipients by default',
    );
    assert.ok(
      parseEvent({ type: 'account', id: 'a', time: 0, userId: 'u', age: 13 }).ok,
      'an account event is accepted',
    );
    assert.ok(
      parseEvent({
        type: 'contact',
        id: 'k',
        time: 1,
        action: 'report',
        actorId: 'a',
        targetId: 'b',
        reason: 'threats',
      }).ok,
      'a contact event is accepted',
    );
  });

  it('names an unknown event type', () => {
    assert.match(problems({ type: 'like', id: 'x', time: 0 })[0] ?? '', /unknown event type "like"/);
  });

  it('names missing and wrongly typed fields', () => {
    const p = problems({ type: 'message', id: 'm', time: 0, conversationId: 'c', senderId: 5 });
    assert.ok(
      p.some((x) => x.startsWith('senderId:')),
      'the wrongly typed senderId is named',
    );
    assert.ok(
      p.some((x) => x.startsWith('text:')),
      'the missing text is named',
    );
  });

  it('names unknown fields instead of silently dropping them', () => {
    assert.ok(
      problems({ type: 'account', id: 'a', time: 0, userId: 'u', favouriteColour: 'red' }).some((x) =>
        x.includes('favouriteColour: unknown field'),
      ),
      'the unknown field is named',
    );
  });

  it('refuses oversized text and bad times', () => {
    assert.ok(
      problems({
        type: 'message',
        id: 'm',
        time: 0,
        conversationId: 'c',
        senderId: 'a',
        text: 'x'.repeat(LIMITS.textLength + 1),
      }).some((x) => x.startsWith('text:')),
      'oversized text is refused, naming the field',
    );
    assert.ok(
      problems({ type: 'message', id: 'm', time: 'yesterday', conversationId: 'c', senderId: 'a', text: '' }).some(
        (x) => x.startsWith('time:'),
      ),
      'a time that is not a time is refused, naming the field',
    );
  });

  it('refuses U+0000 and unpaired surrogates, which no store can keep as sent, naming the field', () => {
    assert.deepEqual(
      problems({ type: 'message', id: 'm', time: 0, conversationId: 'c', senderId: 'a', text: 'a\u0000b' }),
      ['text: contains U+0000 (NUL), which is not accepted'],
    );
    assert.deepEqual(problems({ type: 'account', id: 'a\ud800', time: 0, userId: 'u' }), [
      'id: contains an unpaired UTF-16 surrogate, which is not valid Unicode',
    ]);
    assert.deepEqual(
      problems({ type: 'contact', id: 'k', time: 0, action: 'report', actorId: 'x', targetId: '\udc00y', reason: 'r' }),
      ['targetId: contains an unpaired UTF-16 surrogate, which is not valid Unicode'],
    );
    assert.ok(
      parseEvent({ type: 'account', id: 'emoji-\ud83d\ude00', time: 0, userId: 'u' }).ok,
      'a surrogate pair is fine',
    );
  });

  it('refuses a time without an offset and years before 1970, as it refuses negative epoch numbers', () => {
    const at = (time: unknown) => problems({ type: 'account', id: 'a', time, userId: 'u' });
    assert.match(at('2026-01-01T10:00:00')[0] ?? '', /^time: .*with an offset/);
    assert.match(at('0000-01-01T00:00:00Z')[0] ?? '', /^time: must not be before 1970/);
    assert.match(at(-1)[0] ?? '', /^time: must not be before 1970/);
    assert.ok(
      parseEvent({ type: 'account', id: 'a', time: '2026-01-01T10:00:00+02:00', userId: 'u' }).ok,
      'an explicit offset is fine',
    );
  });

  it('refuses values that are not objects', () => {
    for (const v of [null, 3, 'x', []]) assert.match(problems(v)[0] ?? '', /expected a JSON object/);
  });

  it('converts times and publishes a JSON Schema', () => {
    assert.equal(toMillis('1970-01-01T00:00:01Z'), 1000);
    const schema = JSON.stringify(eventJsonSchema());
    assert.ok(schema.includes('conversationId'), 'the schema describes conversationId');
  });
});
