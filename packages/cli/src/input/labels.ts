// Ground-truth files for `eval` and `train`: offender author ids, or labelled conversations.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { splitLines } from './lines.ts';
import { UnusableInputError, type InputIssue } from './types.ts';

const MAX_LABEL_LINE_BYTES = 64 * 1024;

async function* linesOf(path: string): AsyncGenerator<{ line: number; text: string | null; bytes: number }> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new UnusableInputError(`${path}: is a directory`);
  } catch (error) {
    if (error instanceof UnusableInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UnusableInputError(code === 'ENOENT' ? `${path}: file not found` : `${path}: cannot read (${code})`);
  }
  for await (const batch of splitLines(createReadStream(path), MAX_LABEL_LINE_BYTES)) yield* batch;
}

/** Reads author ids, one per line; blank lines and lines starting with '#' are ignored. */
export async function readIdList(path: string, onIssue: (issue: InputIssue) => void): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const { line, text } of linesOf(path)) {
    if (text === null) {
      onIssue({ file: path, line, severity: 'error', message: 'line too long for an id; skipped' });
      continue;
    }
    const id = text.trim();
    if (id === '' || id.startsWith('#')) continue;
    ids.add(id);
  }
  return ids;
}

export type ConversationLabel = 0 | 1;

/** Reads `{"conversationId": "...", "label": "harmful" | "benign"}` lines. Later lines win for repeated ids. */
export async function readConversationLabels(
  path: string,
  onIssue: (issue: InputIssue) => void,
): Promise<Map<string, ConversationLabel>> {
  const labels = new Map<string, ConversationLabel>();
  const bad = (line: number, message: string) => onIssue({ file: path, line, severity: 'error', message });
  for await (const { line, text } of linesOf(path)) {
    if (text === null) {
      bad(line, 'line too long; skipped');
      continue;
    }
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      bad(line, `invalid JSON: ${(error as Error).message}`);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      bad(line, 'expected a JSON object {"conversationId": "...", "label": "harmful"|"benign"}');
      continue;
    }
    const { conversationId, label } = value as { conversationId?: unknown; label?: unknown };
    if (typeof conversationId !== 'string' || conversationId === '') {
      bad(line, 'conversationId: expected a non-empty string');
      continue;
    }
    if (label !== 'harmful' && label !== 'benign') {
      bad(line, `label: expected "harmful" or "benign", got ${JSON.stringify(label ?? null)}`);
      continue;
    }
    labels.set(conversationId, label === 'harmful' ? 1 : 0);
  }
  return labels;
}
