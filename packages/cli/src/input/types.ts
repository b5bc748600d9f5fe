// What every input reader produces, whatever the file layout.
import { terminalSafe } from '../terminal.ts';
import type { LifeguardEvent } from '@lifeguard/core';

/** Input problems printed on stderr before only counting them (--max-errors). */
export const DEFAULT_MAX_PRINTED_ISSUES = 50;

/** Chat exports people download from their apps (read whole, see exports/). */
export const EXPORT_LAYOUTS = ['whatsapp', 'discord', 'meta', 'telegram', 'snapchat'] as const;
export type ExportLayout = (typeof EXPORT_LAYOUTS)[number];
export type InputFormat = 'jsonl' | 'pan' | ExportLayout;

/** A problem with one part of the input. `error`: that part was skipped; `warning`: it was used with a fix-up. */
export interface InputIssue {
  file: string;
  line: number;
  severity: 'error' | 'warning';
  message: string;
}

export function formatIssue(issue: InputIssue): string {
  // Line 0: the problem is with the input as a whole (e.g. a name given with --age is not in it).
  return terminalSafe(
    `${issue.file}${issue.line > 0 ? `:${issue.line}` : ''}: ${issue.severity === 'warning' ? 'warning: ' : ''}${issue.message}`,
  );
}

export type ReaderItem =
  /** `file`: set when the input has several files (a chat export folder or zip). */
  | { kind: 'event'; event: LifeguardEvent; line: number; file?: string }
  /** Emitted by layouts where a conversation is one block (PAN): its messages are all read. */
  | { kind: 'conversation-end'; conversationId: string; line: number };

export interface ReaderStats {
  /** Records looked at: lines for JSONL, messages for PAN. */
  records: number;
  events: number;
  /** Records dropped because of an error. */
  skipped: number;
  warnings: number;
  conversations: number;
}

export interface ReaderOptions {
  /** Name used in messages (usually the path as the user typed it). */
  file: string;
  onIssue: (issue: InputIssue) => void;
  /** Longest accepted line (JSONL) or message element (PAN), in bytes. */
  maxRecordBytes?: number;
  /** Chat exports: largest file read (or zip entry decompressed), in bytes; zips may decompress twice this in all. */
  maxExportBytes?: number;
}

export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
export const DEFAULT_MAX_EXPORT_BYTES = 256 * 1024 * 1024;

/** The input cannot be used (missing file, not the expected layout, unrecoverable XML). Exit code 2. */
export class UnusableInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnusableInputError';
  }
}

export function emptyStats(): ReaderStats {
  return { records: 0, events: 0, skipped: 0, warnings: 0, conversations: 0 };
}
