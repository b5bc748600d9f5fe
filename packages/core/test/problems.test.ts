import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { parseEvent } from '../src/events.ts';
import { problemPath, zodProblems } from '../src/problems.ts';

describe('validation problems', () => {
  it('writes paths as a person reads them: indexes in brackets, fields after dots', () => {
    assert.equal(problemPath(['attachments', 0, 'kind'], 'events[3]'), 'events[3].attachments[0].kind', 'nested path');
    assert.equal(problemPath(['profiles', 'en-GB', 'childUnder']), 'profiles.en-GB.childUnder', 'plain keys');
    assert.equal(problemPath(['names', 'a b']), 'names["a b"]', 'a key with a space is quoted');
    assert.equal(problemPath([]), '(root)', 'the whole value');
    assert.equal(problemPath([], 'events[2]'), 'events[2]', 'the whole value at a prefix');
  });

  it('names each unknown field and each missing field by its full path', () => {
    const schema = z.strictObject({ items: z.array(z.strictObject({ kind: z.string() })) });
    const result = schema.safeParse({ items: [{ kind: 'a' }, { colour: 'red', size: 2 }] });
    assert.ok(!result.success, 'the bad item is refused');
    assert.deepEqual(
      zodProblems(result.error.issues).sort(),
      ['items[1].colour: unknown field', 'items[1].kind: required field is missing', 'items[1].size: unknown field'],
      'one line per problem, each naming its path',
    );
  });

  it('names a bad nested event field with the place of the event in its batch', () => {
    const result = parseEvent(
      {
        type: 'message',
        id: 'm1',
        time: 0,
        conversationId: 'c1',
        senderId: 'a',
        text: 'hi',
        attachments: [{ kind: 'image' }, { kind: 'hologram', mood: 'x' }],
      },
      'events[3]',
    );
    assert.ok(!result.ok, 'an event with a bad attachment is refused');
    const problems = result.ok ? [] : result.error.problems;
    assert.ok(
      problems.some((p) => p.startsWith('events[3].attachments[1].kind: ')),
      `the bad kind is named by its full path: ${problems.join('; ')}`,
    );
    assert.ok(
      problems.includes('events[3].attachments[1].mood: unknown field'),
      `the unknown nested field is named by its full path: ${problems.join('; ')}`,
    );
  });
});
