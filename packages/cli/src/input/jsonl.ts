// Reads Lifeguard events, one JSON object per line (the schema in @lifeguard/core events.ts).
import { parseEvent } from '@lifeguard/core';
import { splitLines } from './lines.ts';
import {
  DEFAULT_MAX_RECORD_BYTES,
  UnusableInputError,
  type ReaderItem,
  type ReaderOptions,
  type ReaderStats,
} from './types.ts';

/**
 * Blank lines in a row after which the file is given up: real event files have none to speak of, and a
 * small gzip of nothing but newlines would otherwise keep a scan busy for minutes.
 */
export const MAX_BLANK_RUN = 1_000_000;

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
  let blankRun = 0;
  for await (const lines of splitLines(chunks, maxBytes)) {
    const batch: ReaderItem[] = [];
    for (const { line, text, bytes } of lines) {
      if (text !== null && text.trim() === '') {
        if (++blankRun > MAX_BLANK_RUN) {
          throw new UnusableInputError(
            `${options.file}:${line}: more than ${MAX_BLANK_RUN.toLocaleString('en')} blank lines in a row; not an event file`,
          );
        }
        continue; // blank lines are allowed and not counted
      }
      blankRun = 0;
      if (text === null) {
        stats.records++;
        skip(line, `line is ${bytes} bytes, longer than the ${maxBytes}-byte limit; skipped`);
        continue;
      }
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
