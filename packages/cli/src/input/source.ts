// Opens an input file, works out its layout and hands back a reader over its events.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { readJsonl } from './jsonl.ts';
import { readPan } from './pan.ts';
import { emptyStats, UnusableInputError, type InputFormat, type ReaderItem, type ReaderOptions, type ReaderStats } from './types.ts';

export interface OpenedInput {
  format: InputFormat;
  /** Size on disk in bytes (compressed size for .gz). */
  size: number;
  stats: ReaderStats;
  /** Batches of events; reading starts when iterated. */
  items: AsyncGenerator<ReaderItem[]>;
}

export interface OpenInputOptions extends ReaderOptions {
  /** 'auto' (default) decides by extension, then by the first non-blank byte. */
  format?: InputFormat | 'auto';
  /** Called with the number of bytes read from disk so far (for a progress bar). */
  onBytes?: (bytesRead: number) => void;
}

const CHUNK_BYTES = 256 * 1024;

/**
 * A .gz input may grow to this many times its size, or to MIN_GUNZIP_LIMIT when that is more. Chat logs
 * compress about 5-10 times; a gzip bomb (1 MB of zeros or newlines is 1 GB) far more.
 */
export const MAX_GUNZIP_RATIO = 100;
export const MIN_GUNZIP_LIMIT = 64 * 1024 * 1024;

export function formatFromName(path: string): InputFormat | null {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson') || name.endsWith('.json')) return 'jsonl';
  if (name.endsWith('.xml')) return 'pan';
  return null;
}

/** Guesses the layout from the first non-blank character: '<' is PAN XML, '{' is JSONL. */
export function formatFromContent(head: string): InputFormat | null {
  const first = head.replace(/^\uFEFF/, '').trimStart()[0];
  if (first === '<') return 'pan';
  if (first === '{') return 'jsonl';
  return null;
}

async function readHead(path: string, gzipped: boolean): Promise<string> {
  if (gzipped) {
    const stream = createReadStream(path).pipe(createGunzip());
    try {
      for await (const chunk of stream) return (chunk as Buffer).subarray(0, 4096).toString('utf8');
    } catch (error) {
      throw new UnusableInputError(`${path}: not a readable gzip file (${(error as Error).message})`);
    } finally {
      stream.destroy();
    }
    return '';
  }
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

export async function openInput(path: string, options: OpenInputOptions): Promise<OpenedInput> {
  let size: number;
  let regular: boolean;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new UnusableInputError(`${path}: is a directory`);
    regular = info.isFile();
    size = regular ? info.size : 0;
  } catch (error) {
    if (error instanceof UnusableInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UnusableInputError(code === 'ENOENT' ? `${path}: file not found` : `${path}: cannot read (${code ?? (error as Error).message})`);
  }
  const gzipped = path.toLowerCase().endsWith('.gz');
  let format: InputFormat | null = options.format && options.format !== 'auto' ? options.format : formatFromName(path);
  if (format === null) {
    // Peeking would consume a pipe's data: pipes and devices (e.g. /dev/stdin) need --format.
    if (!regular) throw new UnusableInputError(`${path}: not a regular file; say which layout it is with --format jsonl|pan`);
    format = formatFromContent(await readHead(path, gzipped));
    if (format === null) {
      throw new UnusableInputError(`${path}: cannot tell the layout (expected JSONL events or PAN XML); use --format jsonl|pan`);
    }
  }
  const stats = emptyStats();
  const chunks = readChunks(path, gzipped, options.onBytes, gzipped ? Math.max(MIN_GUNZIP_LIMIT, size * MAX_GUNZIP_RATIO) : Infinity);
  const items = format === 'jsonl' ? readJsonl(chunks, options, stats) : readPan(chunks, options, stats);
  return { format, size, stats, items };
}

async function* readChunks(path: string, gzipped: boolean, onBytes: ((bytesRead: number) => void) | undefined, maxBytes: number): AsyncGenerator<Uint8Array> {
  const file = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  const stream = gzipped ? file.pipe(createGunzip()) : file;
  let total = 0;
  try {
    for await (const chunk of stream) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) {
        throw new UnusableInputError(`${path}: decompresses to more than ${maxBytes} bytes (over ${MAX_GUNZIP_RATIO} times its size); not read further`);
      }
      onBytes?.(file.bytesRead);
      yield chunk as Buffer;
    }
  } catch (error) {
    if (error instanceof UnusableInputError) throw error;
    throw new UnusableInputError(`${path}: read failed (${(error as Error).message})`);
  } finally {
    stream.destroy();
    file.destroy();
  }
}
