// Reads Lifeguard events, one JSON object per line (the schema in @lifeguard/core events.ts).
import { parseEvent } from '@lifeguard/core';
import { splitLines } from './lines.ts';
import { DEFAULT_MAX_RECORD_BYTES, type ReaderItem, type ReaderOptions, type ReaderStats } from './types.ts';

/**
 * Yields the valid events in batches. Every bad line is reported through `onIssue` with its line
 * number and skipped; reading always carries on with the next line.
 */
export async function* readJsonl(
  chunks: AsyncIterable<Uint8Array>,
  options: ReaderOptions,
  stats: ReaderStats,
): AsyncGenerator<ReaderItem[]> {
  const maxBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const skip = (line: number, message: string) => {
    stats.skipped++;
    options.onIssue({ file: options.file, line, severity: 'error', message });
  };
  for await (const lines of splitLines(chunks, maxBytes)) {
    const batch: ReaderItem[] = [];
    for (const { line, text, bytes } of lines) {
      if (text === null) {
        stats.records++;
        skip(line, `line is ${bytes} bytes, longer than the ${maxBytes}-byte limit; skipped`);
        continue;
      }
      if (text.trim() === '') continue; // blank lines are allowed and not counted
      stats.records++;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        skip(line, `invalid JSON: ${(error as Error).message}`);
        continue;
      }
      const parsed = parseEvent(value);
      if (!parsed.ok) {
        skip(line, parsed.error.message);
        continue;
      }
      stats.events++;
      batch.push({ kind: 'event', event: parsed.event, line });
    }
    if (batch.length > 0) yield batch;
  }
}
