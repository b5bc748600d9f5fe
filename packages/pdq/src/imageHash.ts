// File -> hashes: MD5 and SHA-256 of the bytes (for exact lists) and PDQ of the pixels. Node only.

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { decodeImage, DEFAULT_MAX_INPUT_BYTES, ImageDecodeError, type DecodeOptions } from './decode.ts';
import { hashToHex } from './hex.ts';
import { DIHEDRAL_NAMES, PdqHasher, type DihedralName } from './pdq.ts';

export interface ImageHashes {
  /** The name given (a path, or a label for buffers). */
  source: string;
  bytes: number;
  md5: string;
  sha256: string;
  /** PDQ hash, 64 hex digits in the reference layout. */
  pdq: string;
  quality: number;
  /** All eight dihedral variants (orig included), when asked for. */
  dihedral?: Record<DihedralName, string>;
  width: number;
  height: number;
  format: string;
  orientation: number;
  orientationApplied: boolean;
  shrunk: boolean;
  /** Decoded at reduced scale (a large JPEG; see DecodeOptions.shrinkOnLoad). */
  shrunkOnLoad: boolean;
}

export interface HashImageOptions extends DecodeOptions {
  dihedral?: boolean;
  /** Reuse one hasher across calls (one per worker). */
  hasher?: PdqHasher;
}

export async function hashImageBuffer(bytes: Uint8Array, options: HashImageOptions = {}): Promise<ImageHashes> {
  const source = options.name ?? 'image';
  const image = await decodeImage(bytes, options);
  const hasher = options.hasher ?? new PdqHasher();
  const result: ImageHashes = {
    source,
    bytes: bytes.length,
    md5: createHash('md5').update(bytes).digest('hex'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    pdq: '',
    quality: 0,
    width: image.width,
    height: image.height,
    format: image.format,
    orientation: image.orientation,
    orientationApplied: image.orientationApplied,
    shrunk: image.shrunk,
    shrunkOnLoad: image.shrunkOnLoad,
  };
  if (options.dihedral) {
    const d = hasher.dihedralPixels(image.pixels, image.width, image.height, image.channels);
    const hex = {} as Record<DihedralName, string>;
    for (const name of DIHEDRAL_NAMES) hex[name] = hashToHex(d.hashes[name]);
    result.pdq = hex.orig;
    result.quality = d.quality;
    result.dihedral = hex;
  } else {
    const r = hasher.hashPixels(image.pixels, image.width, image.height, image.channels);
    result.pdq = hashToHex(r.hash);
    result.quality = r.quality;
  }
  return result;
}

/** Reads and hashes one file. Errors are ImageDecodeError naming the file. */
export async function hashImageFile(path: string, options: HashImageOptions = {}): Promise<ImageHashes> {
  const maxBytes = options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ImageDecodeError('unreadable', path, 'not a regular file');
    size = info.size;
  } catch (err) {
    if (err instanceof ImageDecodeError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImageDecodeError(
      'unreadable',
      path,
      code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(err)})`,
    );
  }
  // Check the size before reading so a huge file is never loaded into memory.
  if (size > maxBytes)
    throw new ImageDecodeError('too_large', path, `file is ${size} bytes, over the ${maxBytes}-byte limit`);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ImageDecodeError(
      'unreadable',
      path,
      `cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  return hashImageBuffer(bytes, { ...options, name: path });
}
