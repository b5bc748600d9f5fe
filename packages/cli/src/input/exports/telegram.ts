// Telegram Desktop "Export chat history" / "Export Telegram data" in machine-readable JSON:
//   result.json  { chats: { list: [chat] } }  or one chat  { name, type, id, messages: [...] }
//   message      { id, type: "message"|"service", date, date_unixtime, from, from_id, text, photo, media_type, file }
// `text` is a string or a list of strings and {type, text} pieces (links, bold, mentions).
import type { JsonDocument } from './text.ts';
import type { AttachmentKind, ExportConversation, ExportMessage, IssueSink } from './model.ts';
import { isObject, str } from './json.ts';

export function looksLikeTelegram(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isObject(value.chats) && Array.isArray(value.chats.list)) return true;
  return Array.isArray(value.messages) && typeof value.type === 'string' && 'id' in value && !('channel' in value);
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return '';
  return value
    .map((piece) => (typeof piece === 'string' ? piece : isObject(piece) ? (str(piece.text) ?? '') : ''))
    .join('');
}

const MEDIA_KIND: Record<string, AttachmentKind> = {
  sticker: 'image',
  animation: 'video',
  video_file: 'video',
  video_message: 'video',
  voice_message: 'audio',
  audio_file: 'audio',
};

export interface TelegramResult {
  conversations: ExportConversation[];
  records: number;
  systemLines: number;
  /** Some messages had only a local `date` (old exports): read as UTC. */
  localTimes: boolean;
}

export function parseTelegram(doc: JsonDocument, file: string, issue: IssueSink): TelegramResult {
  const root = doc.value as Record<string, unknown>;
  const chats: unknown[] = isObject(root.chats) ? (root.chats.list as unknown[]) : [root];
  if (isObject(root.left_chats) && Array.isArray(root.left_chats.list)) chats.push(...root.left_chats.list);
  const result: TelegramResult = { conversations: [], records: 0, systemLines: 0, localTimes: false };
  chats.forEach((chat, chatIndex) => {
    if (!isObject(chat) || !Array.isArray(chat.messages)) {
      issue(file, doc.lineOf(chat), `chat ${chatIndex + 1} has no "messages" list; skipped`);
      return;
    }
    const chatId = str(chat.id) ?? `#${chatIndex + 1}`;
    const title = str(chat.name) ?? `Telegram chat ${chatId}`;
    const id = `telegram:${chatId}`;
    const participants: string[] = [];
    const names = new Map<string, string>();
    const taken = new Map<string, string>();
    const seen = new Map<string, number>();
    const messages: ExportMessage[] = [];
    for (const [index, m] of (chat.messages as unknown[]).entries()) {
      result.records++;
      const line = doc.lineOf(m);
      if (!isObject(m)) {
        issue(file, line, `chat ${chatId}: messages[${index}] is not an object; skipped`);
        continue;
      }
      if (m.type !== 'message') {
        result.systemLines++;
        continue;
      }
      const messageId = str(m.id) ?? `#${index + 1}`;
      const fromId = str(m.from_id);
      const fromName = str(m.from) ?? fromId;
      if (!fromName) {
        issue(file, line, `chat ${chatId}: message ${messageId} has no "from"; skipped`);
        continue;
      }
      let time: number | null = null;
      const unix = str(m.date_unixtime);
      if (unix !== null && /^\d+$/.test(unix)) time = Number(unix) * 1000;
      else {
        const local = str(m.date);
        if (local && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(local)) {
          time = Date.parse(`${local}Z`);
          result.localTimes = true;
        }
      }
      if (time === null || !Number.isFinite(time)) {
        issue(file, line, `chat ${chatId}: message ${messageId} has no usable "date"; skipped`);
        continue;
      }
      const previous = seen.get(messageId);
      if (previous !== undefined) {
        issue(
          file,
          line,
          `chat ${chatId}: message ${messageId} appears twice (first on line ${previous}); the copy is skipped`,
        );
        continue;
      }
      seen.set(messageId, line);
      const key = fromId ?? fromName;
      let sender = names.get(key);
      if (sender === undefined) {
        sender = taken.has(fromName) && taken.get(fromName) !== key ? `${fromName} (${key})` : fromName;
        taken.set(fromName, key);
        names.set(key, sender);
        participants.push(sender);
      }
      const attachments: AttachmentKind[] = [];
      if (m.photo !== undefined) attachments.push('image');
      const mediaType = str(m.media_type);
      if (mediaType) attachments.push(MEDIA_KIND[mediaType] ?? 'file');
      else if (m.file !== undefined) attachments.push('file');
      messages.push({ id: `${id}:${messageId}`, time, sender, text: textOf(m.text), attachments, file, line });
    }
    result.conversations.push({ id, title, participants, messages });
  });
  return result;
}
