// WhatsApp "Export chat" text: every phone style gives the same messages at the same times.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeWhatsAppLines,
  looksLikeWhatsApp,
  parseWhatsApp,
  whatsAppTitle,
} from '../../src/input/exports/whatsapp.ts';
import type { IssueSink } from '../../src/input/exports/model.ts';
import { ADULT, CHILD, GROOMING, START, whatsapp, type WhatsAppStyle } from './samples.ts';

interface Seen {
  line: number;
  message: string;
  severity: string;
}
function parse(text: string | Uint8Array, title = 'Rick J') {
  const issues: Seen[] = [];
  const sink: IssueSink = (_file, line, message, severity = 'error') => issues.push({ line, message, severity });
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const result = parseWhatsApp(decodeWhatsAppLines(bytes, 'chat.txt', sink), 'chat.txt', title, sink);
  return { ...result, issues };
}

const STYLES: WhatsAppStyle[] = ['android-us', 'android-gb', 'android-de', 'ios-gb', 'ios-us'];

describe('WhatsApp export', () => {
  for (const style of STYLES) {
    it(`reads the ${style} style: senders, texts and times as written`, () => {
      const { conversation, issues, ios } = parse(whatsapp(style));
      assert.deepEqual(issues, [], 'no problems in a clean export');
      assert.equal(ios, style.startsWith('ios'), 'platform recognised');
      assert.deepEqual(conversation.participants, [ADULT, CHILD], 'the two people, and not the system lines');
      const first = conversation.messages[0]!;
      assert.equal(first.sender, ADULT, 'first message from the adult');
      assert.equal(first.text, GROOMING[0]![2], 'text after "Name: "');
      assert.equal(
        first.time,
        START,
        `first message at 2024-03-01 19:40 UTC, got ${new Date(first.time).toISOString()}`,
      );
      const late = conversation.messages.find((m) => m.text.startsWith('add me on snap'))!;
      assert.equal(late.time, START + 1350 * 60_000, 'a message the next day keeps its date');
    });
  }

  it('joins continuation lines into one multi-line message', () => {
    const { conversation } = parse(whatsapp('android-gb'));
    const last = conversation.messages[conversation.messages.length - 1]!;
    assert.equal(last.text, 'ok\nsee u there\nbye', 'three lines, one message');
  });

  it('turns "<Media omitted>" and "image omitted" into an attachment, never a text', () => {
    for (const style of ['android-us', 'android-de', 'ios-gb'] as const) {
      const { conversation } = parse(whatsapp(style));
      const media = conversation.messages.filter((m) => m.attachments.length > 0);
      assert.equal(media.length, 1, `${style}: one media message`);
      assert.equal(media[0]!.text, '', `${style}: the placeholder is not read as words`);
      assert.deepEqual(media[0]!.attachments, [style === 'ios-gb' ? 'image' : 'file'], `${style}: attachment kind`);
    }
  });

  it('leaves out system lines: encryption notices, and subject changes that contain ": "', () => {
    const android = parse(whatsapp('android-gb'));
    assert.equal(android.systemLines, 2, 'Android: encryption notice and the description change');
    const ios = parse(whatsapp('ios-gb'));
    assert.equal(ios.systemLines, 2, 'iOS: the U+200E-marked notice and the description change');
    assert.ok(
      !ios.conversation.messages.some((m) => /encrypted|description/.test(m.text)),
      'no system text among messages',
    );
  });

  it('works out day-first from a day over 12, and month-first from a second number over 12', () => {
    const dayFirst = parse('13/02/2024, 10:00 - A: hi\n01/03/2024, 10:00 - B: hey\n');
    assert.equal(dayFirst.order, 'dmy', 'a first number of 13 can only be a day');
    assert.equal(dayFirst.conversation.messages[1]!.time, Date.UTC(2024, 2, 1, 10), '01/03 is the 1st of March');
    const monthFirst = parse('2/13/24, 10:00 AM - A: hi\n3/1/24, 10:00 AM - B: hey\n');
    assert.equal(monthFirst.order, 'mdy', 'a second number of 13 can only be a day');
    assert.equal(monthFirst.conversation.messages[1]!.time, Date.UTC(2024, 2, 1, 10), '3/1 is the 1st of March');
    const iso = parse('2024-03-01 21:05 - A: hi\n');
    assert.equal(iso.conversation.messages[0]!.time, Date.UTC(2024, 2, 1, 21, 5), 'year-first dates');
  });

  it('reads Spanish "p. m." and 12 AM / 12 PM correctly', () => {
    const { conversation } = parse(
      '[1/3/24, 9:05:00 p. m.] A: hola\n[1/3/24, 12:10:00 a. m.] B: hi\n[1/3/24, 12:10:00 p. m.] B: hi\n',
    );
    assert.deepEqual(
      conversation.messages.map((m) => new Date(m.time).getUTCHours()),
      [21, 0, 12],
      '9 pm, midnight, noon',
    );
  });

  it('reports a line with an impossible date and keeps the message at the previous time', () => {
    const { conversation, issues } = parse('01/03/2024, 10:00 - A: hi\n31/02/2024, 10:05 - B: when\n');
    assert.equal(conversation.messages.length, 2, 'both messages kept');
    assert.equal(conversation.messages[1]!.time, Date.UTC(2024, 2, 1, 10), 'previous time used');
    assert.equal(issues.length, 1, 'one warning');
    assert.equal(issues[0]!.line, 2, 'on line 2');
    assert.match(issues[0]!.message, /31\/02\/2024, 10:05.*previous message's time/, 'names the date it could not use');
  });

  it('reports text before the first dated line with its line number', () => {
    const { issues, conversation } = parse('hello there\n01/03/2024, 10:00 - A: hi\n');
    assert.equal(conversation.messages.length, 1, 'the dated message is read');
    assert.deepEqual(
      issues.map((i) => [i.line, i.severity]),
      [[1, 'error']],
      'line 1 reported',
    );
  });

  it('reads a line in another encoding as Windows-1252 and names the line', () => {
    const bytes = Buffer.concat([
      Buffer.from('01/03/2024, 10:00 - A: café\n'),
      Buffer.from('01/03/2024, 10:01 - B: caf'),
      Buffer.from([0xe9]),
      Buffer.from(' ok\n'),
    ]);
    const { conversation, issues } = parse(bytes);
    assert.equal(conversation.messages[1]!.text, 'café ok', 'the Latin-1 é is kept as é');
    assert.equal(conversation.messages[0]!.text, 'café', 'the UTF-8 line is untouched');
    assert.equal(issues.length, 1, 'one problem');
    assert.equal(issues[0]!.line, 2, 'line 2 named');
    assert.match(issues[0]!.message, /mixes text encodings/, 'says what is wrong');
  });

  it('reads UTF-16 exports by their byte-order mark', () => {
    const text = '\ufeff01/03/2024, 10:00 - A: hi ☕\n';
    const { conversation } = parse(Buffer.from(text, 'utf16le'));
    assert.equal(conversation.messages[0]!.text, 'hi ☕', 'decoded from UTF-16');
  });

  it('drops the "<This message was edited>" marker from the text', () => {
    const { conversation } = parse('01/03/2024, 10:00 - A: see u at 4 <This message was edited>\n');
    assert.equal(conversation.messages[0]!.text, 'see u at 4', 'marker removed');
  });

  it('recognises an export by its first lines and nothing else', () => {
    assert.equal(looksLikeWhatsApp(whatsapp('ios-us')), true, 'an iOS export');
    assert.equal(looksLikeWhatsApp('\u200e[01/03/2024, 10:00:00] A: hi'), true, 'a U+200E-marked first line');
    assert.equal(looksLikeWhatsApp('Dear diary,\ntoday 01/03/2024, 10:00 was fine'), false, 'prose with a date in it');
  });

  it('names the chat after the export file', () => {
    assert.equal(whatsAppTitle('WhatsApp Chat with Sam Lee.txt'), 'Sam Lee', 'English Android');
    assert.equal(whatsAppTitle('exports/WhatsApp-Chat mit Sam.txt'), 'Sam', 'German, in a folder');
    assert.equal(whatsAppTitle('WhatsApp Chat - Sam.zip'), 'Sam', 'iOS zip name');
  });
});
