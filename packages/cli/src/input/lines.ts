// Splits a byte stream into lines without ever holding more than one line (capped) in memory.
// node:readline would buffer an endless line whole; here a line over the cap is counted and dropped.

export interface LineRecord {
  /** 1-based line number in the file. */
  line: number;
  /** Decoded text without the line ending, or null when the line was longer than the cap. */
  text: string | null;
  /** Length of the line in bytes (without the line ending). */
  bytes: number;
}

const NEWLINE = 0x0a;

/**
 * Yields the lines of `chunks` in batches (one batch per chunk, to keep per-line overhead low).
 * Invalid UTF-8 is replaced by U+FFFD rather than rejected: one bad byte must not lose a line.
 */
export async function* splitLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes: number,
): AsyncGenerator<LineRecord[]> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let pieces: Uint8Array[] = [];
  let pendingBytes = 0;
  let overlong = false;
  let lineNumber = 1;

  const finish = (): LineRecord => {
    const record: LineRecord = { line: lineNumber, text: null, bytes: pendingBytes };
    if (!overlong) {
      const bytes = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, pendingBytes);
      let text = decoder.decode(bytes);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (lineNumber === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      record.text = text;
    }
    pieces = [];
    pendingBytes = 0;
    overlong = false;
    lineNumber++;
    return record;
  };

  for await (const chunk of chunks) {
    const batch: LineRecord[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      const piece = chunk.subarray(start, end);
      if (!overlong && pendingBytes + piece.length > maxLineBytes) {
        overlong = true;
        pieces = [];
      }
      if (!overlong && piece.length > 0) pieces.push(piece);
      pendingBytes += piece.length;
      if (newline === -1) break;
      batch.push(finish());
      start = newline + 1;
    }
    if (batch.length > 0) yield batch;
  }
  // A last line without a final newline still counts.
  if (pendingBytes > 0) yield [finish()];
}
