// Instagram and Facebook "Download your information", JSON format:
//   …/messages/inbox/<thread>/message_1.json  { participants: [{name}], messages: [{sender_name,
//   timestamp_ms, content, photos, videos, audio_files, files}], title, thread_path }
// Messages are newest first and split over message_1.json, message_2.json, …; every string is
// UTF-8 mis-read as Latin-1 ("Ã©" for "é"), repaired here.
import type { JsonDocument } from './text.ts';
import { repairMetaText } from './text.ts';
import type { AttachmentKind, ExportMessage, IssueSink } from './model.ts';
import { isObject, str } from './json.ts';

export const META_THREAD_FILE =
  /(^|\/)messages\/(inbox|archived_threads|filtered_threads|message_requests|e2ee_cutover)\/[^/]+\/message_\d+\.json$/;

export function looksLikeMeta(value: unknown): boolean {
  return (
    isObject(value) &&
    Array.isArray(value.participants) &&
    Array.isArray(value.messages) &&
    value.messages.every((m) => isObject(m) && 'sender_name' in m && 'timestamp_ms' in m)
  );
}

/** Which of the two services, where the path says it; null when it does not. */
export function metaService(path: string): 'Instagram' | 'Facebook' | null {
  if (/instagram/i.test(path)) return 'Instagram';
  if (/facebook|messenger/i.test(path)) return 'Facebook';
  return null;
}

const MEDIA_FIELDS: [string, AttachmentKind][] = [
  ['photos', 'image'],
  ['gifs', 'image'],
  ['sticker', 'image'],
  ['videos', 'video'],
  ['audio_files', 'audio'],
  ['files', 'file'],
];

export interface MetaThreadPart {
  key: string;
  title: string;
  participants: string[];
  messages: ExportMessage[];
  records: number;
  systemLines: number;
}

export function parseMetaThread(doc: JsonDocument, path: string, file: string, issue: IssueSink): MetaThreadPart {
  const root = doc.value as Record<string, unknown>;
  const threadPath = str(root.thread_path);
  const key = threadPath ?? path.replace(/\/message_\d+\.json$/, '');
  const participants = (root.participants as unknown[])
    .map((p) => (isObject(p) ? str(p.name) : null))
    .filter((p): p is string => p !== null && p !== '')
    .map(repairMetaText);
  const title = repairMetaText(str(root.title) ?? participants.join(', '));
  const messages: ExportMessage[] = [];
  let systemLines = 0;
  const list = root.messages as unknown[];
  list.forEach((m, index) => {
    const line = doc.lineOf(m);
    if (!isObject(m)) {
      issue(file, line, `messages[${index}] is not an object; skipped`);
      return;
    }
    const sender = str(m.sender_name);
    const time =
      typeof m.timestamp_ms === 'number' && Number.isFinite(m.timestamp_ms) && m.timestamp_ms >= 0
        ? m.timestamp_ms
        : null;
    if (!sender) {
      issue(file, line, 'message has no "sender_name"; skipped');
      return;
    }
    if (time === null) {
      issue(file, line, `message has no usable "timestamp_ms" (${JSON.stringify(m.timestamp_ms ?? null)}); skipped`);
      return;
    }
    const attachments: AttachmentKind[] = [];
    for (const [field, kind] of MEDIA_FIELDS) {
      const value = m[field];
      if (Array.isArray(value)) for (let i = 0; i < value.length; i++) attachments.push(kind);
      else if (isObject(value)) attachments.push(kind);
    }
    const content = str(m.content);
    if (content === null && attachments.length === 0) {
      // Calls, reactions-only entries and "unsent" markers: nothing anyone wrote.
      systemLines++;
      return;
    }
    messages.push({
      id: `meta:${key}:${time}:${file.replace(/^.*message_(\d+)\.json$/, '$1')}.${index}`,
      time,
      sender: repairMetaText(sender),
      text: content === null ? '' : repairMetaText(content),
      attachments,
      file,
      line,
    });
  });
  return { key, title, participants, messages, records: list.length, systemLines };
}
