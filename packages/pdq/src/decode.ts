// Image decoding for hashing, through sharp (libvips). Node only; the hasher itself is pure.
//
// Choices, matching what the reference PDQ tools see:
// - Alpha is dropped, not composited (the reference reads R, G, B and ignores A).
// - Embedded ICC profiles are ignored (the reference uses the stored pixel values); CMYK is
//   still converted to RGB, which needs a profile, so sharp's default CMYK profile is used.
// - EXIF orientation is NOT applied by default: the reference hashers hash the stored pixels,
//   and known-image lists are built with them. `orientation: 'apply'` rotates first. Either way
//   the result says which orientation the file declared and whether it was applied. Matching
//   with dihedral hashes finds rotated and mirrored copies regardless.
// - Only the first frame of animated images is hashed.
//
// Hostile input: the header is read first and images whose declared size exceeds the pixel
// limit are refused before any decoding (decompression bombs); sharp's own limitInputPixels and
// a processing timeout back that up. Empty, truncated, non-image and unsupported files are
// errors with a code and the file name, never crashes. Very large (but allowed) images are
// shrunk to at most `maxHashPixels` before hashing: the hash is then within a few bits of the
// full-resolution one, not bit-identical.
//
// Shrink-on-load (default on): a JPEG is decoded at 1/8, 1/4 or 1/2 scale by libjpeg's scaled IDCT,
// the smallest that still leaves `shrinkMinSide` (512, PDQ's working size) on the short side after
// sharp's resize (see shrinkPlan); a JPEG whose short side is under 3 × 512 decodes every pixel. A WebP
// whose short side is at least 1,920 is scaled by libwebp while decoding, to 960: its scaler drifts
// more than libjpeg's, so it keeps more. Either way the hash is a few bits from the full-size one
// (docs/pdq.md has the drift measured). `shrinkOnLoad: false` decodes every pixel, as the reference
// tools do.

import sharp, { type Metadata, type OutputInfo } from 'sharp';

export const DEFAULT_MAX_INPUT_PIXELS = 100_000_000;
export const DEFAULT_MAX_INPUT_BYTES = 200 * 1024 * 1024;
export const DEFAULT_MAX_HASH_PIXELS = 4096 * 4096;
/** Longest side hashed; longer (e.g. extreme panoramas) are shrunk, keeping hasher memory bounded. */
export const DEFAULT_MAX_HASH_DIMENSION = 16384;
export const DEFAULT_DECODE_TIMEOUT_SECONDS = 30;
/** Least short side a JPEG keeps when shrunk on load: PDQ's 512-pixel working size. */
export const DEFAULT_SHRINK_MIN_SIDE = 512;
/** Short side a large WebP is scaled to while decoding (libwebp's scaler drifts more at 512). */
export const WEBP_SHRINK_SIDE = 960;

/** Formats accepted. SVG, PDF and the like are refused: they are documents, not photos. */
export const SUPPORTED_FORMATS: readonly string[] = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif'];

export type DecodeErrorCode = 'empty' | 'unsupported' | 'corrupt' | 'too_large' | 'zero_size' | 'unreadable';

export class ImageDecodeError extends Error {
  readonly code: DecodeErrorCode;
  readonly source: string;
  constructor(code: DecodeErrorCode, source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'ImageDecodeError';
    this.code = code;
    this.source = source;
  }
}

export interface DecodeOptions {
  /** Refuse images whose header declares more pixels than this. Default 100 million. */
  maxInputPixels?: number;
  /** Refuse files larger than this many bytes. Default 200 MiB. */
  maxInputBytes?: number;
  /** Shrink larger images to about this many pixels before hashing. Default 4096x4096. */
  maxHashPixels?: number;
  /** 'ignore' (default, as the reference tools) or 'apply' the EXIF orientation. */
  orientation?: 'ignore' | 'apply';
  timeoutSeconds?: number;
  /**
   * Decode JPEGs (and large WebPs) at reduced size: libjpeg's scaled decoding, then a resize leaving at
   * least `shrinkMinSide` on the short side. Default true; false decodes every pixel, bit for bit what
   * the reference tools hash.
   */
  shrinkOnLoad?: boolean;
  /** Least short side a JPEG keeps when shrunk on load, in pixels. Default 512. WebP always keeps 960. */
  shrinkMinSide?: number;
  /** Name used in error messages (a file path). Default "image". */
  name?: string;
}

export interface DecodedImage {
  /** Interleaved 8-bit pixels, `channels` per pixel (1 grey or 3 RGB). */
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
  format: string;
  /** Size stored in the file, before any orientation or shrinking. */
  sourceWidth: number;
  sourceHeight: number;
  /** EXIF orientation tag (1-8), 1 when absent. */
  orientation: number;
  orientationApplied: boolean;
  /** True when the image was hashed at reduced size: over maxHashPixels, or shrunk on load. */
  shrunk: boolean;
  /** True when the reduced size came from shrink-on-load (a JPEG or large WebP decoded at reduced scale). */
  shrunkOnLoad: boolean;
}

export async function decodeImage(input: Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  const name = options.name ?? 'image';
  const maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  const maxInputBytes = options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const maxHashPixels = options.maxHashPixels ?? DEFAULT_MAX_HASH_PIXELS;
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_DECODE_TIMEOUT_SECONDS;
  if (input.length === 0) throw new ImageDecodeError('empty', name, 'file is empty');
  if (input.length > maxInputBytes) {
    throw new ImageDecodeError(
      'too_large',
      name,
      `file is ${input.length} bytes, over the ${maxInputBytes}-byte limit`,
    );
  }

  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch (err) {
    throw classify(err, name);
  }
  const format = meta.format ?? 'unknown';
  if (!SUPPORTED_FORMATS.includes(format)) {
    throw new ImageDecodeError(
      'unsupported',
      name,
      `unsupported image format "${format}" (supported: ${SUPPORTED_FORMATS.join(', ')})`,
    );
  }
  const sourceWidth = meta.width ?? 0;
  const sourceHeight = meta.height ?? 0;
  if (!(sourceWidth > 0 && sourceHeight > 0)) {
    throw new ImageDecodeError('zero_size', name, `image has no pixels (${sourceWidth}x${sourceHeight})`);
  }
  const declared = sourceWidth * sourceHeight;
  if (declared > maxInputPixels) {
    throw new ImageDecodeError(
      'too_large',
      name,
      `image declares ${sourceWidth}x${sourceHeight} = ${declared} pixels, over the ${maxInputPixels}-pixel limit (refused before decoding)`,
    );
  }
  const orientation = meta.orientation ?? 1;
  const apply = options.orientation === 'apply';

  let pipeline = sharp(input, {
    limitInputPixels: maxInputPixels,
    ignoreIcc: true,
    failOn: 'error',
    pages: 1,
    // Rows are decoded once, top to bottom, straight into the output: no whole-image cache.
    sequentialRead: true,
  }).timeout({ seconds: timeoutSeconds });
  if (apply) pipeline = pipeline.autoOrient();
  const swap = apply && orientation >= 5; // orientations 5-8 swap width and height
  const outWidth = swap ? sourceHeight : sourceWidth;
  const outHeight = swap ? sourceWidth : sourceHeight;
  const tooBig = declared > maxHashPixels || Math.max(sourceWidth, sourceHeight) > DEFAULT_MAX_HASH_DIMENSION;
  const scale = tooBig
    ? Math.min(Math.sqrt(maxHashPixels / declared), DEFAULT_MAX_HASH_DIMENSION / Math.max(sourceWidth, sourceHeight), 1)
    : 1;
  const minSide = options.shrinkMinSide ?? DEFAULT_SHRINK_MIN_SIDE;
  if (!Number.isInteger(minSide) || minSide < 64)
    throw new RangeError(`shrinkMinSide must be an integer of at least 64 (PDQ's 64x64 grid), got ${minSide}`);
  const plan = options.shrinkOnLoad === false ? null : shrinkPlan(format, sourceWidth, sourceHeight, minSide);
  const shrinkOnLoad = plan !== null && plan.width <= Math.max(1, Math.round(sourceWidth * scale));
  if (shrinkOnLoad) {
    const w = swap ? plan.height : plan.width;
    const h = swap ? plan.width : plan.height;
    pipeline = pipeline.resize(w, h, { fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: true });
  } else if (tooBig) {
    const w = Math.max(1, Math.round(outWidth * scale));
    const h = Math.max(1, Math.round(outHeight * scale));
    pipeline = pipeline.resize(w, h, { fit: 'fill', kernel: 'cubic' });
  }
  pipeline = pipeline.removeAlpha();
  // Greyscale stays one channel: the reference uses grey values as luminance directly.
  const grey =
    meta.space === 'b-w' ||
    meta.space === 'grey16' ||
    (meta.channels !== undefined && meta.channels <= 2 && meta.space !== 'cmyk');
  if (grey) pipeline = pipeline.toColourspace('b-w');
  else if (meta.space === 'cmyk') pipeline = pipeline.toColourspace('srgb');

  let data: Buffer;
  let info: OutputInfo;
  try {
    ({ data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }));
  } catch (err) {
    throw classify(err, name);
  }
  let channels = info.channels as number;
  let pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (channels !== 1 && channels !== 3) {
    // Unusual layouts (e.g. two-channel grey+alpha that kept its alpha): keep the first channel
    // for 2, the first three for 4.
    const keep = channels === 2 ? 1 : 3;
    const out = new Uint8Array(info.width * info.height * keep);
    for (let p = 0, q = 0, o = 0; p < info.width * info.height; p++, q += channels) {
      for (let c = 0; c < keep; c++) out[o++] = pixels[q + c]!;
    }
    pixels = out;
    channels = keep;
  }
  return {
    pixels,
    width: info.width,
    height: info.height,
    channels: channels as 1 | 3,
    format,
    sourceWidth,
    sourceHeight,
    orientation,
    orientationApplied: apply && orientation !== 1,
    shrunk: tooBig || shrinkOnLoad,
    shrunkOnLoad: shrinkOnLoad,
  };
}

/** The size an image is hashed at when shrunk on load, or null when it is decoded in full. */
export interface ShrinkPlan {
  width: number;
  height: number;
  /** libjpeg's scaled-decode denominator (2, 4 or 8); 1 for WebP, which libwebp scales while decoding. */
  jpegScale: number;
}

/**
 * Shrink-on-load rule. JPEG: the smallest of libjpeg's 1/8, 1/4 and 1/2 scaled decodings that still
 * leaves a short side of at least `minSide` after sharp's resize. sharp applies 1/s only when the
 * whole shrink is at least s + 1 (at exactly s it halves s, against libjpeg rounding), so the target
 * is the stored size divided by s + 1, rounded down: the largest size that still gets 1/s.
 * WebP: libwebp scales while decoding to any size; WEBP_SHRINK_SIDE when the shrink is at least 2.
 */
export function shrinkPlan(format: string, width: number, height: number, minSide: number): ShrinkPlan | null {
  const short = Math.min(width, height);
  if (format === 'jpeg') {
    for (const s of [8, 4, 2]) {
      if (Math.floor(short / (s + 1)) < minSide) continue;
      return {
        width: Math.max(1, Math.floor(width / (s + 1))),
        height: Math.max(1, Math.floor(height / (s + 1))),
        jpegScale: s,
      };
    }
    return null;
  }
  if (format === 'webp' && short >= 2 * WEBP_SHRINK_SIDE) {
    const f = WEBP_SHRINK_SIDE / short;
    return {
      width: Math.max(1, Math.round(width * f)),
      height: Math.max(1, Math.round(height * f)),
      jpegScale: 1,
    };
  }
  return null;
}

function classify(err: unknown, name: string): ImageDecodeError {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n')[0] ?? message;
  if (/unsupported image format/i.test(message)) {
    return new ImageDecodeError('unsupported', name, 'not a supported image (unrecognised file format)');
  }
  if (/pixel limit/i.test(message)) return new ImageDecodeError('too_large', name, first);
  if (/premature end|truncated|corrupt|read error|not a|invalid|bad|datastream|unexpected end/i.test(message)) {
    return new ImageDecodeError('corrupt', name, `image data is truncated or corrupt (${first})`);
  }
  if (/timeout/i.test(message)) return new ImageDecodeError('unreadable', name, `decoding took too long (${first})`);
  return new ImageDecodeError('unreadable', name, `could not decode image (${first})`);
}
