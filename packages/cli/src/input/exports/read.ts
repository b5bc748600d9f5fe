// Turns a parsed chat export into Lifeguard events: every conversation's messages, all in time
// order (an account writing to several children is seen in the order it happened).
import { createHash } from 'node:crypto';
import { LIMITS, parseEvent, type LifeguardEvent } from '@lifeguard/core';
import {
  DEFAULT_MAX_EXPORT_BYTES,
  emptyStats,
  type ExportLayout,
  type ReaderItem,
  type ReaderOptions,
  type ReaderStats,
} from '../types.ts';
import { parseExport } from './detect.ts';
import { listExport } from './files.ts';
import type { ExportMessage, IssueSink, ParsedExport } from './model.ts';

export interface OpenedExport {
  layout: ExportLayout;
  detail: string;
  stats: ReaderStats;
  items: AsyncGenerator<ReaderItem[]>;
}

const BATCH = 1000;

/** Ids longer than the event limit keep their start and get a short hash, so they stay distinct. */
export function fitId(id: string): string {
  if (id.length <= LIMITS.idLength) return id;
  return `${id.slice(0, LIMITS.idLength - 14)}…${createHash('sha256').update(id).digest('hex').slice(0, 12)}`;
}

/** Reads and checks the whole export now (its layout cannot be known before); events come when iterated. */
export async function openExport(
  path: string,
  options: ReaderOptions,
  forced: ExportLayout | null,
): Promise<OpenedExport> {
  const stats = emptyStats();
  const issue: IssueSink = (file, line, message, severity = 'error') => {
    if (severity === 'error') stats.skipped++;
    else stats.warnings++;
    options.onIssue({ file, line, severity, message });
  };
  const files = await listExport(path, options.file, options.maxExportBytes ?? DEFAULT_MAX_EXPORT_BYTES);
  let parsed: ParsedExport;
  try {
    parsed = await parseExport(files, issue, forced);
  } finally {
    files.close();
  }
  stats.records = parsed.records;
  if (parsed.conversations.every((c) => c.messages.length === 0)) {
    issue(
      options.file,
      0,
      `${parsed.detail}: no messages in it (${parsed.systemLines} system lines left out)`,
      'warning',
    );
  }
  stats.conversations = parsed.conversations.length;
  const ordered: {
    message: ExportMessage;
    conversation: number;
    recipients: Map<string, string[]>;
    conversationId: string;
  }[] = [];
  parsed.conversations.forEach((c, index) => {
    const conversationId = fitId(c.id);
    // Everyone else in the conversation receives a message: one list per sender, shared.
    const people = c.participants.map(fitId);
    const recipients = new Map(people.map((p) => [p, people.filter((q) => q !== p).slice(0, LIMITS.recipients)]));
    for (const message of c.messages) ordered.push({ message, conversation: index, recipients, conversationId });
  });
  // Stable: equal times keep the export's own order.
  ordered.sort((a, b) => a.message.time - b.message.time);
  const lastIndex = new Map<number, number>();
  ordered.forEach((o, i) => {
    lastIndex.set(o.conversation, i);
  });

  async function* items(): AsyncGenerator<ReaderItem[]> {
    let batch: ReaderItem[] = [];
    for (const [i, o] of ordered.entries()) {
      const m = o.message;
      let text = m.text;
      if (text.length > LIMITS.textLength) {
        issue(
          m.file,
          m.line,
          `message is ${text.length} characters; only the first ${LIMITS.textLength} are read`,
          'warning',
        );
        text = text.slice(0, LIMITS.textLength);
      }
      const sender = fitId(m.sender);
      const event = {
        type: 'message',
        id: fitId(m.id),
        time: m.time,
        conversationId: o.conversationId,
        senderId: sender,
        recipientIds: o.recipients.get(sender) ?? [...o.recipients.keys()].slice(0, LIMITS.recipients),
        text,
        ...(m.attachments.length ? { attachments: m.attachments.slice(0, 32).map((kind) => ({ kind })) } : {}),
      };
      const result = parseEvent(event);
      if (!result.ok) issue(m.file, m.line, result.error.message);
      else {
        stats.events++;
        batch.push({ kind: 'event', event: result.event as LifeguardEvent, line: m.line, file: m.file });
      }
      if (lastIndex.get(o.conversation) === i)
        batch.push({ kind: 'conversation-end', conversationId: o.conversationId, line: m.line });
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
  return { layout: parsed.layout, detail: parsed.detail, stats, items: items() };
}
