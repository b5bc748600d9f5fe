// Reads the entries of an export .zip through yauzl, with limits: a zip is hostile input until
// proven otherwise (zip bombs, sizes that lie, endless entry lists, encrypted or corrupt entries).
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { UnusableInputError } from '../types.ts';

export const MAX_ZIP_ENTRIES = 100_000;
/** Deflate can reach about 1000:1; real text exports stay far below this. */
export const MAX_COMPRESSION_RATIO = 200;
const RATIO_CHECK_FROM_BYTES = 1024 * 1024;

export interface ZipEntryInfo {
  name: string;
  size: number;
  compressedSize: number;
  entry: Entry;
}

export interface OpenedZip {
  entries: ZipEntryInfo[];
  /** Decompresses one entry, refusing more than `maxBytes` for it. */
  read(info: ZipEntryInfo): Promise<Uint8Array>;
  close(): void;
}

const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;

/**
 * Opens `path` and lists its entries (directories left out). `maxBytes` caps one entry;
 * `maxTotalBytes` caps everything decompressed from this zip together.
 */
export async function openZip(
  path: string,
  label: string,
  maxBytes: number,
  maxTotalBytes: number,
): Promise<OpenedZip> {
  const zip = await new Promise<ZipFile>((resolve, reject) => {
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: true },
      (error, file) => {
        if (error)
          reject(
            new UnusableInputError(
              `${label}: not a readable zip file (${error.message}); damaged or incomplete download?`,
            ),
          );
        else resolve(file);
      },
    );
  });
  const entries: ZipEntryInfo[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: Entry) => {
        if (entries.length >= MAX_ZIP_ENTRIES) {
          reject(
            new UnusableInputError(
              `${label}: more than ${MAX_ZIP_ENTRIES} entries in the zip; refused (not a chat export?)`,
            ),
          );
          return;
        }
        if (!entry.fileName.endsWith('/')) {
          entries.push({
            name: entry.fileName,
            size: entry.uncompressedSize,
            compressedSize: entry.compressedSize,
            entry,
          });
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', (error: Error) =>
        reject(new UnusableInputError(`${label}: damaged zip file (${error.message})`)),
      );
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    throw error;
  }
  let total = 0;
  const read = async (info: ZipEntryInfo): Promise<Uint8Array> => {
    const where = `${label}!${info.name}`;
    if (info.entry.isEncrypted())
      throw new UnusableInputError(`${where}: the entry is encrypted; export it again without a password`);
    if (info.size > maxBytes) {
      throw new UnusableInputError(
        `${where}: ${mb(info.size)} when decompressed, more than the ${mb(maxBytes)} limit for one export file; refused`,
      );
    }
    if (info.size > RATIO_CHECK_FROM_BYTES && info.size > info.compressedSize * MAX_COMPRESSION_RATIO) {
      throw new UnusableInputError(
        `${where}: compressed ${Math.round(info.size / Math.max(1, info.compressedSize))}:1 (${mb(info.size)} from ${info.compressedSize} bytes): looks like a zip bomb; refused`,
      );
    }
    if (total + info.size > maxTotalBytes) {
      throw new UnusableInputError(
        `${label}: the chat files in the zip decompress to more than ${mb(maxTotalBytes)} in all; refused`,
      );
    }
    const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
      zip.openReadStream(info.entry, (error, s) => {
        if (error) reject(new UnusableInputError(`${where}: cannot be decompressed (${error.message})`));
        else resolve(s);
      });
    });
    const parts: Buffer[] = [];
    let length = 0;
    try {
      for await (const chunk of stream) {
        length += (chunk as Buffer).length;
        // validateEntrySizes also stops a lying size, but only at its declared end: count here too.
        if (length > info.size || length > maxBytes) {
          throw new UnusableInputError(
            `${where}: decompresses to more than the ${info.size} bytes its header declares: damaged or hostile zip; refused`,
          );
        }
        parts.push(chunk as Buffer);
      }
    } catch (error) {
      (stream as unknown as { destroy?: () => void }).destroy?.();
      if (error instanceof UnusableInputError) throw error;
      const message = (error as Error).message;
      if (/too (many|few) bytes in the stream/.test(message)) {
        throw new UnusableInputError(
          `${where}: decompresses to a different size than its header declares (${message}): damaged or hostile zip; refused`,
        );
      }
      throw new UnusableInputError(`${where}: damaged zip entry (${message})`);
    }
    total += length;
    return Buffer.concat(parts, length);
  };
  return { entries, read, close: () => zip.close() };
}
