// Shared test helpers: temporary files and reading a whole input through the readers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInput } from '../src/input/source.ts';
import type { InputIssue, ReaderItem, ReaderStats } from '../src/input/types.ts';

export const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

let dir: string | null = null;
export function tempFile(name: string, content: string | Uint8Array): string {
  dir ??= mkdtempSync(join(tmpdir(), 'lifeguard-cli-test-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export interface ReadAll {
  items: ReaderItem[];
  issues: InputIssue[];
  stats: ReaderStats;
  fatal: Error | null;
}

export async function readAll(path: string, maxRecordBytes?: number): Promise<ReadAll> {
  const issues: InputIssue[] = [];
  const items: ReaderItem[] = [];
  const input = await openInput(path, {
    file: path,
    onIssue: (i) => issues.push(i),
    ...(maxRecordBytes ? { maxRecordBytes } : {}),
  });
  let fatal: Error | null = null;
  try {
    for await (const batch of input.items) items.push(...batch);
  } catch (error) {
    fatal = error as Error;
  }
  return { items, issues, stats: input.stats, fatal };
}

export async function* chunksOf(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part) : part;
}
