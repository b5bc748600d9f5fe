// Snapchat "My Data" chat history (json/chat_history.json). Two shapes are in use:
//   current:  { "<friend or group>": [{ From, "Media Type", Created, Content, IsSender, "Created(microseconds)" }] }
//   older:    { "Received Saved Chat History": [{ From, … Text }], "Sent Saved Chat History": [{ To, … Text }] }
// Only chats someone saved are in it. The older shape never names the account owner: "me" stands in.
import type { JsonDocument } from './text.ts';
import type { AttachmentKind, ExportConversation, IssueSink } from './model.ts';
import { isObject, str } from './json.ts';

export const SNAPCHAT_OWNER = 'me';
const OLD_KEYS = ['Received Saved Chat History', 'Sent Saved Chat History'];

function isChatEntry(value: unknown): boolean {
  return isObject(value) && 'Created' in value && 'Media Type' in value && ('From' in value || 'To' in value);
}

export function looksLikeSnapchat(value: unknown): boolean {
  if (!isObject(value)) return false;
  const lists = Object.values(value);
  return (
    lists.length > 0 &&
    lists.every((list) => Array.isArray(list)) &&
    lists.some((list) => (list as unknown[]).some(isChatEntry))
  );
}

/** "2023-05-01 10:00:00 UTC" */
function createdTime(entry: Record<string, unknown>): number | null {
  const micros = entry['Created(microseconds)'];
  if (typeof micros === 'number' && Number.isFinite(micros) && micros >= 0) return Math.floor(micros / 1000);
  const text = str(entry.Created);
  const m = text && /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\s*UTC|Z)?$/.exec(text.trim());
  if (!m) return null;
  const t = Date.parse(`${m[1]}T${m[2]}Z`);
  return Number.isFinite(t) ? t : null;
}

function attachmentOf(mediaType: string): AttachmentKind | null {
  switch (mediaType.toUpperCase()) {
    case 'TEXT':
      return null;
    case 'NOTE':
      return 'audio';
    case 'MEDIA':
    case 'SNAP':
    case 'STICKER':
      return 'image';
    default:
      return 'file';
  }
}

export function parseSnapchat(
  doc: JsonDocument,
  file: string,
  issue: IssueSink,
): { conversations: ExportConversation[]; records: number; systemLines: number; older: boolean } {
  const root = doc.value as Record<string, unknown[]>;
  const older = OLD_KEYS.some((k) => k in root);
  const byConversation = new Map<string, ExportConversation>();
  let records = 0;
  let systemLines = 0;
  const conversation = (key: string, title: string) => {
    let c = byConversation.get(key);
    if (!c) {
      c = { id: `snapchat:${key}`, title, participants: [], messages: [] };
      byConversation.set(key, c);
    }
    return c;
  };
  for (const [listName, list] of Object.entries(root)) {
    if (!Array.isArray(list)) continue;
    list.forEach((entry, index) => {
      records++;
      const line = doc.lineOf(entry);
      if (!isObject(entry)) {
        issue(file, line, `"${listName}"[${index}] is not an object; skipped`);
        return;
      }
      const time = createdTime(entry);
      if (time === null) {
        issue(
          file,
          line,
          `"${listName}"[${index}]: "Created" ${JSON.stringify(entry.Created ?? null)} is not a date like 2023-05-01 10:00:00 UTC; skipped`,
        );
        return;
      }
      let sender: string | null;
      let key: string;
      if (older) {
        const sent = listName.startsWith('Sent');
        const other = str(sent ? entry.To : entry.From);
        if (!other) {
          issue(file, line, `"${listName}"[${index}] has no "${sent ? 'To' : 'From'}"; skipped`);
          return;
        }
        sender = sent ? SNAPCHAT_OWNER : other;
        key = other;
      } else {
        sender = str(entry.From);
        key = listName;
        if (!sender) {
          issue(file, line, `"${listName}"[${index}] has no "From"; skipped`);
          return;
        }
      }
      const mediaType = str(entry['Media Type']) ?? 'TEXT';
      const kind = attachmentOf(mediaType);
      const text = str(entry.Content) ?? str(entry.Text) ?? '';
      if (kind === 'file' && text === '' && /^(STATUS|SHARE_LOCATION|CALL)/i.test(mediaType)) {
        systemLines++;
        return;
      }
      const title = str(entry['Conversation Title']) ?? key;
      const c = conversation(key, title);
      if (!c.participants.includes(sender)) c.participants.push(sender);
      if (older && !c.participants.includes(key)) c.participants.push(key);
      c.messages.push({
        id: `${c.id}:${listName === key ? '' : `${listName}:`}${index + 1}`,
        time,
        sender,
        text,
        attachments: kind ? [kind] : [],
        file,
        line,
      });
    });
  }
  return { conversations: [...byConversation.values()], records, systemLines, older };
}
