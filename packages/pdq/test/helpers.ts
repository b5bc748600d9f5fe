// Shared test helpers: paths to the shared PDQ test data, the expected-hash table, seeded random
// numbers, and a deliberately plain transcription of the PDQ algorithm (full-size buffers, literal
// division, no streaming) used to check the optimised hasher bit for bit.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { xorshift32 } from '../src/random.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const SHARED_PDQ = join(here, '..', '..', '..', '..', 'shared', 'testdata', 'pdq');
export const HAVE_SHARED = existsSync(join(SHARED_PDQ, 'expected-hashes.csv'));
export const SKIP_SHARED = HAVE_SHARED ? false : 'shared PDQ test data (../shared/testdata/pdq) is absent';

export interface ExpectedRow {
  localPath: string;
  upstreamPath: string;
  source: string;
  hash: string;
  quality: number | undefined;
  transform: string;
  notes: string;
}

export function expectedRows(): ExpectedRow[] {
  const text = readFileSync(join(SHARED_PDQ, 'expected-hashes.csv'), 'utf8');
  const [header, ...lines] = text.trim().split('\n');
  if (header !== 'local_path,upstream_path,source,hash_hex,quality,transform,notes') {
    throw new Error(`unexpected expected-hashes.csv header: ${header}`);
  }
  return lines.map((line) => {
    const cells = line.split(',');
    const [localPath, upstreamPath, source, hash, quality, transform] = cells;
    return {
      localPath: localPath ?? '',
      upstreamPath: upstreamPath ?? '',
      source: source ?? '',
      hash: hash ?? '',
      quality: quality ? Number(quality) : undefined,
      transform: transform ?? '',
      notes: cells.slice(6).join(','),
    };
  });
}

export function imagePath(rel: string): string {
  return join(SHARED_PDQ, rel);
}

/** Seeded, reproducible uint32s (xorshift32). */
export const rng = xorshift32;

export function randomHashes(n: number, seed: number): Uint32Array {
  const next = rng(seed);
  const words = new Uint32Array(n * 8);
  for (let i = 0; i < words.length; i++) words[i] = next();
  return words;
}

/** Copy of the 8-word hash at `offset` with `flips` distinct random bits flipped. */
export function flipBits(words: Uint32Array, offset: number, flips: number, next: () => number): Uint32Array {
  const out = words.slice(offset, offset + 8);
  const chosen = new Set<number>();
  while (chosen.size < flips) chosen.add(next() % 256);
  for (const b of chosen) out[b >>> 5] = (out[b >>> 5]! ^ (1 << (b & 31))) >>> 0;
  return out;
}

// ------------------------------------------------------------------ plain PDQ transcription

const f = Math.fround;

function box1d(
  input: Float32Array,
  output: Float32Array,
  start: number,
  length: number,
  stride: number,
  window: number,
): void {
  const half = Math.floor((window + 2) / 2);
  let sum = 0;
  let count = 0;
  let ri = start;
  let li = start;
  let oi = start;
  for (let i = 0; i < half - 1; i++) {
    sum = f(sum + input[ri]!);
    count++;
    ri += stride;
  }
  for (let i = 0; i < window - half + 1; i++) {
    sum = f(sum + input[ri]!);
    count++;
    output[oi] = f(sum / count);
    ri += stride;
    oi += stride;
  }
  for (let i = 0; i < length - window; i++) {
    sum = f(sum + input[ri]!);
    sum = f(sum - input[li]!);
    output[oi] = f(sum / count);
    li += stride;
    ri += stride;
    oi += stride;
  }
  for (let i = 0; i < half - 1; i++) {
    sum = f(sum - input[li]!);
    count--;
    output[oi] = f(sum / count);
    li += stride;
    oi += stride;
  }
}

/** Returns the 64x64 downsample, quality and hash words, computed the obvious way. */
export function plainPdq(
  rgb: Uint8Array,
  width: number,
  height: number,
  channels: number,
): { buf64: Float32Array; quality: number; words: Uint32Array } {
  const words = new Uint32Array(8);
  if (width < 5 || height < 5) return { buf64: new Float32Array(4096), quality: 0, words };
  const a = new Float32Array(width * height);
  const b = new Float32Array(width * height);
  for (let p = 0; p < width * height; p++) {
    if (channels >= 3) {
      const r = f(f(0.299) * rgb[p * channels]!);
      const g = f(f(0.587) * rgb[p * channels + 1]!);
      const bl = f(f(0.114) * rgb[p * channels + 2]!);
      a[p] = f(f(r + g) + bl);
    } else {
      a[p] = rgb[p * channels]!;
    }
  }
  const buf64 = new Float32Array(4096);
  if (width === 64 && height === 64) {
    buf64.set(a);
  } else {
    const wr = Math.floor((width + 127) / 128);
    const wc = Math.floor((height + 127) / 128);
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < height; i++) box1d(a, b, i * width, width, 1, wr);
      for (let j = 0; j < width; j++) box1d(b, a, j, height, width, wc);
    }
    for (let i = 0; i < 64; i++) {
      const ini = Math.floor(((i + 0.5) * height) / 64);
      for (let j = 0; j < 64; j++) buf64[i * 64 + j] = a[ini * width + Math.floor(((j + 0.5) * width) / 64)]!;
    }
  }
  let gradient = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++)
      gradient += Math.abs(Math.trunc(f(f(f(buf64[i * 64 + j]! - buf64[(i + 1) * 64 + j]!) * 100) / 255)));
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++)
      gradient += Math.abs(Math.trunc(f(f(f(buf64[i * 64 + j]! - buf64[i * 64 + j + 1]!) * 100) / 255)));
  }
  const quality = Math.min(100, Math.trunc(gradient / 90));
  const d = new Float32Array(16 * 64);
  const scale = f(Math.sqrt(2 / 64));
  for (let i = 0; i < 16; i++)
    for (let j = 0; j < 64; j++) d[i * 64 + j] = f(scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1)));
  const t = new Float32Array(16 * 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      let s = 0;
      for (let k = 0; k < 64; k++) s = f(s + f(d[i * 64 + k]! * buf64[k * 64 + j]!));
      t[i * 64 + j] = s;
    }
  }
  const dct = new Float32Array(256);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      let s = 0;
      for (let k = 0; k < 64; k++) s = f(s + f(t[i * 64 + k]! * d[j * 64 + k]!));
      dct[i * 16 + j] = s;
    }
  }
  const median = Float32Array.from(dct).sort()[127]!;
  for (let k = 0; k < 256; k++) if (dct[k]! > median) words[k >> 5] = (words[k >> 5]! | (1 << (k & 31))) >>> 0;
  return { buf64, quality, words };
}
