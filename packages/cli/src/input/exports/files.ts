// The files of an export, whatever it came as: one file, an unpacked folder or a .zip.
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UnusableInputError } from '../types.ts';
import { openZip } from './zip.ts';

export interface ExportFile {
  /** Path inside the export with '/' separators (the file's own name for a single file). */
  path: string;
  /** How messages name it: the path the user typed, plus "!entry" inside a zip. */
  label: string;
  size: number;
  read(): Promise<Uint8Array>;
}

export interface ExportFiles {
  kind: 'file' | 'directory' | 'zip';
  label: string;
  files: ExportFile[];
  close(): void;
}

const MAX_DIRECTORY_FILES = 100_000;
const MAX_DEPTH = 16;

export async function isZip(path: string): Promise<boolean> {
  if (path.toLowerCase().endsWith('.zip')) return true;
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    return head.readUInt32LE(0) === 0x04034b50;
  } finally {
    await handle.close();
  }
}

function tooBig(label: string, size: number, maxBytes: number): UnusableInputError {
  return new UnusableInputError(
    `${label}: ${size} bytes, more than the ${maxBytes}-byte limit for one export file; refused`,
  );
}

/** Lists an export; reading a file checks its size against `maxBytes` first. */
export async function listExport(path: string, label: string, maxBytes: number): Promise<ExportFiles> {
  const info = await stat(path);
  if (info.isFile() && (await isZip(path))) {
    const zip = await openZip(path, label, maxBytes, maxBytes * 2);
    return {
      kind: 'zip',
      label,
      files: zip.entries.map((entry) => ({
        path: entry.name,
        label: `${label}!${entry.name}`,
        size: entry.size,
        read: () => zip.read(entry),
      })),
      close: () => zip.close(),
    };
  }
  const readChecked = async (file: string, shown: string): Promise<Uint8Array> => {
    const size = (await stat(file)).size;
    if (size > maxBytes) throw tooBig(shown, size, maxBytes);
    return readFile(file);
  };
  if (!info.isFile() && !info.isDirectory()) {
    throw new UnusableInputError(
      `${label}: not a regular file or folder; a chat export is read from a file, a folder or a .zip (not a pipe)`,
    );
  }
  if (info.isFile()) {
    return {
      kind: 'file',
      label,
      files: [{ path: basename(path), label, size: info.size, read: () => readChecked(path, label) }],
      close: () => {},
    };
  }
  const files: ExportFile[] = [];
  const walk = async (dir: string, relative: string, depth: number) => {
    if (depth > MAX_DEPTH) return;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      // Links are not followed: an export has none, and a loop must not hang the scan.
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full, rel, depth + 1);
      else if (entry.isFile()) {
        if (files.length >= MAX_DIRECTORY_FILES)
          throw new UnusableInputError(
            `${label}: more than ${MAX_DIRECTORY_FILES} files in the folder; refused (not a chat export?)`,
          );
        const shown = join(label, rel);
        files.push({ path: rel, label: shown, size: -1, read: () => readChecked(full, shown) });
      }
    }
  };
  await walk(path, '', 0);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { kind: 'directory', label, files, close: () => {} };
}
