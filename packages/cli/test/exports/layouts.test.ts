// Discord, Instagram/Facebook, Telegram and Snapchat exports, read through openInput as `scan`
// reads them: the layout is found by itself, and every message becomes one event.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { MessageEvent } from '@lifeguard/core';
import { openInput } from '../../src/input/source.ts';
import type { InputFormat, InputIssue } from '../../src/input/types.ts';
import { readAll, tempFile } from '../helpers.ts';
import {
  ADULT,
  CHILD,
  discord,
  FRIEND,
  FRIENDS,
  GROOMING,
  metaThread,
  snapchat,
  snapchatOlder,
  START,
  telegram,
} from './samples.ts';

const messages = (items: Awaited<ReturnType<typeof readAll>>['items']) =>
  items.flatMap((i) => (i.kind === 'event' && i.event.type === 'message' ? [i.event as MessageEvent] : []));

async function layoutOf(path: string): Promise<{ format: InputFormat; detail?: string }> {
  const input = await openInput(path, { file: path, onIssue: () => {} });
  return { format: input.format, ...(input.detail ? { detail: input.detail } : {}) };
}

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'lifeguard-export-'));
}

describe('Discord (DiscordChatExporter JSON)', () => {
  it('is recognised in a .json file and says so', async () => {
    const path = tempFile('dm.json', discord());
    const { format, detail } = await layoutOf(path);
    assert.equal(format, 'discord', 'layout');
    assert.match(detail ?? '', /DiscordChatExporter/, 'the detail names the exporter');
  });

  it('reads every written message, skips the "RecipientAdd" system entry, keeps attachments as kinds', async () => {
    const { items, issues, stats } = await readAll(tempFile('dm2.json', discord()));
    const ms = messages(items);
    assert.deepEqual(issues, [], 'no problems');
    assert.equal(ms.length, GROOMING.length, 'one event per message');
    assert.equal(stats.records, GROOMING.length + 1, 'the system entry is counted as read');
    assert.equal(ms[0]!.conversationId, 'discord:555', 'channel id');
    assert.deepEqual(ms[0]!.recipientIds, [CHILD], 'the other participant receives it');
    assert.equal(ms[0]!.time, START, 'the ISO time with its offset, in milliseconds');
    assert.deepEqual(ms.find((m) => m.attachments)?.attachments, [{ kind: 'image' }], 'dog.jpg is an image');
  });

  it('skips a message without author or timestamp and a duplicate id, naming the line of each', async () => {
    const doc = JSON.parse(discord()) as { messages: Record<string, unknown>[] };
    delete doc.messages[2]!.author;
    doc.messages[3]!.timestamp = 'yesterday';
    doc.messages.push({ ...doc.messages[5]! });
    const text = JSON.stringify(doc, null, 2);
    const { items, issues } = await readAll(tempFile('dm3.json', text));
    const lines = text.split('\n');
    assert.equal(messages(items).length, GROOMING.length - 2, 'two bad messages and the copy left out');
    assert.equal(issues.length, 3, `three problems: ${JSON.stringify(issues)}`);
    for (const issue of issues)
      assert.equal(lines[issue.line - 1]!.trim(), '{', `line ${issue.line} is where that message's object starts`);
    assert.match(issues[0]!.message, /has no author/, 'missing author named');
    assert.match(issues[1]!.message, /"yesterday"/, 'bad time quoted');
    assert.match(issues[2]!.message, /appears twice/, 'duplicate named');
  });
});

describe('Instagram and Facebook messages', () => {
  const write = (root: string, service: string) => {
    const thread = join(root, service, 'messages', 'inbox', 'rickj_123');
    mkdirSync(thread, { recursive: true });
    // Split over two files as Meta does: message_1 holds the newest messages.
    writeFileSync(
      join(thread, 'message_1.json'),
      metaThread(GROOMING.slice(8), [ADULT, CHILD], ADULT, 'inbox/rickj_123'),
    );
    writeFileSync(
      join(thread, 'message_2.json'),
      metaThread(GROOMING.slice(0, 8), [ADULT, CHILD], ADULT, 'inbox/rickj_123'),
    );
    const friends = join(root, service, 'messages', 'inbox', 'zoe_456');
    mkdirSync(friends, { recursive: true });
    writeFileSync(join(friends, 'message_1.json'), metaThread(FRIENDS, [FRIEND, CHILD], FRIEND, 'inbox/zoe_456'));
    writeFileSync(join(root, service, 'profile.json'), '{"profile_user": []}');
  };

  it('finds messages/inbox in an unpacked Instagram folder and names the service', async () => {
    const root = dir();
    write(root, 'your_instagram_activity');
    const { format, detail } = await layoutOf(root);
    assert.equal(format, 'meta', 'layout');
    assert.match(detail ?? '', /^Instagram /, `detail names Instagram: ${detail}`);
  });

  it('repairs the mis-encoded UTF-8 (Zoë, café, ☕) and merges a thread split over two files in time order', async () => {
    const root = dir();
    write(root, 'your_facebook_activity');
    const { items, issues } = await readAll(root);
    const ms = messages(items);
    assert.deepEqual(issues, [], 'no problems');
    assert.equal(ms.length, GROOMING.length + FRIENDS.length, 'all messages of both threads');
    const thread = ms.filter((m) => m.conversationId === 'meta:inbox/rickj_123');
    assert.equal(thread.length, GROOMING.length, 'both files of the thread');
    assert.deepEqual(
      thread.map((m) => m.text),
      GROOMING.map(([, , text, media]) => (media ? '' : text)),
      'oldest first, in order',
    );
    const zoe = ms.filter((m) => m.conversationId === 'meta:inbox/zoe_456');
    assert.equal(zoe[0]!.senderId, 'Zoë', 'sender name repaired');
    assert.equal(zoe[1]!.text, 'nope lol, café after school?', 'é repaired');
    assert.equal(zoe[2]!.text, 'yes!! ☕ see u at 4', 'a three-byte character repaired');
    assert.deepEqual(thread.find((m) => m.attachments)?.attachments, [{ kind: 'image' }], 'photo kept as a kind');
  });

  it('leaves text alone that is not mis-encoded (already correct, or real Latin-1)', async () => {
    const { repairMetaText } = await import('../../src/input/exports/text.ts');
    assert.equal(repairMetaText('café ☕'), 'café ☕', 'correct text with characters above U+00FF');
    assert.equal(repairMetaText('café'), 'café', 'Latin-1 é alone is not valid UTF-8 bytes');
    assert.equal(repairMetaText('cafÃ©'), 'café', 'the mis-encoded form is repaired');
  });
});

describe('Telegram Desktop result.json', () => {
  it('reads every chat, joins formatted text pieces, skips service messages', async () => {
    const path = tempFile('result.json', telegram());
    const { format } = await layoutOf(path);
    assert.equal(format, 'telegram', 'layout');
    const { items, issues, stats } = await readAll(path);
    const ms = messages(items);
    assert.deepEqual(issues, [], 'no problems');
    assert.equal(ms.length, GROOMING.length + FRIENDS.length, 'both chats');
    assert.equal(stats.conversations, 2, 'two chats');
    assert.ok(
      ms.some((m) => m.text === GROOMING[8]![2]),
      'the bold "snap" piece joined back into the sentence',
    );
    assert.equal(ms[0]!.time, START, 'date_unixtime used');
  });

  it('falls back to the local "date" of old exports and says the times are read as UTC', async () => {
    const doc = JSON.parse(telegram()) as { chats: { list: { messages: Record<string, unknown>[] }[] } };
    for (const chat of doc.chats.list) for (const m of chat.messages) delete m.date_unixtime;
    const path = tempFile('old-result.json', JSON.stringify(doc));
    const { detail } = await layoutOf(path);
    assert.match(detail ?? '', /shown as UTC/, 'detail warns about the clock');
    const { items } = await readAll(path);
    assert.equal(messages(items)[0]!.time, START, 'local date read as UTC');
  });
});

describe('Snapchat "My Data" chat history', () => {
  it('reads the current shape with IsSender', async () => {
    const path = tempFile('chat_history.json', snapchat());
    assert.equal((await layoutOf(path)).format, 'snapchat', 'layout');
    const { items, issues } = await readAll(path);
    const ms = messages(items);
    assert.deepEqual(issues, [], 'no problems');
    assert.equal(ms.length, GROOMING.length, 'every entry');
    assert.equal(ms[0]!.senderId, 'rickj34', 'From');
    assert.deepEqual(ms[0]!.recipientIds, ['mia.draws'], 'the owner (IsSender) is the other participant');
    assert.equal(ms[0]!.time, START, 'Created(microseconds)');
    assert.deepEqual(ms.find((m) => m.attachments)?.attachments, [{ kind: 'image' }], 'MEDIA is an image placeholder');
  });

  it('reads the older Received/Sent shape with the owner as "me", and says so', async () => {
    const path = tempFile('old_chat_history.json', snapchatOlder());
    const { detail } = await layoutOf(path);
    assert.match(detail ?? '', /"me"/, 'detail explains "me"');
    const { items } = await readAll(path);
    const ms = messages(items);
    assert.equal(ms.length, GROOMING.length - 1, 'all saved text entries');
    assert.deepEqual([...new Set(ms.map((m) => m.senderId))].sort(), ['me', 'rickj34'], 'owner and friend');
    const times = ms.map((m) => Number(m.time));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'received and sent interleaved in time order',
    );
  });

  it('refuses an entry whose Created is not a date, naming the line', async () => {
    const doc = JSON.parse(snapchat()) as Record<string, Record<string, unknown>[]>;
    doc.rickj34![1]!.Created = 'last week';
    delete doc.rickj34![1]!['Created(microseconds)'];
    const text = JSON.stringify(doc, null, 2);
    const { issues } = await readAll(tempFile('bad_chat_history.json', text));
    assert.equal(issues.length, 1, 'one problem');
    assert.match(issues[0]!.message, /"last week" is not a date/, 'quotes the value');
    assert.match(text.split('\n')[issues[0]!.line]!, /"From"/, "the line is the entry's opening brace");
  });
});

describe('layout detection and bad input', () => {
  it('still reads a .json file of JSONL events as JSONL', async () => {
    const path = tempFile(
      'events.json',
      '{"type":"message","id":"m1","time":0,"conversationId":"c","senderId":"a","text":"hi"}\n',
    );
    assert.equal((await layoutOf(path)).format, 'jsonl', 'one event per line is JSONL');
  });

  it('names file and line for JSON that is not an export layout', async () => {
    const path = tempFile('other.json', '{\n  "messages": 3,\n  "owner": "x"\n}\n');
    await assert.rejects(
      layoutOf(path),
      /other\.json:1: JSON, but not a chat export layout Lifeguard knows \(top-level keys: messages, owner\)/,
      'unknown layout',
    );
  });

  it('names the line where a truncated export breaks off', async () => {
    const text = discord();
    const path = tempFile('cut.json', text.slice(0, Math.floor(text.length / 2)));
    const lines = text.slice(0, Math.floor(text.length / 2)).split('\n').length;
    await assert.rejects(layoutOf(path), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(`cut\\.json:(${lines}|${lines + 1}): not valid JSON`),
        `line of the break: ${error.message}`,
      );
      return true;
    });
  });

  it('names the line of a byte that is not UTF-8 in a JSON export (mixed encodings)', async () => {
    const text = discord();
    const at = text.indexOf('ur really talented');
    const bytes = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xe9]), Buffer.from(text.slice(at))]);
    const line = text.slice(0, at).split('\n').length;
    const path = tempFile('mixed.json', bytes);
    await assert.rejects(
      layoutOf(path),
      new RegExp(`mixed\\.json:${line}: byte 0xe9 is not UTF-8: the file mixes text encodings`),
      'file, line and byte',
    );
  });

  it('says a folder holds no export it knows, listing what it found', async () => {
    const root = dir();
    writeFileSync(join(root, 'notes.md'), '# notes');
    await assert.rejects(
      layoutOf(root),
      /no chat export layout Lifeguard knows in this folder \(1 files: notes\.md\); expected a WhatsApp/,
      'lists the file',
    );
  });

  it('asks for JSON when Snapchat or Meta data was downloaded as HTML', async () => {
    const root = dir();
    mkdirSync(join(root, 'chat_history'));
    writeFileSync(join(root, 'chat_history', 'subpage_rickj34.html'), '<html></html>');
    await assert.rejects(layoutOf(root), /Snapchat "My Data" export in HTML only/, 'says how to fix it');
  });

  it('obeys --format and refuses a file of another layout', async () => {
    const path = tempFile('dm-forced.json', discord());
    await assert.rejects(
      openInput(path, { file: path, onIssue: () => {}, format: 'telegram' }),
      /not Telegram Desktop export/,
      'forced layout checked',
    );
    const ok = await openInput(path, { file: path, onIssue: () => {}, format: 'discord' });
    assert.equal(ok.format, 'discord', 'forced matching layout accepted');
  });

  it('reads a folder of Discord channel files and passes over JSON that is no chat', async () => {
    const root = dir();
    writeFileSync(join(root, 'dm.json'), discord());
    const other = JSON.parse(discord()) as { channel: { id: string } };
    other.channel.id = '777';
    writeFileSync(join(root, 'group.json'), JSON.stringify(other));
    writeFileSync(join(root, 'settings.json'), '{"theme": "dark"}');
    writeFileSync(join(root, 'broken.json'), '{\n  "theme": \n');
    const issues: InputIssue[] = [];
    const input = await openInput(root, { file: root, onIssue: (i) => issues.push(i) });
    assert.equal(input.format, 'discord', 'layout');
    assert.equal(input.stats.conversations, 2, 'both channels');
    assert.equal(issues.length, 1, `only the broken file is noted: ${JSON.stringify(issues)}`);
    assert.match(issues[0]!.file, /broken\.json$/, 'names the file');
    assert.equal(issues[0]!.line, 3, 'and the line where it breaks');
    assert.match(issues[0]!.message, /^not valid JSON .*; file ignored$/, 'says it was passed over');
  });

  it('warns when an export holds no messages at all', async () => {
    const { issues, items } = await readAll(
      tempFile('WhatsApp Chat with Nobody.txt', '01/03/2024, 10:00 - Messages and calls are end-to-end encrypted.\n'),
    );
    assert.equal(items.length, 0, 'nothing to read');
    assert.equal(issues.length, 1, 'one warning');
    assert.match(issues[0]!.message, /no messages in it \(1 system lines left out\)/, 'says why');
  });

  it('orders messages of all conversations by time and ends each conversation after its last message', async () => {
    const { items } = await readAll(tempFile('result2.json', telegram()));
    const times = messages(items).map((m) => Number(m.time));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'time order across chats',
    );
    const ends = items.filter((i) => i.kind === 'conversation-end');
    assert.equal(ends.length, 2, 'one end per chat');
  });

  it('reports a text over the event limit as a warning and reads its start', async () => {
    const doc = JSON.parse(discord()) as { messages: Record<string, unknown>[] };
    doc.messages[1]!.content = 'long '.repeat(5000);
    const issues: InputIssue[] = [];
    const path = tempFile('long.json', JSON.stringify(doc, null, 2));
    const input = await openInput(path, { file: path, onIssue: (i) => issues.push(i) });
    const events = [];
    for await (const batch of input.items) events.push(...batch);
    assert.equal(events.filter((e) => e.kind === 'event').length, GROOMING.length, 'nothing lost');
    assert.equal(issues.length, 1, 'one warning');
    assert.equal(issues[0]!.severity, 'warning', 'a warning, not a skip');
    assert.match(issues[0]!.message, /25000 characters; only the first 20000/, 'says what was cut');
  });
});
