// What every input reader produces, whatever the file layout.
import { terminalSafe } from '../terminal.ts';
import type { LifeguardEvent } from '@lifeguard/core';

/** Input problems printed on stderr before only counting them (--max-errors). */
export const DEFAULT_MAX_PRINTED_ISSUES = 50;

export type InputFormat = 'jsonl' | 'pan';

/** A problem with one part of the input. `error`: that part was skipped; `warning`: it was used with a fix-up. */
export interface InputIssue {
  file: string;
  line: number;
  severity: 'error' | 'warning';
  message: string;
}

export function formatIssue(issue: InputIssue): string {
  return terminalSafe(`${issue.file}:${issue.line}: ${issue.severity === 'warning' ? 'warning: ' : ''}${issue.message}`);
}

export type ReaderItem =
  | { kind: 'event'; event: LifeguardEvent; line: number }
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
}

export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

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
