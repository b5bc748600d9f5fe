// Reads chat logs in the PAN 2012 sexual-predator-identification layout:
//   <conversations>
//     <conversation id="…">
//       <message line="1"><author>…</author><time>03:20</time><text>…</text></message>
//   …
// Real logs of this kind are often not quite well-formed (a bare "<3" or "&" in a message), and
// an XML parser stops trusting everything after its first error. So the stream is cut into
// <conversation> tags and <message>…</message> records first, and saxes parses each record on its
// own: a broken message costs that message only, and the scan carries on at the next one.
import { parseEvent, type LifeguardEvent } from '@lifeguard/core';
import { SaxesParser } from 'saxes';
import {
  DEFAULT_MAX_RECORD_BYTES,
  UnusableInputError,
  type ReaderItem,
  type ReaderOptions,
  type ReaderStats,
} from './types.ts';

/** PAN times are HH:MM without a date; every conversation starts on this (arbitrary) day. */
export const PAN_BASE_TIME = Date.UTC(2012, 0, 1);
/** Messages held back per conversation until a second author shows who the first messages were to. */
const RECIPIENT_LOOKAHEAD = 64;
/** If no conversation tag appears in this much text, the file is not in the PAN layout. */
const LAYOUT_SNIFF_CHARS = 1024 * 1024;

interface PendingMessage {
  id: string;
  line: number;
  senderId: string;
  time: number;
  text: string;
}

interface OpenConversation {
  id: string;
  line: number;
  /** Distinct authors in order of first message. */
  authors: string[];
  /** Minutes since midnight of the previous message, and days elapsed (clock going backwards = next day). */
  lastMinute: number;
  day: number;
  lastTime: number;
  messageOrdinal: number;
  pending: PendingMessage[];
  lookaheadDone: boolean;
}

interface ParsedRecord {
  lineAttribute: string | null;
  author: string | null;
  time: string | null;
  text: string | null;
}

type RecordResult = { ok: true; record: ParsedRecord } | { ok: false; line: number; message: string };

/**
 * Parses `<message …>…</message>` records. One saxes parser is reused for every record (saxes resets
 * itself after close()), which matters with millions of messages: a parser per record is mostly
 * garbage-collector work.
 */
class MessageRecordParser {
  private readonly parser = new SaxesParser({ position: true });
  private record: ParsedRecord = { lineAttribute: null, author: null, time: null, text: null };
  private failure: { line: number; message: string } | null = null;
  private depth = 0;
  private field: 'author' | 'time' | 'text' | null = null;
  private value = '';
  private firstLine = 1;

  constructor() {
    const parser = this.parser;
    parser.on('error', (error) => {
      // saxes prefixes "line:column: "; the line is ours to report, relative to the file.
      this.failure ??= { line: this.firstLine + parser.line - 1, message: error.message.replace(/^\d+:\d+: /, '') };
    });
    parser.on('opentag', (tag) => {
      this.depth++;
      if (this.depth === 1) {
        const line = tag.attributes.line;
        this.record.lineAttribute = typeof line === 'string' ? line.trim() : null;
      } else if (this.depth === 2 && (tag.name === 'author' || tag.name === 'time' || tag.name === 'text')) {
        this.field = tag.name;
        this.value = '';
      }
    });
    const onText = (text: string) => {
      if (this.field !== null && this.depth === 2) this.value += text;
    };
    parser.on('text', onText);
    parser.on('cdata', onText);
    parser.on('closetag', () => {
      if (this.depth === 2 && this.field !== null) {
        if (this.record[this.field] === null) this.record[this.field] = this.value;
        this.field = null;
      }
      this.depth--;
    });
  }

  parse(xml: string, firstLine: number): RecordResult {
    this.record = { lineAttribute: null, author: null, time: null, text: null };
    this.failure = null;
    this.depth = 0;
    this.field = null;
    this.value = '';
    this.firstLine = firstLine;
    try {
      this.parser.write(xml).close();
    } catch (error) {
      this.failure ??= { line: firstLine, message: (error as Error).message };
    }
    if (this.failure) return { ok: false, ...this.failure };
    return { ok: true, record: this.record };
  }
}

let sharedRecordParser: MessageRecordParser | null = null;

/** Parses one `<message …>…</message>` record. `firstLine` is its line in the file. */
export function parseMessageRecord(xml: string, firstLine: number): RecordResult {
  sharedRecordParser ??= new MessageRecordParser();
  return sharedRecordParser.parse(xml, firstLine);
}

/** Parses the attributes of a `<conversation …>` start tag. */
function parseConversationTag(tag: string): { id: string | null; error: string | null } {
  const parser = new SaxesParser();
  let id: string | null = null;
  let error: string | null = null;
  parser.on('error', (e) => {
    error ??= e.message.replace(/^\d+:\d+: /, '');
  });
  parser.on('opentag', (t) => {
    const value = t.attributes.id;
    if (typeof value === 'string' && value.trim() !== '') id = value.trim();
  });
  try {
    parser.write(tag.endsWith('/>') ? tag : `${tag}</conversation>`).close();
  } catch (e) {
    error ??= (e as Error).message;
  }
  return { id, error };
}

const TIME_PATTERN = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

function tagAt(buffer: string, index: number, name: string): boolean {
  if (!buffer.startsWith(name, index)) return false;
  const next = buffer.charCodeAt(index + name.length);
  // The name must end here: whitespace, '>' or '/' (or the buffer ends, checked by the caller).
  return (
    Number.isNaN(next) ||
    next === 0x3e ||
    next === 0x2f ||
    next === 0x20 ||
    next === 0x09 ||
    next === 0x0a ||
    next === 0x0d
  );
}

/**
 * Yields message events and conversation ends in batches (one per input chunk). Broken records are
 * reported through `onIssue` with the file line and skipped. Throws UnusableInputError, after
 * yielding everything read so far, when the file is not PAN XML at all.
 */
export async function* readPan(
  chunks: AsyncIterable<Uint8Array>,
  options: ReaderOptions,
  stats: ReaderStats,
): AsyncGenerator<ReaderItem[]> {
  const maxRecordChars = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const decoder = new TextDecoder('utf-8');
  const issue = (line: number, message: string, severity: 'error' | 'warning' = 'error') => {
    if (severity === 'error') stats.skipped++;
    else stats.warnings++;
    options.onIssue({ file: options.file, line, severity, message });
  };

  let buffer = '';
  let pos = 0;
  /** Line number of buffer[pos]. */
  let line = 1;
  let sawConversation = false;
  let sniffedChars = 0;
  let conversation: OpenConversation | null = null;
  /** While > 0: inside an over-long message, dropping text until its end tag; holds its first line. */
  let skippingLongMessageFrom = 0;
  let out: ReaderItem[] = [];

  const advanceTo = (target: number) => {
    let newline = buffer.indexOf('\n', pos);
    while (newline !== -1 && newline < target) {
      line++;
      newline = buffer.indexOf('\n', newline + 1);
    }
    pos = target;
  };

  const emit = (conv: OpenConversation, message: PendingMessage) => {
    const event = {
      type: 'message',
      id: message.id,
      time: message.time,
      conversationId: conv.id,
      senderId: message.senderId,
      recipientIds: conv.authors.filter((author) => author !== message.senderId),
      text: message.text,
    };
    const parsed = parseEvent(event);
    if (!parsed.ok) {
      issue(message.line, parsed.error.message);
      return;
    }
    stats.events++;
    out.push({ kind: 'event', event: parsed.event as LifeguardEvent, line: message.line });
  };

  const flushPending = (conv: OpenConversation) => {
    for (const message of conv.pending) emit(conv, message);
    conv.pending = [];
    conv.lookaheadDone = true;
  };

  const closeConversation = (endLine: number) => {
    if (!conversation) return;
    flushPending(conversation);
    out.push({ kind: 'conversation-end', conversationId: conversation.id, line: endLine });
    conversation = null;
  };

  const openConversation = (id: string, tagLine: number) => {
    stats.conversations++;
    conversation = {
      id,
      line: tagLine,
      authors: [],
      lastMinute: -1,
      day: 0,
      lastTime: PAN_BASE_TIME,
      messageOrdinal: 0,
      pending: [],
      lookaheadDone: false,
    };
  };

  const handleMessage = (xml: string, recordLine: number) => {
    stats.records++;
    if (!conversation) {
      issue(recordLine, 'message outside any <conversation>; skipped');
      return;
    }
    const conv: OpenConversation = conversation;
    conv.messageOrdinal++;
    const result = parseMessageRecord(xml, recordLine);
    if (!result.ok) {
      issue(result.line, `malformed XML in message: ${result.message}; message skipped`);
      return;
    }
    const { record } = result;
    const author = record.author?.trim() ?? '';
    if (author === '') {
      issue(recordLine, 'message has no <author>; skipped');
      return;
    }
    if (record.text === null) {
      issue(recordLine, 'message has no <text>; skipped');
      return;
    }
    let time = conv.lastTime;
    const clock = record.time?.trim() ?? '';
    const match = TIME_PATTERN.exec(clock);
    if (match) {
      const minute = Number(match[1]) * 60 + Number(match[2]);
      if (minute >= 24 * 60 || Number(match[2]) >= 60) {
        issue(recordLine, `time "${clock}" is not a time of day; using the previous message's time`, 'warning');
      } else {
        // No dates in PAN: a clock going backwards means midnight passed.
        if (conv.lastMinute >= 0 && minute < conv.lastMinute) conv.day++;
        conv.lastMinute = minute;
        time = PAN_BASE_TIME + (conv.day * 24 * 60 + minute) * 60_000 + Number(match[3] ?? 0) * 1000;
        conv.lastTime = time;
      }
    } else if (clock !== '') {
      issue(recordLine, `time "${clock}" is not HH:MM; using the previous message's time`, 'warning');
    }
    const lineAttribute =
      record.lineAttribute && record.lineAttribute !== '' ? record.lineAttribute : `#${conv.messageOrdinal}`;
    if (!conv.authors.includes(author)) conv.authors.push(author);
    const message: PendingMessage = {
      id: `${conv.id}:${lineAttribute}`,
      line: recordLine,
      senderId: author,
      time,
      text: record.text,
    };
    if (conv.lookaheadDone) {
      emit(conv, message);
      return;
    }
    conv.pending.push(message);
    if (conv.authors.length >= 2 || conv.pending.length >= RECIPIENT_LOOKAHEAD) flushPending(conv);
  };

  /** Handles whatever complete records the buffer holds; returns when more input is needed. */
  const drain = (eof: boolean) => {
    for (;;) {
      if (skippingLongMessageFrom > 0) {
        const end = buffer.indexOf('</message>', pos);
        if (end === -1) {
          // Keep a tail in case the end tag straddles chunks.
          advanceTo(Math.max(pos, buffer.length - 16));
          if (eof) {
            issue(skippingLongMessageFrom, 'over-long <message> never closed before the end of the file');
            skippingLongMessageFrom = 0;
          }
          return;
        }
        advanceTo(end + '</message>'.length);
        skippingLongMessageFrom = 0;
        continue;
      }
      const lt = buffer.indexOf('<', pos);
      if (lt === -1) {
        advanceTo(buffer.length);
        return;
      }
      advanceTo(lt);
      // Enough text to recognise the tag name?
      if (!eof && buffer.length - lt < 32) return;
      const tagLine = line;

      if (buffer.startsWith('<!--', lt)) {
        const end = buffer.indexOf('-->', lt + 4);
        if (end === -1) {
          if (!eof) return;
          issue(tagLine, 'unclosed XML comment at the end of the file');
          advanceTo(buffer.length);
          return;
        }
        advanceTo(end + 3);
        continue;
      }
      if (tagAt(buffer, lt, '<message')) {
        sawConversation ||= conversation !== null;
        const end = buffer.indexOf('</message>', lt);
        // A record must not run into the next message or conversation: that means a missing end tag.
        const searchLimit = end === -1 ? buffer.length : end;
        const nextBoundary = nextRecordStart(buffer, lt + 1, searchLimit);
        if (nextBoundary !== -1) {
          stats.records++;
          issue(tagLine, '<message> is not closed before the next tag; message skipped');
          advanceTo(nextBoundary);
          continue;
        }
        if (end === -1) {
          if (buffer.length - lt > maxRecordChars) {
            stats.records++;
            issue(tagLine, `<message> is longer than ${maxRecordChars} characters; skipped`);
            skippingLongMessageFrom = tagLine;
            advanceTo(buffer.length);
            continue;
          }
          if (!eof) return;
          stats.records++;
          issue(tagLine, '<message> not closed before the end of the file (truncated?); message skipped');
          advanceTo(buffer.length);
          return;
        }
        const recordEnd = end + '</message>'.length;
        if (recordEnd - lt > maxRecordChars) {
          stats.records++;
          issue(tagLine, `<message> is longer than ${maxRecordChars} characters; skipped`);
        } else {
          handleMessage(buffer.slice(lt, recordEnd), tagLine);
        }
        advanceTo(recordEnd);
        continue;
      }

      const close = buffer.indexOf('>', lt);
      if (close === -1) {
        if (!eof && buffer.length - lt < 64 * 1024) return;
        issue(tagLine, 'unterminated tag; skipped to the next "<"');
        advanceTo(lt + 1);
        continue;
      }
      const tag = buffer.slice(lt, close + 1);
      advanceTo(close + 1);
      if (
        tagAt(tag, 0, '<conversations') ||
        tagAt(tag, 0, '</conversations') ||
        tag.startsWith('<?') ||
        tag.startsWith('<!')
      ) {
        continue;
      }
      if (tagAt(tag, 0, '<conversation')) {
        sawConversation = true;
        if (conversation) {
          const open: OpenConversation = conversation;
          issue(tagLine, `conversation "${open.id}" (line ${open.line}) was not closed before the next one`, 'warning');
          closeConversation(tagLine);
        }
        const parsed = parseConversationTag(tag);
        let id = parsed.id;
        if (parsed.error) issue(tagLine, `malformed <conversation> tag: ${parsed.error}`, 'warning');
        if (id === null) {
          id = `line-${tagLine}`;
          issue(tagLine, `<conversation> has no id; using "${id}"`, 'warning');
        }
        openConversation(id, tagLine);
        if (tag.endsWith('/>')) closeConversation(tagLine);
        continue;
      }
      if (tagAt(tag, 0, '</conversation')) {
        if (!conversation) issue(tagLine, '</conversation> without an open <conversation>', 'warning');
        closeConversation(tagLine);
        continue;
      }
      issue(
        tagLine,
        `unexpected tag ${tag.length > 40 ? `${tag.slice(0, 40)}…` : tag} outside a message; ignored`,
        'warning',
      );
    }
  };

  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    const nul = text.indexOf('\0');
    buffer = (pos > 0 ? buffer.slice(pos) : buffer) + (nul === -1 ? text : text.slice(0, nul));
    pos = 0;
    drain(false);
    if (nul !== -1) {
      // Deliver everything complete before the binary data, then stop.
      if (conversation) flushPending(conversation);
      if (out.length) yield out;
      advanceTo(buffer.length);
      throw new UnusableInputError(
        `${options.file}:${line}: binary data (a NUL byte): not an XML chat log; stopped reading`,
      );
    }
    sniffedChars += text.length;
    if (!sawConversation && conversation === null && sniffedChars > LAYOUT_SNIFF_CHARS) {
      if (out.length) yield out;
      throw new UnusableInputError(
        `${options.file}: no <conversation> element in the first ${LAYOUT_SNIFF_CHARS} characters: not the PAN chat-log layout`,
      );
    }
    if (out.length > 0) {
      yield out;
      out = [];
    }
  }
  buffer = buffer.slice(pos) + decoder.decode();
  pos = 0;
  drain(true);
  if (conversation) {
    const open: OpenConversation = conversation;
    issue(
      line,
      `conversation "${open.id}" (line ${open.line}) not closed at the end of the file (truncated?)`,
      'warning',
    );
    closeConversation(line);
  }
  if (out.length > 0) yield out;
  if (!sawConversation && stats.records === 0) {
    throw new UnusableInputError(`${options.file}: no <conversation> element found: not the PAN chat-log layout`);
  }
}

/** Index of the next `<message` / `<conversation` / `</conversation` tag in [from, limit), or -1. */
function nextRecordStart(buffer: string, from: number, limit: number): number {
  let index = buffer.indexOf('<', from);
  while (index !== -1 && index < limit) {
    if (
      tagAt(buffer, index, '<message') ||
      tagAt(buffer, index, '<conversation') ||
      tagAt(buffer, index, '</conversation')
    ) {
      return index;
    }
    index = buffer.indexOf('<', index + 1);
  }
  return -1;
}
