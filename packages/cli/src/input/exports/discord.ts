// DiscordChatExporter JSON: { guild, channel, messages: [{ id, type, timestamp, content, author, attachments }] }.
import type { JsonDocument } from './text.ts';
import type { AttachmentKind, ExportConversation, ExportMessage, IssueSink } from './model.ts';
import { isObject, isoTime, str } from './json.ts';

export function looksLikeDiscord(value: unknown): boolean {
  return isObject(value) && Array.isArray(value.messages) && isObject(value.channel);
}

/** Message types that carry what a person wrote; the rest are joins, pins, calls and the like. */
const SPOKEN = new Set(['Default', 'Reply', 'ThreadStarterMessage', 'ChatInputCommand']);

export function attachmentKind(fileName: string): AttachmentKind {
  const ext = fileName.toLowerCase().replace(/^.*\./, '');
  if (['jpg', 'jpeg', 'png', 'gif', 'webp', 'heic', 'bmp'].includes(ext)) return 'image';
  if (['mp4', 'mov', 'webm', 'mkv', 'avi'].includes(ext)) return 'video';
  if (['mp3', 'ogg', 'opus', 'm4a', 'wav', 'aac'].includes(ext)) return 'audio';
  return 'file';
}

export function parseDiscord(
  doc: JsonDocument,
  file: string,
  issue: IssueSink,
): { conversation: ExportConversation; records: number; systemLines: number; title: string } {
  const root = doc.value as Record<string, unknown>;
  const channel = root.channel as Record<string, unknown>;
  const guild = isObject(root.guild) ? root.guild : null;
  const channelId = str(channel.id) ?? file;
  const title =
    [str(guild?.name), str(channel.name)].filter((s) => s && s !== 'Direct Messages').join(' / ') || channelId;
  const id = `discord:${channelId}`;
  const messages: ExportMessage[] = [];
  const participants: string[] = [];
  /** author id → the name used for them (two people can share a display name). */
  const names = new Map<string, string>();
  const taken = new Map<string, string>();
  const seen = new Map<string, number>();
  let systemLines = 0;
  const list = root.messages as unknown[];
  for (const [index, m] of list.entries()) {
    const line = doc.lineOf(m);
    if (!isObject(m)) {
      issue(file, line, `messages[${index}] is not an object; skipped`);
      continue;
    }
    const type = str(m.type) ?? 'Default';
    if (!SPOKEN.has(type)) {
      systemLines++;
      continue;
    }
    const author = isObject(m.author) ? m.author : null;
    const authorId = str(author?.id);
    const authorName = str(author?.name) ?? str(author?.nickname) ?? authorId;
    const time = isoTime(m.timestamp);
    const messageId = str(m.id) ?? `#${index + 1}`;
    if (!authorName) {
      issue(file, line, `message ${messageId} has no author; skipped`);
      continue;
    }
    if (time === null) {
      issue(
        file,
        line,
        `message ${messageId} has no usable "timestamp" (${JSON.stringify(m.timestamp ?? null)}); skipped`,
      );
      continue;
    }
    const previous = seen.get(messageId);
    if (previous !== undefined) {
      issue(file, line, `message ${messageId} appears twice (first on line ${previous}); the copy is skipped`);
      continue;
    }
    seen.set(messageId, line);
    const key = authorId ?? authorName;
    let sender = names.get(key);
    if (sender === undefined) {
      sender = taken.has(authorName) && taken.get(authorName) !== key ? `${authorName} (${key})` : authorName;
      taken.set(authorName, key);
      names.set(key, sender);
      participants.push(sender);
    }
    const attachments = Array.isArray(m.attachments)
      ? m.attachments.map((a) => attachmentKind(isObject(a) ? (str(a.fileName) ?? '') : ''))
      : [];
    messages.push({ id: `${id}:${messageId}`, time, sender, text: str(m.content) ?? '', attachments, file, line });
  }
  return { conversation: { id, title, participants, messages }, records: list.length, systemLines, title };
}
