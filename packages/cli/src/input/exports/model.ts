// What every chat-export parser hands back, before it becomes Lifeguard events.
import type { ExportLayout } from '../types.ts';

export type AttachmentKind = 'image' | 'video' | 'audio' | 'file';

export interface ExportMessage {
  /** Unique within the conversation. */
  id: string;
  /** Milliseconds since the epoch. */
  time: number;
  sender: string;
  text: string;
  /** Media is only named, never read: the engine sees that a picture was sent. */
  attachments: AttachmentKind[];
  /** The file (inside a zip: zip path + entry) and line the message starts on. */
  file: string;
  line: number;
}

export interface ExportConversation {
  id: string;
  title: string;
  /** Everyone the export names in the conversation, senders first. */
  participants: string[];
  messages: ExportMessage[];
}

export interface ParsedExport {
  layout: ExportLayout;
  /** What was found, for people: "WhatsApp (iOS), dates day/month/year". */
  detail: string;
  conversations: ExportConversation[];
  /** Records looked at, and how many were left out on purpose (system lines, calls). */
  records: number;
  systemLines: number;
}

/** Reports a problem with one record: error = left out, warning = used with a fix-up. */
export type IssueSink = (file: string, line: number, message: string, severity?: 'error' | 'warning') => void;

export const LAYOUT_NAMES: Record<ExportLayout, string> = {
  whatsapp: 'WhatsApp "Export chat"',
  discord: 'Discord (DiscordChatExporter JSON)',
  meta: 'Instagram/Facebook "Download your information" messages',
  telegram: 'Telegram Desktop export (result.json)',
  snapchat: 'Snapchat "My Data" chat history',
};
