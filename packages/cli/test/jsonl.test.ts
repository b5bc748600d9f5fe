import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIssue } from '../src/input/types.ts';
import { MAX_BLANK_RUN } from '../src/input/jsonl.ts';
import { MIN_GUNZIP_LIMIT } from '../src/input/source.ts';
import { readAll, tempFile } from './helpers.ts';

const message = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: 'message',
    id,
    time: 1_700_000_000_000,
    conversationId: 'c1',
    senderId: 'u1',
    text: 'hello',
    ...extra,
  });

describe('JSONL reader', () => {
  it('names the line of each bad event and keeps reading the rest', async () => {
    const path = tempFile(
      'mixed.jsonl',
      [
        message('m1'),
        '{"type": "message", "id": ',
        message('m2', { text: 42 }),
        '',
        JSON.stringify({ type: 'teleport', id: 'x' }),
        message('m3', { senderId: undefined }),
        message('m4'),
      ].join('\n'),
    );
    const { items, issues, stats } = await readAll(path);
    assert.deepEqual(
      items.map((i) => (i.kind === 'event' ? i.event.id : null)),
      ['m1', 'm4'],
    );
    assert.deepEqual(
      issues.map((i) => i.line),
      [2, 3, 5, 6],
    );
    assert.match(
      formatIssue(issues[0]!),
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: invalid JSON`),
    );
    assert.match(issues[1]!.message, /^invalid event: text: /);
    assert.match(issues[2]!.message, /unknown event type "teleport"/);
    assert.match(issues[3]!.message, /senderId/);
    assert.equal(stats.skipped, 4);
    assert.equal(stats.events, 2);
  });

  it('reports a line over the size cap and reads the next line', async () => {
    const huge = message('big', { text: 'a'.repeat(5000) });
    const path = tempFile('huge.jsonl', `${message('m1')}\n${huge}\n${message('m2')}\n`);
    const { items, issues } = await readAll(path, 2048);
    assert.equal(items.length, 2);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.line, 2);
    assert.match(issues[0]!.message, /longer than the 2048-byte limit/);
  });

  it('rejects a message whose text is longer than the event schema allows', async () => {
    const path = tempFile('long-text.jsonl', message('m1', { text: 'b'.repeat(25_000) }));
    const { items, issues } = await readAll(path);
    assert.equal(items.length, 0);
    assert.match(issues[0]!.message, /text: must be at most/);
  });

  it('treats a missing file as unusable input', async () => {
    await assert.rejects(readAll('/nonexistent/lifeguard/events.jsonl'), /file not found/);
  });
});

describe('input files', () => {
  it('reads gzip-compressed JSONL and picks the layout from the inner extension', async () => {
    const { gzipSync } = await import('node:zlib');
    const path = tempFile('events.jsonl.gz', gzipSync(`${message('m1')}\n${message('m2')}\n`));
    const { items, issues } = await readAll(path);
    assert.deepEqual(issues, []);
    assert.equal(items.length, 2);
  });

  it('stops a small gzip that decompresses to far more than its size, saying so', async () => {
    const { gzipSync } = await import('node:zlib');
    const bomb = gzipSync(Buffer.alloc(MIN_GUNZIP_LIMIT + 1024 * 1024, 'a'));
    const path = tempFile('bomb.jsonl.gz', bomb);
    const { fatal, items } = await readAll(path);
    assert.match(
      fatal?.message ?? '',
      /decompresses to more than 67108864 bytes \(over 100 times its size\); not read further/,
      `fatal: ${fatal?.message}`,
    );
    assert.equal(items.length, 0, 'nothing read from it');
  });

  it('gives up after a million blank lines in a row, naming the line, and keeps the events before them', async () => {
    const { gzipSync } = await import('node:zlib');
    const path = tempFile(
      'blank.jsonl.gz',
      gzipSync(`${message('m1')}\n${'\n'.repeat(MAX_BLANK_RUN + 5)}${message('m2')}\n`),
    );
    const { fatal, items } = await readAll(path);
    assert.match(
      fatal?.message ?? '',
      new RegExp(`blank\\.jsonl\\.gz:${MAX_BLANK_RUN + 2}: more than 1,000,000 blank lines in a row`),
      `fatal: ${fatal?.message}`,
    );
    assert.equal(items.length, 1, 'the event before the blank run was read');
  });

  it('recognises JSONL by its first character when the extension says nothing', async () => {
    const path = tempFile('events.log', `\n  ${message('m1')}\n`);
    const { items } = await readAll(path);
    assert.equal(items.length, 1);
  });

  it('refuses a file whose layout cannot be recognised', async () => {
    const path = tempFile('notes.txt', 'just some notes\n');
    await assert.rejects(readAll(path), /cannot tell the layout/);
  });
});
