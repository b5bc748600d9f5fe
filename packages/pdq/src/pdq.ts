// PDQ perceptual image hash (Meta, 2017), written from the published algorithm:
//   luminance -> two-pass Jarosz tent filter (box filter, X then Y, twice) -> decimate to 64x64
//   -> quality metric on the 64x64 -> DCT keeping coefficients 1..16 x 1..16 -> one bit per
//   coefficient: greater than the median of the 256 coefficients.
//
// The reference implementations compute in 32-bit floats. To reproduce their bits exactly (not
// just approximately) every intermediate value here is rounded to float32 (Math.fround) in the
// same order the reference rounds it. Rounding the double result of one +, -, * or / of float32
// operands gives the correctly rounded float32 result, so this is an exact emulation. Scratch
// buffers are Float64Arrays holding float32 values: it saves a conversion on every load.
//
// One deliberate substitution: the box filter's "sum / count" is computed as fround(sum * (1 /
// count)). That is bit-identical: the quotient of a float32 by an integer count < 2^27 can never
// be a rounding midpoint of float32 (a midpoint needs 25 significant bits, the float32 sum has 24
// and an integer factor cannot supply the odd 25th), and it lies at least 2^-24/count (relative)
// away from every midpoint, while the reciprocal product is off by at most ~2^-52 (relative).
// So both round to the same float32. Multiplication is several times cheaper than division.
//
// Two kernels compute this: a WebAssembly one (src/wasmKernel.ts, built from
// assembly/pdqKernel.ts), where float32 arithmetic is native and SIMD runs four running sums per
// instruction, and the TypeScript one below. They give identical bits (tests compare them on
// many sizes); the hasher uses WebAssembly where it can and this file's code where it cannot.
//
// Pure module: no Node imports, so apps can hash on device.

import { PDQ_HASH_WORDS, type PdqHash } from './hex.ts';
import { globalWebAssembly, WasmKernel, type WebAssemblyApi } from './wasmKernel.ts';

export type { WebAssemblyApi } from './wasmKernel.ts';

/** Images smaller than this in either dimension get the all-zero hash and quality 0. */
export const PDQ_MIN_DIMENSION = 5;
/** Upstream advice: hashes with quality at or below 49 are unreliable for matching. */
export const PDQ_RECOMMENDED_MIN_QUALITY = 50;

export interface PdqResult {
  hash: PdqHash;
  /** 0..100: how much usable gradient detail the image has. */
  quality: number;
}

export interface PdqHasherOptions {
  /**
   * 'auto' (default): the WebAssembly kernel where the runtime can run it, else TypeScript.
   * 'wasm': WebAssembly or throw. 'js': TypeScript only. All give identical hashes.
   */
  kernel?: 'auto' | 'wasm' | 'js';
  /** The WebAssembly implementation to use (default: the global one); null: act as if there were none. */
  webAssembly?: WebAssemblyApi | null;
}

/** The eight dihedral transforms, named as in the reference tools' output. */
export const DIHEDRAL_NAMES = ['orig', 'rot90', 'rot180', 'rot270', 'flipx', 'flipy', 'flipp', 'flipm'] as const;
export type DihedralName = (typeof DIHEDRAL_NAMES)[number];

export interface PdqDihedralResult {
  quality: number;
  /** Hash each transformed image would get, derived from the original's DCT (no re-hashing). */
  hashes: Record<DihedralName, PdqHash>;
}

// Reference luma coefficients are float32 constants.
const LUMA_R = Math.fround(0.299);
const LUMA_G = Math.fround(0.587);
const LUMA_B = Math.fround(0.114);
// Per-byte products, each already rounded to float32 as the reference's float multiply would be.
const LUMA_R_TABLE = new Float64Array(256);
const LUMA_G_TABLE = new Float64Array(256);
const LUMA_B_TABLE = new Float64Array(256);
for (let v = 0; v < 256; v++) {
  LUMA_R_TABLE[v] = Math.fround(LUMA_R * v);
  LUMA_G_TABLE[v] = Math.fround(LUMA_G * v);
  LUMA_B_TABLE[v] = Math.fround(LUMA_B * v);
}

// 16x64 DCT-II basis rows 1..16 (row 0, the DC term, is skipped). Values are the float32 the
// reference stores, kept in a Float64Array so the hot loop reads doubles without conversion.
const DCT_MATRIX = new Float64Array(16 * 64);
{
  const scale = Math.fround(Math.sqrt(2 / 64));
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      DCT_MATRIX[i * 64 + j] = Math.fround(scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1)));
    }
  }
}

/** Box-filter window per pass: ceil(old / (2 * 64)); two passes make a tent over ~old/64 pixels. */
export function jaroszWindowSize(oldDimension: number, newDimension = 64): number {
  return Math.floor((oldDimension + 2 * newDimension - 1) / (2 * newDimension));
}

/**
 * Reusable PDQ hasher. Keeps scratch buffers between calls so steady-state hashing allocates only
 * the result. Not re-entrant: use one per worker.
 *
 * The Jarosz filter (box rows, box columns, box rows, box columns) is streamed: rows enter a ring
 * of (column window + 4) filtered rows, so no full-size float copy of the image is ever made and
 * the working set stays in cache. Each running sum still sees its values in the reference's order,
 * so the float32 results are the reference's. Rows are filtered four at a time because a single
 * running sum is a serial chain of float32 roundings; four independent chains run in parallel.
 * The second row and column passes are only evaluated where the 64x64 decimation samples them.
 */
export class PdqHasher {
  /** The kernel this hasher runs: 'wasm', or 'js' where WebAssembly is unavailable or refused. */
  readonly kernel: 'wasm' | 'js';
  private readonly wasm: WasmKernel | undefined;

  constructor(options: PdqHasherOptions = {}) {
    const choice = options.kernel ?? 'auto';
    if (choice !== 'auto' && choice !== 'wasm' && choice !== 'js')
      throw new RangeError(`unknown PDQ kernel ${String(choice)}`);
    let wasm: WasmKernel | undefined;
    if (choice !== 'js') {
      const api = options.webAssembly === undefined ? globalWebAssembly() : options.webAssembly;
      try {
        if (!api) throw new Error('this runtime has no WebAssembly');
        wasm = new WasmKernel(api, [LUMA_R, LUMA_G, LUMA_B], DCT_MATRIX);
      } catch (err) {
        if (choice === 'wasm')
          throw new Error(`PDQ WebAssembly kernel unavailable: ${(err as Error).message}`, { cause: err });
      }
    }
    this.wasm = wasm;
    this.kernel = wasm ? 'wasm' : 'js';
  }

  private ring = new Float64Array(0);
  private lumaRows = new Float64Array(0);
  private colRows = new Float64Array(0);
  private colSums = new Float64Array(0);
  private picked = new Float64Array(0);
  private readonly pickedSums = new Float64Array(64);
  private readonly buf64 = new Float64Array(64 * 64);
  private readonly dctRows = new Float64Array(16 * 64);
  private readonly dct = new Float32Array(16 * 16);
  private readonly aux = new Float32Array(16 * 16);
  private readonly sortScratch = new Float32Array(16 * 16);
  private readonly pickRows = new Int32Array(64);
  private readonly pickCols = new Int32Array(64);

  /** Hash from interleaved 8-bit pixels: 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA) channels. */
  hashPixels(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: number): PdqResult {
    checkPixels(pixels, width, height, channels);
    if (!hashable(width, height)) return { hash: new Uint32Array(PDQ_HASH_WORDS), quality: 0 };
    const quality = this.transform(width, height, pixels, channels);
    return { hash: this.bits(this.dct), quality };
  }

  /** Hash from a float luminance plane (row-major, width*height, values 0..255). Not modified. */
  hashLuma(luma: Float32Array, width: number, height: number): PdqResult {
    checkLuma(luma, width, height);
    if (!hashable(width, height)) return { hash: new Uint32Array(PDQ_HASH_WORDS), quality: 0 };
    const quality = this.transform(width, height, luma, 0);
    return { hash: this.bits(this.dct), quality };
  }

  /** All eight dihedral hashes from one pass over the pixels. */
  dihedralPixels(
    pixels: Uint8Array | Uint8ClampedArray,
    width: number,
    height: number,
    channels: number,
  ): PdqDihedralResult {
    checkPixels(pixels, width, height, channels);
    if (!hashable(width, height)) return emptyDihedral();
    const quality = this.transform(width, height, pixels, channels);
    return { quality, hashes: this.dihedralBits() };
  }

  dihedralLuma(luma: Float32Array, width: number, height: number): PdqDihedralResult {
    checkLuma(luma, width, height);
    if (!hashable(width, height)) return emptyDihedral();
    const quality = this.transform(width, height, luma, 0);
    return { quality, hashes: this.dihedralBits() };
  }

  // ---------------------------------------------------------------- core

  // Per-call stream state (set by transform, read by produceBlock/flushBlock).
  private src8: Uint8Array = new Uint8Array(0);
  private srcLuma: Float32Array = new Float32Array(0);
  private channels = 0;
  private width = 0;
  private height = 0;
  private winRows = 1;
  private ringRows = 1;
  private produced = 0;

  /**
   * Filters and decimates to 64x64, leaves the 16x16 DCT in this.dct, returns quality.
   * `source` is 8-bit pixels with `channels` per pixel, or (channels 0) a float luma plane.
   */
  private transform(
    width: number,
    height: number,
    source: Uint8Array | Uint8ClampedArray | Float32Array,
    channels: number,
  ): number {
    // The WebAssembly kernel does the filter, the gradient sum and the DCT; it declines only
    // images too big for it.
    const gradient = this.wasm?.run(source, width, height, channels, this.dct);
    if (gradient !== undefined) return qualityFromGradientSum(gradient);
    const out64 = this.buf64;
    if (channels === 0) {
      this.srcLuma = source as Float32Array;
    } else {
      // One concrete array type keeps the pixel loop monomorphic (Buffer and Uint8ClampedArray
      // would otherwise make every element access polymorphic).
      const bytes = source as Uint8Array | Uint8ClampedArray;
      this.src8 =
        bytes.constructor === Uint8Array
          ? (bytes as Uint8Array)
          : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.channels = channels;
    this.width = width;
    this.height = height;
    try {
      if (width === 64 && height === 64) {
        // The C++ reference skips the filter for input that is already 64x64 (pre-scaled frames).
        if (channels === 0) lumaFromFloats(this.srcLuma, 0, 4096, out64, 0);
        else lumaFromPixels(this.src8, channels, 0, 4096, out64, 0);
      } else {
        this.filterAndDecimate(out64);
      }
    } finally {
      // Do not keep the caller's image alive through the hasher.
      this.src8 = EMPTY_U8;
      this.srcLuma = EMPTY_F32;
    }
    const quality = qualityMetric(out64);
    this.dct64To16(out64);
    return quality;
  }

  /** Stage 1: luma and the first row pass for the next (up to) four rows, into the ring. */
  private produceBlock(): void {
    const width = this.width;
    const y0 = this.produced;
    const n = Math.min(4, this.height - y0);
    const luma = this.lumaRows;
    // A partial tail block re-reads the block's first row and writes to the ring's spare row.
    const ringRows = this.ringRows;
    const spare = ringRows * width;
    const d0 = (y0 % ringRows) * width;
    const d1 = n > 1 ? ((y0 + 1) % ringRows) * width : spare;
    const d2 = n > 2 ? ((y0 + 2) % ringRows) * width : spare;
    const d3 = n > 3 ? ((y0 + 3) % ringRows) * width : spare;
    const ch = this.channels;
    if (ch >= 3) {
      // Luma computed inside the row filter: independent work that fills the gaps in the four
      // serial running-sum chains.
      const row = width * ch;
      const q0 = y0 * row;
      lumaBoxRows4(
        this.src8,
        ch,
        q0,
        n > 1 ? q0 + row : q0,
        n > 2 ? q0 + 2 * row : q0,
        n > 3 ? q0 + 3 * row : q0,
        luma,
        this.ring,
        d0,
        d1,
        d2,
        d3,
        width,
        this.winRows,
      );
    } else {
      if (ch === 0) lumaFromFloats(this.srcLuma, y0 * width, n * width, luma, 0);
      else lumaFromPixels(this.src8, ch, y0 * width, n * width, luma, 0);
      boxRows4(
        luma,
        0,
        n > 1 ? width : 0,
        n > 2 ? 2 * width : 0,
        n > 3 ? 3 * width : 0,
        this.ring,
        d0,
        d1,
        d2,
        d3,
        width,
        this.winRows,
      );
    }
    this.produced = y0 + n;
  }

  private filterAndDecimate(out64: Float64Array): void {
    const width = this.width;
    const height = this.height;
    const winCols = jaroszWindowSize(height); // box window along each column
    this.winRows = jaroszWindowSize(width); // box window along each row
    for (let i = 0; i < 64; i++) {
      this.pickRows[i] = Math.trunc(((i + 0.5) * height) / 64);
      this.pickCols[i] = Math.trunc(((i + 0.5) * width) / 64);
    }
    // The ring holds the rows from the column window's trailing edge to the block produced
    // ahead of its leading edge (window + 7 rows), then a spare row that partial blocks write
    // into, then a row of zeros that stands in for "nothing to add / subtract".
    const ringRows = winCols + 8;
    this.ringRows = ringRows;
    if (this.ring.length < (ringRows + 2) * width) this.ring = new Float64Array((ringRows + 2) * width);
    else this.ring.fill(0, (ringRows + 1) * width, (ringRows + 2) * width);
    if (this.lumaRows.length < 4 * width) {
      this.lumaRows = new Float64Array(4 * width);
      this.colRows = new Float64Array(4 * width);
      this.colSums = new Float64Array(width);
    }
    if (this.picked.length < (height + 1) * 64) this.picked = new Float64Array((height + 1) * 64);
    this.produced = 0;
    const ring = this.ring;
    const sums = this.colSums;
    const fr = Math.fround;
    const zeroRow = (ringRows + 1) * width;
    const pickedSpare = height * 64;

    // Stage 2: the first column pass fused with the second row pass, four output rows at a time.
    // For output row oi the column pass adds ring row (oi + phase1) while oi < phase2 + phase3
    // and subtracts row (oi - phase2) once oi >= phase2, as the reference's four phases do.
    sums.fill(0, 0, width);
    const half = (winCols + 2) >> 1;
    const phase1 = half - 1;
    const phase2 = winCols - half + 1;
    const phase3 = height - winCols;
    for (let ri = 0; ri < phase1; ri++) {
      if (ri >= this.produced) this.produceBlock();
      const r = (ri % ringRows) * width;
      for (let j = 0; j < width; j++) sums[j] = fr(sums[j]! + ring[r + j]!);
    }
    const addRow = (oi: number): number => {
      if (oi >= height || oi >= phase2 + phase3) return zeroRow;
      const row = oi + phase1;
      while (row >= this.produced) this.produceBlock();
      return (row % ringRows) * width;
    };
    const subRow = (oi: number): number => (oi >= height || oi < phase2 ? zeroRow : ((oi - phase2) % ringRows) * width);
    const invCount = (oi: number): number => {
      if (oi < phase2) return 1 / (phase1 + oi + 1);
      if (oi < phase2 + phase3) return 1 / winCols;
      return 1 / (winCols - (oi - phase2 - phase3) - 1);
    };
    for (let oi = 0; oi < height; oi += 4) {
      colsRows4Picked(
        ring,
        sums,
        width,
        addRow(oi),
        subRow(oi),
        invCount(oi),
        addRow(oi + 1),
        subRow(oi + 1),
        invCount(oi + 1),
        addRow(oi + 2),
        subRow(oi + 2),
        invCount(oi + 2),
        addRow(oi + 3),
        subRow(oi + 3),
        invCount(oi + 3),
        this.colRows,
        this.picked,
        oi * 64,
        oi + 1 < height ? (oi + 1) * 64 : pickedSpare,
        oi + 2 < height ? (oi + 2) * 64 : pickedSpare,
        oi + 3 < height ? (oi + 3) * 64 : pickedSpare,
        this.winRows,
        this.pickCols,
      );
    }

    // Stage 3: second column pass on the 64 sampled columns, keeping only the sampled rows.
    boxColsPicked(this.picked, height, winCols, this.pickedSums, this.pickRows, out64);
  }

  /** B = D A D^T with D the 16x64 basis; T = D A kept in float32 steps like the reference. */
  private dct64To16(a: Float64Array): void {
    const d = DCT_MATRIX;
    const t = this.dctRows;
    // T[i][j] = sum_k D[i][k] * A[k][j], k ascending. Looping k outside j keeps A row-contiguous
    // while each T[i][j] still accumulates its terms in ascending k, as the reference does.
    t.fill(0);
    for (let i = 0; i < 16; i++) {
      const ti = i * 64;
      for (let k = 0; k < 64; k++) {
        const dik = d[i * 64 + k]!;
        const ak = k * 64;
        for (let j = 0; j < 64; j++) t[ti + j] = Math.fround(t[ti + j]! + Math.fround(dik * a[ak + j]!));
      }
    }
    const b = this.dct;
    for (let i = 0; i < 16; i++) {
      const ti = i * 64;
      for (let j = 0; j < 16; j++) {
        const dj = j * 64;
        let sum = 0;
        for (let k = 0; k < 64; k++) sum = Math.fround(sum + Math.fround(t[ti + k]! * d[dj + k]!));
        b[i * 16 + j] = sum;
      }
    }
  }

  /** One bit per coefficient: set when strictly greater than the median (the 128th smallest). */
  private bits(coeffs: Float32Array): PdqHash {
    const sorted = this.sortScratch;
    sorted.set(coeffs);
    sorted.sort();
    const median = sorted[127]!;
    const hash = new Uint32Array(PDQ_HASH_WORDS);
    for (let k = 0; k < 256; k++) {
      if (coeffs[k]! > median) hash[k >>> 5] = (hash[k >>> 5]! | (1 << (k & 31))) >>> 0;
    }
    return hash;
  }

  private dihedralBits(): Record<DihedralName, PdqHash> {
    const a = this.dct;
    const b = this.aux;
    const orig = this.bits(a);
    // Sign patterns follow from cos symmetry: flipping the image along an axis negates the odd
    // (1-based: even-indexed 0-based) frequencies along that axis; rotations also transpose.
    const make = (transpose: boolean, negate: (i: number, j: number) => boolean): PdqHash => {
      for (let i = 0; i < 16; i++) {
        for (let j = 0; j < 16; j++) {
          const v = negate(i, j) ? -a[i * 16 + j]! : a[i * 16 + j]!;
          if (transpose) b[j * 16 + i] = v;
          else b[i * 16 + j] = v;
        }
      }
      return this.bits(b);
    };
    return {
      orig,
      rot90: make(true, (_i, j) => (j & 1) === 0),
      rot180: make(false, (i, j) => ((i + j) & 1) === 1),
      rot270: make(true, (i) => (i & 1) === 0),
      flipx: make(false, (i) => (i & 1) === 0),
      flipy: make(false, (_i, j) => (j & 1) === 0),
      flipp: make(true, () => false),
      flipm: make(true, (i, j) => ((i + j) & 1) === 1),
    };
  }
}

function emptyDihedral(): PdqDihedralResult {
  const hashes = {} as Record<DihedralName, PdqHash>;
  for (const name of DIHEDRAL_NAMES) hashes[name] = new Uint32Array(PDQ_HASH_WORDS);
  return { quality: 0, hashes };
}

const EMPTY_U8 = new Uint8Array(0);
const EMPTY_F32 = new Float32Array(0);

/** Luma of `count` pixels starting at pixel `start`, as the reference computes it. */
function lumaFromPixels(
  px: Uint8Array,
  channels: number,
  start: number,
  count: number,
  out: Float64Array,
  outOffset: number,
): void {
  // Alpha, if present, is ignored, as in the reference (it reads R, G, B only). Greyscale is
  // used as luminance directly, as in the reference. A constant stride per loop lets the
  // compiler drop most bounds checks, hence one loop per channel count.
  if (channels === 3) lumaRgb3(px, start * 3, count, out, outOffset);
  else if (channels === 4) lumaRgb4(px, start * 4, count, out, outOffset);
  else if (channels === 1) for (let i = 0; i < count; i++) out[outOffset + i] = px[start + i]!;
  else for (let i = 0, q = start * 2; i < count; i++, q += 2) out[outOffset + i] = px[q]!;
}

function lumaRgb3(px: Uint8Array, q: number, count: number, out: Float64Array, o: number): void {
  const fr = Math.fround;
  const lr = LUMA_R_TABLE;
  const lg = LUMA_G_TABLE;
  const lb = LUMA_B_TABLE;
  for (const end = o + count; o < end; o++, q += 3) out[o] = fr(fr(lr[px[q]!]! + lg[px[q + 1]!]!) + lb[px[q + 2]!]!);
}

function lumaRgb4(px: Uint8Array, q: number, count: number, out: Float64Array, o: number): void {
  const fr = Math.fround;
  const lr = LUMA_R_TABLE;
  const lg = LUMA_G_TABLE;
  const lb = LUMA_B_TABLE;
  for (const end = o + count; o < end; o++, q += 4) out[o] = fr(fr(lr[px[q]!]! + lg[px[q + 1]!]!) + lb[px[q + 2]!]!);
}

/** Copies float luma rows, rounding to float32 as the reference's float buffer would hold them. */
function lumaFromFloats(luma: Float32Array, start: number, count: number, out: Float64Array, outOffset: number): void {
  for (let i = 0; i < count; i++) out[outOffset + i] = luma[start + i]!;
}

function hashable(width: number, height: number): boolean {
  return width >= PDQ_MIN_DIMENSION && height >= PDQ_MIN_DIMENSION;
}

function checkDims(width: number, height: number): void {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`invalid image dimensions ${width}x${height}`);
  }
}

function checkPixels(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: number): void {
  checkDims(width, height);
  if (!(Number.isInteger(channels) && channels >= 1 && channels <= 4)) {
    throw new RangeError(`unsupported channel count ${channels} (expected 1 to 4)`);
  }
  if (pixels.length < width * height * channels) {
    throw new RangeError(`pixel buffer too short: ${pixels.length} bytes for ${width}x${height}x${channels}`);
  }
}

function checkLuma(luma: Float32Array, width: number, height: number): void {
  checkDims(width, height);
  if (luma.length < width * height) {
    throw new RangeError(`luma buffer too short: ${luma.length} values for ${width}x${height}`);
  }
}

// The 1-D box filter below is the reference's four-phase running sum: phase 1 fills the first
// half window without output, phase 2 outputs while the window grows, phase 3 slides a full
// window, phase 4 outputs while the window shrinks at the far edge. Every add and subtract is
// rounded to float32 and each output is the float32 quotient sum/count.

/** Row box filter on four independent rows (source offsets s0..s3, destination offsets d0..d3). */
function boxRows4(
  src: Float64Array,
  s0: number,
  s1: number,
  s2: number,
  s3: number,
  dst: Float64Array,
  d0: number,
  d1: number,
  d2: number,
  d3: number,
  width: number,
  win: number,
): void {
  const fr = Math.fround;
  const half = (win + 2) >> 1;
  const phase1 = half - 1;
  const phase2 = win - half + 1;
  const phase3 = width - win;
  const phase4 = half - 1;
  let ri = 0;
  let li = 0;
  let oi = 0;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let count = 0;
  let inv = 0;
  for (let t = 0; t < phase1; t++, ri++) {
    a0 = fr(a0 + src[s0 + ri]!);
    a1 = fr(a1 + src[s1 + ri]!);
    a2 = fr(a2 + src[s2 + ri]!);
    a3 = fr(a3 + src[s3 + ri]!);
    count++;
    inv = 1 / count;
  }
  for (let t = 0; t < phase2; t++, ri++, oi++) {
    a0 = fr(a0 + src[s0 + ri]!);
    a1 = fr(a1 + src[s1 + ri]!);
    a2 = fr(a2 + src[s2 + ri]!);
    a3 = fr(a3 + src[s3 + ri]!);
    count++;
    inv = 1 / count;
    dst[d0 + oi] = fr(a0 * inv);
    dst[d1 + oi] = fr(a1 * inv);
    dst[d2 + oi] = fr(a2 * inv);
    dst[d3 + oi] = fr(a3 * inv);
  }
  for (let t = 0; t < phase3; t++, ri++, li++, oi++) {
    a0 = fr(fr(a0 + src[s0 + ri]!) - src[s0 + li]!);
    a1 = fr(fr(a1 + src[s1 + ri]!) - src[s1 + li]!);
    a2 = fr(fr(a2 + src[s2 + ri]!) - src[s2 + li]!);
    a3 = fr(fr(a3 + src[s3 + ri]!) - src[s3 + li]!);
    dst[d0 + oi] = fr(a0 * inv);
    dst[d1 + oi] = fr(a1 * inv);
    dst[d2 + oi] = fr(a2 * inv);
    dst[d3 + oi] = fr(a3 * inv);
  }
  for (let t = 0; t < phase4; t++, li++, oi++) {
    a0 = fr(a0 - src[s0 + li]!);
    a1 = fr(a1 - src[s1 + li]!);
    a2 = fr(a2 - src[s2 + li]!);
    a3 = fr(a3 - src[s3 + li]!);
    count--;
    inv = 1 / count;
    dst[d0 + oi] = fr(a0 * inv);
    dst[d1 + oi] = fr(a1 * inv);
    dst[d2 + oi] = fr(a2 * inv);
    dst[d3 + oi] = fr(a3 * inv);
  }
}

/**
 * First row pass straight from RGB(A) pixels: luma of the leading-edge pixel is computed in the
 * loop (and kept in `luma`, 4 rows x width, for the trailing edge), then the running sums as in
 * boxRows4. q0..q3 are the byte offsets of the four rows in `px`.
 */
function lumaBoxRows4(
  px: Uint8Array,
  ch: number,
  q0: number,
  q1: number,
  q2: number,
  q3: number,
  luma: Float64Array,
  dst: Float64Array,
  d0: number,
  d1: number,
  d2: number,
  d3: number,
  width: number,
  win: number,
): void {
  const fr = Math.fround;
  const lr = LUMA_R_TABLE;
  const lg = LUMA_G_TABLE;
  const lb = LUMA_B_TABLE;
  const w1 = width;
  const w2 = 2 * width;
  const w3 = 3 * width;
  const half = (win + 2) >> 1;
  const phase1 = half - 1;
  const phase2 = win - half + 1;
  const phase3 = width - win;
  const phase4 = half - 1;
  let ri = 0;
  let li = 0;
  let oi = 0;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let count = 0;
  let inv = 0;
  // Phases 1 and 2: the window grows; outputs start once it is half full.
  for (let t = 0; t < phase1 + phase2; t++, ri++, q0 += ch, q1 += ch, q2 += ch, q3 += ch) {
    const y0 = fr(fr(lr[px[q0]!]! + lg[px[q0 + 1]!]!) + lb[px[q0 + 2]!]!);
    const y1 = fr(fr(lr[px[q1]!]! + lg[px[q1 + 1]!]!) + lb[px[q1 + 2]!]!);
    const y2 = fr(fr(lr[px[q2]!]! + lg[px[q2 + 1]!]!) + lb[px[q2 + 2]!]!);
    const y3 = fr(fr(lr[px[q3]!]! + lg[px[q3 + 1]!]!) + lb[px[q3 + 2]!]!);
    luma[ri] = y0;
    luma[w1 + ri] = y1;
    luma[w2 + ri] = y2;
    luma[w3 + ri] = y3;
    a0 = fr(a0 + y0);
    a1 = fr(a1 + y1);
    a2 = fr(a2 + y2);
    a3 = fr(a3 + y3);
    count++;
    if (t < phase1) continue;
    inv = 1 / count;
    dst[d0 + oi] = fr(a0 * inv);
    dst[d1 + oi] = fr(a1 * inv);
    dst[d2 + oi] = fr(a2 * inv);
    dst[d3 + oi] = fr(a3 * inv);
    oi++;
  }
  // Phase 3: full window slides.
  for (let t = 0; t < phase3; t++, ri++, li++, oi++, q0 += ch, q1 += ch, q2 += ch, q3 += ch) {
    const y0 = fr(fr(lr[px[q0]!]! + lg[px[q0 + 1]!]!) + lb[px[q0 + 2]!]!);
    const y1 = fr(fr(lr[px[q1]!]! + lg[px[q1 + 1]!]!) + lb[px[q1 + 2]!]!);
    const y2 = fr(fr(lr[px[q2]!]! + lg[px[q2 + 1]!]!) + lb[px[q2 + 2]!]!);
    const y3 = fr(fr(lr[px[q3]!]! + lg[px[q3 + 1]!]!) + lb[px[q3 + 2]!]!);
    luma[ri] = y0;
    luma[w1 + ri] = y1;
    luma[w2 + ri] = y2;
    luma[w3 + ri] = y3;
    a0 = fr(fr(a0 + y0) - luma[li]!);
    a1 = fr(fr(a1 + y1) - luma[w1 + li]!);
    a2 = fr(fr(a2 + y2) - luma[w2 + li]!);
    a3 = fr(fr(a3 + y3) - luma[w3 + li]!);
    dst[d0 + oi] = fr(a0 * inv);
    dst[d1 + oi] = fr(a1 * inv);
    dst[d2 + oi] = fr(a2 * inv);
    dst[d3 + oi] = fr(a3 * inv);
  }
  // Phase 4: the window shrinks at the far edge.
  for (let t = 0; t < phase4; t++, li++, oi++) {
    a0 = fr(a0 - luma[li]!);
    a1 = fr(a1 - luma[w1 + li]!);
    a2 = fr(a2 - luma[w2 + li]!);
    a3 = fr(a3 - luma[w3 + li]!);
    count--;
    inv = 1 / count;
    dst[d0 + oi] = fr(a0 * inv);
    dst[d1 + oi] = fr(a1 * inv);
    dst[d2 + oi] = fr(a2 * inv);
    dst[d3 + oi] = fr(a3 * inv);
  }
}

/**
 * The first column pass and the second row pass in one sweep along the row, for four consecutive
 * output rows. For each column j the running column sum takes, in order, each output row's add
 * (ring offset A_k; the zero row when there is nothing to add) and subtract (S_k), giving that
 * row's column-pass value c_k[j] = sum * (1/count_k). The four row-pass running sums then take
 * c_k[j] as their leading edge; c_k is kept in `crow` (4 x width) for their trailing edge.
 * Outputs are written only at the sampled columns, into picked rows p0..p3.
 */
function colsRows4Picked(
  ring: Float64Array,
  sums: Float64Array,
  width: number,
  A0: number,
  S0: number,
  I0: number,
  A1: number,
  S1: number,
  I1: number,
  A2: number,
  S2: number,
  I2: number,
  A3: number,
  S3: number,
  I3: number,
  crow: Float64Array,
  dst: Float64Array,
  p0: number,
  p1: number,
  p2: number,
  p3: number,
  win: number,
  picks: Int32Array,
): void {
  const fr = Math.fround;
  const w1 = width;
  const w2 = 2 * width;
  const w3 = 3 * width;
  const half = (win + 2) >> 1;
  const phase1 = half - 1;
  const phase2 = win - half + 1;
  const phase3 = width - win;
  const phase4 = half - 1;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let count = 0;
  let inv = 0;
  let ri = 0;
  let li = 0;
  let oi = 0;
  let pc = 0;
  let next = picks[0]!;
  for (let t = 0; t < phase1 + phase2 + phase3; t++, ri++) {
    let s = sums[ri]!;
    s = fr(fr(s + ring[A0 + ri]!) - ring[S0 + ri]!);
    const c0 = fr(s * I0);
    s = fr(fr(s + ring[A1 + ri]!) - ring[S1 + ri]!);
    const c1 = fr(s * I1);
    s = fr(fr(s + ring[A2 + ri]!) - ring[S2 + ri]!);
    const c2 = fr(s * I2);
    s = fr(fr(s + ring[A3 + ri]!) - ring[S3 + ri]!);
    const c3 = fr(s * I3);
    sums[ri] = s;
    crow[ri] = c0;
    crow[w1 + ri] = c1;
    crow[w2 + ri] = c2;
    crow[w3 + ri] = c3;
    if (t < phase1 + phase2) {
      a0 = fr(a0 + c0);
      a1 = fr(a1 + c1);
      a2 = fr(a2 + c2);
      a3 = fr(a3 + c3);
      count++;
      if (t < phase1) continue;
      inv = 1 / count;
    } else {
      a0 = fr(fr(a0 + c0) - crow[li]!);
      a1 = fr(fr(a1 + c1) - crow[w1 + li]!);
      a2 = fr(fr(a2 + c2) - crow[w2 + li]!);
      a3 = fr(fr(a3 + c3) - crow[w3 + li]!);
      li++;
    }
    while (oi === next) {
      dst[p0 + pc] = fr(a0 * inv);
      dst[p1 + pc] = fr(a1 * inv);
      dst[p2 + pc] = fr(a2 * inv);
      dst[p3 + pc] = fr(a3 * inv);
      next = ++pc < 64 ? picks[pc]! : -1;
    }
    oi++;
  }
  for (let t = 0; t < phase4; t++, li++, oi++) {
    a0 = fr(a0 - crow[li]!);
    a1 = fr(a1 - crow[w1 + li]!);
    a2 = fr(a2 - crow[w2 + li]!);
    a3 = fr(a3 - crow[w3 + li]!);
    count--;
    inv = 1 / count;
    while (oi === next) {
      dst[p0 + pc] = fr(a0 * inv);
      dst[p1 + pc] = fr(a1 * inv);
      dst[p2 + pc] = fr(a2 * inv);
      dst[p3 + pc] = fr(a3 * inv);
      next = ++pc < 64 ? picks[pc]! : -1;
    }
  }
}

/** Second column pass over the height x 64 sampled columns, keeping only the sampled rows. */
function boxColsPicked(
  src: Float64Array,
  height: number,
  win: number,
  sums: Float64Array,
  pickRows: Int32Array,
  out64: Float64Array,
): void {
  const fr = Math.fround;
  sums.fill(0);
  const half = (win + 2) >> 1;
  const phase1 = half - 1;
  const phase2 = win - half + 1;
  const phase3 = height - win;
  const phase4 = half - 1;
  let ri = 0;
  let li = 0;
  let count = 0;
  let inv = 0;
  let pr = 0; // next sampled row to emit; sampled rows ascend, and repeat when height < 64
  // Output row oi runs 0..height-1 across phases 2-4; phase 1 has no output.
  for (let t = 0; t < phase1; t++, ri++) {
    const r = ri * 64;
    for (let c = 0; c < 64; c++) sums[c] = fr(sums[c]! + src[r + c]!);
    count++;
  }
  for (let oi = 0; oi < height; oi++) {
    if (oi < phase2) {
      const r = ri++ * 64;
      for (let c = 0; c < 64; c++) sums[c] = fr(sums[c]! + src[r + c]!);
      count++;
      inv = 1 / count;
    } else if (oi < phase2 + phase3) {
      const r = ri++ * 64;
      const l = li++ * 64;
      for (let c = 0; c < 64; c++) sums[c] = fr(fr(sums[c]! + src[r + c]!) - src[l + c]!);
    } else {
      const l = li++ * 64;
      for (let c = 0; c < 64; c++) sums[c] = fr(sums[c]! - src[l + c]!);
      count--;
      inv = 1 / count;
    }
    while (pr < 64 && pickRows[pr] === oi) {
      const o = pr * 64;
      for (let c = 0; c < 64; c++) out64[o + c] = fr(sums[c]! * inv);
      pr++;
    }
  }
  void phase4; // phase 4 is the remainder of the output rows
}

/** Sum of quantised neighbour differences in the 64x64, scaled to 0..100 (reference heuristic). */
function qualityMetric(a: Float64Array): number {
  return qualityFromGradientSum(gradientSum(a));
}

function qualityFromGradientSum(gradientSum: number): number {
  return Math.min(100, Math.trunc(gradientSum / 90));
}

function gradientSum(a: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) {
      const d = Math.trunc(Math.fround(Math.fround(Math.fround(a[i * 64 + j]! - a[(i + 1) * 64 + j]!) * 100) / 255));
      sum += Math.abs(d);
    }
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) {
      const d = Math.trunc(Math.fround(Math.fround(Math.fround(a[i * 64 + j]! - a[i * 64 + j + 1]!) * 100) / 255));
      sum += Math.abs(d);
    }
  }
  return sum;
}

let sharedHasher: PdqHasher | undefined;

/** Convenience: hash interleaved 8-bit pixels with a shared hasher. */
export function pdqHashPixels(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
): PdqResult {
  sharedHasher ??= new PdqHasher();
  return sharedHasher.hashPixels(pixels, width, height, channels);
}

/** Convenience: all eight dihedral hashes of interleaved 8-bit pixels. */
export function pdqDihedralPixels(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
): PdqDihedralResult {
  sharedHasher ??= new PdqHasher();
  return sharedHasher.dihedralPixels(pixels, width, height, channels);
}
