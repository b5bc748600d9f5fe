import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageEvent } from '@lifeguard/core';
import { PAN_BASE_TIME } from '../src/input/pan.ts';
import { UnusableInputError } from '../src/input/types.ts';
import { fixture, readAll, tempFile } from './helpers.ts';

const messagesOf = (items: Awaited<ReturnType<typeof readAll>>['items']) =>
  items.flatMap((i) => (i.kind === 'event' && i.event.type === 'message' ? [i.event as MessageEvent] : []));

describe('PAN XML reader', () => {
  it('turns each message into an event with a conversation-scoped id and the other authors as recipients', async () => {
    const { items, issues } = await readAll(fixture('pan-small.xml'));
    assert.deepEqual(issues, []);
    const messages = messagesOf(items);
    assert.deepEqual(
      messages.map((m) => [m.id, m.conversationId, m.senderId, m.recipientIds]),
      [
        ['a1:1', 'a1', 'alpha', ['beta']],
        ['a1:2', 'a1', 'alpha', ['beta']],
        ['a1:3', 'a1', 'beta', ['alpha']],
        ['b2:1', 'b2', 'gamma', ['delta']],
        ['b2:2', 'b2', 'delta', ['gamma']],
      ],
    );
    assert.equal(messages[2]!.text, "sure, give me a minute & I'll set it up");
    assert.deepEqual(
      items
        .filter((i) => i.kind === 'conversation-end')
        .map((i) => (i.kind === 'conversation-end' ? i.conversationId : '')),
      ['a1', 'b2'],
    );
  });

  it('builds increasing times from HH:MM, moving to the next day when the clock goes back', async () => {
    const { items } = await readAll(fixture('pan-small.xml'));
    const times = messagesOf(items).map((m) => m.time as number);
    const minute = 60_000;
    assert.deepEqual(times.slice(0, 3), [
      PAN_BASE_TIME + (23 * 60 + 58) * minute,
      PAN_BASE_TIME + (23 * 60 + 59) * minute,
      PAN_BASE_TIME + (24 * 60 + 4) * minute,
    ]);
    // Each conversation has its own clock.
    assert.equal(times[3], PAN_BASE_TIME + (10 * 60 + 15) * minute);
  });

  it('skips a malformed message, naming its line, and keeps everything around it', async () => {
    const { items, issues, stats } = await readAll(fixture('pan-broken.xml'));
    const ids = messagesOf(items).map((m) => m.id);
    assert.deepEqual(ids, ['k1:1', 'k1:3', 'k2:2']);
    assert.deepEqual(
      issues.map((i) => [i.line, i.severity]),
      [
        [4, 'error'],
        [8, 'error'],
      ],
    );
    assert.match(issues[0]!.message, /malformed XML/);
    assert.match(issues[1]!.message, /not closed/);
    assert.equal(stats.skipped, 2);
    assert.equal(stats.events, 3);
  });

  it('reports a truncated file and still delivers the messages before the cut', async () => {
    const path = tempFile(
      'truncated.xml',
      '<conversations><conversation id="t">\n<message line="1"><author>a</author><time>01:00</time><text>one</text></message>\n<message line="2"><author>b</author><time>01:01</time><text>tw',
    );
    const { items, issues, fatal } = await readAll(path);
    assert.equal(fatal, null);
    assert.deepEqual(
      messagesOf(items).map((m) => m.id),
      ['t:1'],
    );
    assert.ok(
      issues.some((i) => i.line === 3 && /not closed before the end of the file/.test(i.message)),
      'the unclosed element is reported at line 3',
    );
  });

  it('warns about a bad time and reuses the previous time instead of dropping the message', async () => {
    const path = tempFile(
      'bad-time.xml',
      '<conversations><conversation id="t">\n<message line="1"><author>a</author><time>01:00</time><text>one</text></message>\n<message line="2"><author>b</author><time>soon</time><text>two</text></message>\n</conversation></conversations>',
    );
    const { items, issues } = await readAll(path);
    const [first, second] = messagesOf(items);
    assert.equal(second!.time, first!.time);
    assert.equal(issues[0]!.severity, 'warning');
    assert.equal(issues[0]!.line, 3);
  });

  it('skips an over-long message and resumes after its end tag', async () => {
    const long = 'z'.repeat(10_000);
    const path = tempFile(
      'long.xml',
      `<conversations><conversation id="t">\n<message line="1"><author>a</author><time>01:00</time><text>${long}</text></message>\n<message line="2"><author>b</author><time>01:01</time><text>short</text></message>\n</conversation></conversations>`,
    );
    const { items, issues } = await readAll(path, 4096);
    assert.deepEqual(
      messagesOf(items).map((m) => m.id),
      ['t:2'],
    );
    assert.equal(issues[0]!.line, 2);
    assert.match(issues[0]!.message, /longer than 4096/);
  });

  it('gives up on a file that is not a PAN chat log', async () => {
    const path = tempFile('other.xml', '<html><body><p>hello</p></body></html>');
    const { fatal } = await readAll(path);
    assert.ok(fatal instanceof UnusableInputError, 'a file that is not a PAN chat log is unusable input');
    assert.match(fatal.message, /not the PAN chat-log layout/);
  });

  it('gives up on binary data but keeps what came before it', async () => {
    const head =
      '<conversations><conversation id="t">\n<message line="1"><author>a</author><time>01:00</time><text>one</text></message>\n';
    const path = tempFile('binary.xml', Buffer.concat([Buffer.from(head), Buffer.alloc(300 * 1024, 0)]));
    const { items, fatal } = await readAll(path);
    assert.ok(fatal instanceof UnusableInputError, 'binary data is unusable input');
    assert.match(fatal.message, /binary data/);
    assert.deepEqual(
      messagesOf(items).map((m) => m.id),
      ['t:1'],
    );
  });
});
