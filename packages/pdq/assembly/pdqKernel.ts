// PDQ filter and DCT kernel: AssemblyScript compiled to WebAssembly with 128-bit SIMD.
// Regenerate src/pdqKernel.wasm.ts with `npm run build:wasm -w @lifeguard/pdq` after any change.
//
// This is the same computation as the TypeScript path in src/pdq.ts (read its header and the
// PdqHasher comment first), in the same order, with float32 arithmetic done natively: wasm's
// f32.add/sub/mul/div and their f32x4 forms are exactly IEEE binary32 operations (round to
// nearest even), so the same sequence of operations gives the same bits with no Math.fround.
// Rules that keep it bit-exact:
//   - no fused multiply-add, no relaxed SIMD, no reassociation: each running sum takes its terms
//     one at a time in the reference's order, exactly as the TypeScript path does;
//   - "sum / count" is a real f32 division, the reference's own operation (the TypeScript path's
//     fround(sum * (1/count)) equals it, as src/pdq.ts proves for sums in the normal range,
//     which is every sum 8-bit pixels or luma values above ~1e-30 can produce);
//   - the constants (luma weights, the DCT basis) are written into memory by TypeScript from the
//     very float32 values its own path uses, so nothing is recomputed here.
//
// Layout of the work, per image of width W, height H:
//   stage 1 (rows1)   luma of four rows and the first row pass, four rows per f32x4 (lane k = row
//                     k): the four running sums are one vector chain. Luma is computed four
//                     pixels of a row at a time, then a 4x4 transpose turns four row vectors into
//                     four pixel vectors; the outputs are transposed back into ring rows.
//   stage 2 (colsRows) the first column pass (vector along the row: four columns per f32x4) for
//                     four output rows, transposed into pixel vectors that feed the second row pass
//                     (lane k = output row k), which is kept only at the 64 sampled columns.
//   stage 3           the second column pass over those 64 columns, kept at the 64 sampled rows.
//   gradientSum()     the quality metric's sum over the 64 x 64.
//   dct()             B = D A D^T, vectorised along the output row, sums in ascending k.
// Eight rows at a time (two interleaved chains) and one copy of the loops per pixel format were
// tried: 3-5% faster on RGB, not worth the extra code.
// The ring of first-pass rows and the control flow (which rows to add and subtract, the counts)
// are those of PdqHasher.filterAndDecimate.

// ------------------------------------------------------------------------------- memory map

// Fixed addresses (the module has no data segments; 1 KiB left free below them). JS writes
// CONSTS and DCT_D once per instance.
const BASE: usize = 1024;
const CONSTS: usize = BASE; // f32 luma weights R, G, B
const DCT_D: usize = CONSTS + 16; // 16 x 64 f32: DCT-II basis rows 1..16
const DCT_DT: usize = DCT_D + 4096; // 64 x 16 f32: the same, transposed
const OUT64: usize = DCT_DT + 4096; // 64 x 64 f32: the filtered, decimated image
const TMP: usize = OUT64 + 16384; // 16 x 64 f32: D A
const COEF: usize = TMP + 4096; // 16 x 16 f32: D A D^T
const PICK_R: usize = COEF + 1024; // 64 i32: sampled rows
const PICK_C: usize = PICK_R + 256; // 64 i32: sampled columns
const SUMS64: usize = PICK_C + 256; // 64 f32: stage 3 running sums
const DYNAMIC: usize = SUMS64 + 256; // per-image buffers start here (see prepare)

// Per-image layout and geometry, set by prepare().
let W: i32 = 0;
let H: i32 = 0;
let CH: i32 = 0; // 1..4 bytes per pixel, or 0 for a float32 luma plane
let WIN_R: i32 = 1; // box window along a row
let WIN_C: i32 = 1; // box window along a column
let RING_ROWS: i32 = 1;
let RING: usize = 0; // (RING_ROWS + 2) rows of W f32: ring, spare row, zero row
let LUMA_I: usize = 0; // W v128: stage 1 inputs, lane k = row k (kept for the trailing edge)
let CROW_I: usize = 0; // W v128: stage 2 inputs (column-pass values), likewise
let COL_SUMS: usize = 0; // W f32: stage 2 column running sums
let PICKED: usize = 0; // (H + 1) x 64 f32: second row pass at the sampled columns, + spare row
let PIXELS: usize = 0; // the source image, copied in by JS

// Luma weights as vectors (set by prepare from CONSTS).
let LR: f32 = 0;
let LG: f32 = 0;
let LB: f32 = 0;
let LR4: v128 = f32x4.splat(0);
let LG4: v128 = f32x4.splat(0);
let LB4: v128 = f32x4.splat(0);

// Stream state of stage 1 / stage 2 (see filter()).
let PRODUCED: i32 = 0;
let ACC: v128 = f32x4.splat(0); // running sums of the row chain outside the unrolled loops
let PC: i32 = 0; // next sampled column to emit in stage 2
let NEXT: i32 = 0; // its column index, or -1 when all 64 are done

/** Address of the f32 luma weights (R, G, B), written by JS. */
export function constsAt(): usize {
  return CONSTS;
}
/** Address of the 16 x 64 DCT basis, written by JS. */
export function dctMatrixAt(): usize {
  return DCT_D;
}
/** Address of the 64 x 64 filtered image (f32), for the quality metric. */
export function out64At(): usize {
  return OUT64;
}
/** Address of the 16 x 16 DCT coefficients (f32). */
export function coefsAt(): usize {
  return COEF;
}
/** Address where JS copies the image; valid after prepare(). */
export function pixelsAt(): usize {
  return PIXELS;
}

/** After JS has written the constants: the transposed DCT basis used by the second product. */
export function init(): void {
  for (let i = 0; i < 16; i++) {
    for (let k = 0; k < 64; k++) store<f32>(DCT_DT + ((<usize>k * 16 + i) << 2), load<f32>(DCT_D + ((<usize>i * 64 + k) << 2)));
  }
}

function windowSize(dimension: i32): i32 {
  return (dimension + 127) / 128;
}

/**
 * Lays out the buffers for a width x height image with `channels` bytes per pixel (0: float
 * luma) and returns how many bytes of memory that needs. JS makes sure the memory is at least
 * that big before copying the image to pixelsAt() and calling filter().
 */
export function prepare(width: i32, height: i32, channels: i32): f64 {
  W = width;
  H = height;
  CH = channels;
  WIN_R = windowSize(width);
  WIN_C = windowSize(height);
  RING_ROWS = WIN_C + 8;
  // Sizes in f64 so that absurd dimensions give an absurd total, not a wrapped one.
  const w = <f64>width;
  const ringBytes = <f64>(RING_ROWS + 2) * w * 4;
  const rowV = w * 16;
  const sumsBytes = Math.ceil(w / 4) * 16;
  const pickedBytes = (<f64>height + 1) * 256;
  const pixelBytes = w * <f64>height * <f64>(channels == 0 ? 4 : channels);
  let at = <f64>DYNAMIC;
  const ring = at;
  at += Math.ceil(ringBytes / 16) * 16;
  const lumaI = at;
  at += rowV;
  const crowI = at;
  at += rowV;
  const colSums = at;
  at += sumsBytes;
  const picked = at;
  at += pickedBytes;
  const pixels = at;
  // 16 bytes of slack: vector loads of the last pixels read up to 15 bytes past the image.
  at += Math.ceil(pixelBytes / 16) * 16 + 16;
  if (at <= 2147483648) {
    RING = <usize>ring;
    LUMA_I = <usize>lumaI;
    CROW_I = <usize>crowI;
    COL_SUMS = <usize>colSums;
    PICKED = <usize>picked;
    PIXELS = <usize>pixels;
  }
  return at;
}

// ------------------------------------------------------------------------------- helpers

/** Four row vectors (lane = column) -> four column vectors (lane = row), stored at dst. */
// @ts-ignore: decorator
@inline function storeTransposed(dst: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, f64x2.shuffle(t0, t1, 0, 2));
  v128.store(dst, f64x2.shuffle(t0, t1, 1, 3), 16);
  v128.store(dst, f64x2.shuffle(t2, t3, 0, 2), 32);
  v128.store(dst, f64x2.shuffle(t2, t3, 1, 3), 48);
}

/** Four pixel vectors (lane k = row k) -> four rows of four values at d0..d3 (byte addresses). */
// @ts-ignore: decorator
@inline function storeRows(d0: usize, d1: usize, d2: usize, d3: usize, c0: v128, c1: v128, c2: v128, c3: v128): void {
  const t0 = f32x4.shuffle(c0, c1, 0, 4, 1, 5);
  const t1 = f32x4.shuffle(c2, c3, 0, 4, 1, 5);
  const t2 = f32x4.shuffle(c0, c1, 2, 6, 3, 7);
  const t3 = f32x4.shuffle(c2, c3, 2, 6, 3, 7);
  v128.store(d0, f64x2.shuffle(t0, t1, 0, 2));
  v128.store(d1, f64x2.shuffle(t0, t1, 1, 3));
  v128.store(d2, f64x2.shuffle(t2, t3, 0, 2));
  v128.store(d3, f64x2.shuffle(t2, t3, 1, 3));
}

/** Luma of the four consecutive pixels at byte address p, as an f32x4 (lane = pixel). */
// @ts-ignore: decorator
@inline function luma4(p: usize, ch: i32): v128 {
  if (ch == 0) return v128.load(p);
  // Bytes are zero-extended to i32 lanes by the swizzle (index -1 gives 0). They are 0..255, so
  // the signed conversion is exact, and it is one instruction where the unsigned one is several
  // (that alone took a third off the RGB filter time).
  const v = v128.load(p);
  if (ch == 1) return f32x4.convert_i32x4_s(i8x16.swizzle(v, i8x16(0, -1, -1, -1, 1, -1, -1, -1, 2, -1, -1, -1, 3, -1, -1, -1)));
  if (ch == 2) return f32x4.convert_i32x4_s(i8x16.swizzle(v, i8x16(0, -1, -1, -1, 2, -1, -1, -1, 4, -1, -1, -1, 6, -1, -1, -1)));
  let r: v128, g: v128, b: v128;
  if (ch == 3) {
    r = i8x16.swizzle(v, i8x16(0, -1, -1, -1, 3, -1, -1, -1, 6, -1, -1, -1, 9, -1, -1, -1));
    g = i8x16.swizzle(v, i8x16(1, -1, -1, -1, 4, -1, -1, -1, 7, -1, -1, -1, 10, -1, -1, -1));
    b = i8x16.swizzle(v, i8x16(2, -1, -1, -1, 5, -1, -1, -1, 8, -1, -1, -1, 11, -1, -1, -1));
  } else {
    r = i8x16.swizzle(v, i8x16(0, -1, -1, -1, 4, -1, -1, -1, 8, -1, -1, -1, 12, -1, -1, -1));
    g = i8x16.swizzle(v, i8x16(1, -1, -1, -1, 5, -1, -1, -1, 9, -1, -1, -1, 13, -1, -1, -1));
    b = i8x16.swizzle(v, i8x16(2, -1, -1, -1, 6, -1, -1, -1, 10, -1, -1, -1, 14, -1, -1, -1));
  }
  // (R*0.299 + G*0.587) + B*0.114, each product and sum rounded to float32, as the reference.
  const rg = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(r), LR4), f32x4.mul(f32x4.convert_i32x4_s(g), LG4));
  return f32x4.add(rg, f32x4.mul(f32x4.convert_i32x4_s(b), LB4));
}

/** Luma of one pixel (the scalar form of luma4, same operations). */
// @ts-ignore: decorator
@inline function luma1(q: usize, t: i32, ch: i32): f32 {
  if (ch == 0) return load<f32>(q + (<usize>t << 2));
  const p = q + <usize>t * <usize>ch;
  if (ch < 3) return <f32>load<u8>(p);
  return (<f32>load<u8>(p) * LR + <f32>load<u8>(p, 1) * LG) + <f32>load<u8>(p, 2) * LB;
}

/** Byte offset of pixel t within a source row. */
// @ts-ignore: decorator
@inline function pixelOffset(t: i32, ch: i32): usize {
  return ch == 0 ? <usize>t << 2 : <usize>t * <usize>ch;
}

/** Stores lane k of v at row address dk + offset, for the four rows. */
// @ts-ignore: decorator
@inline function scatter4(v: v128, d0: usize, d1: usize, d2: usize, d3: usize, offset: usize): void {
  store<f32>(d0 + offset, f32x4.extract_lane(v, 0));
  store<f32>(d1 + offset, f32x4.extract_lane(v, 1));
  store<f32>(d2 + offset, f32x4.extract_lane(v, 2));
  store<f32>(d3 + offset, f32x4.extract_lane(v, 3));
}

// ------------------------------------------------------------------------------- stage 1

/**
 * Luma and the first row pass of four source rows (byte addresses q0..q3) into ring rows d0..d3.
 * The running sums are the reference's four phases (see boxRows4 in src/pdq.ts): the window
 * grows over the first WIN_R pixels (outputs from pixel WIN_R/2 on), slides, then shrinks.
 */
function rows1(q0: usize, q1: usize, q2: usize, q3: usize, d0: usize, d1: usize, d2: usize, d3: usize): void {
  const w = W;
  const win = WIN_R;
  const ch = CH;
  const phase1 = ((win + 2) >> 1) - 1;
  const groups = w >> 2;
  let mainStart = (win + 3) >> 2; // first group whose four pixels all slide the full window
  if (mainStart > groups) mainStart = groups;
  ACC = f32x4.splat(0);
  // Groups that include a growing window: luma by vectors, the steps one by one.
  for (let g = 0; g < mainStart; g++) {
    const t = g << 2;
    const o = pixelOffset(t, ch);
    storeTransposed(LUMA_I + (<usize>t << 4), luma4(q0 + o, ch), luma4(q1 + o, ch), luma4(q2 + o, ch), luma4(q3 + o, ch));
    for (let m = 0; m < 4; m++) step1(t + m, d0, d1, d2, d3);
  }
  // Full window: luma, four chain steps, outputs transposed back into the four rows.
  let a = ACC;
  const n = f32x4.splat(<f32>win);
  const back = <usize>win << 4;
  for (let g = mainStart; g < groups; g++) {
    const t = g << 2;
    const o = pixelOffset(t, ch);
    const x = LUMA_I + (<usize>t << 4);
    storeTransposed(x, luma4(q0 + o, ch), luma4(q1 + o, ch), luma4(q2 + o, ch), luma4(q3 + o, ch));
    const y = x - back;
    a = f32x4.sub(f32x4.add(a, v128.load(x)), v128.load(y));
    const o0 = f32x4.div(a, n);
    a = f32x4.sub(f32x4.add(a, v128.load(x, 16)), v128.load(y, 16));
    const o1 = f32x4.div(a, n);
    a = f32x4.sub(f32x4.add(a, v128.load(x, 32)), v128.load(y, 32));
    const o2 = f32x4.div(a, n);
    a = f32x4.sub(f32x4.add(a, v128.load(x, 48)), v128.load(y, 48));
    const o3 = f32x4.div(a, n);
    const at = <usize>(t - phase1) << 2;
    storeRows(d0 + at, d1 + at, d2 + at, d3 + at, o0, o1, o2, o3);
  }
  ACC = a;
  // The last w % 4 pixels: scalar luma, then the steps one by one.
  for (let t = groups << 2; t < w; t++) {
    const x = LUMA_I + (<usize>t << 4);
    store<f32>(x, luma1(q0, t, ch));
    store<f32>(x, luma1(q1, t, ch), 4);
    store<f32>(x, luma1(q2, t, ch), 8);
    store<f32>(x, luma1(q3, t, ch), 12);
    step1(t, d0, d1, d2, d3);
  }
  // Phase 4: the window shrinks at the far edge.
  a = ACC;
  for (let s = 0; s < phase1; s++) {
    a = f32x4.sub(a, v128.load(LUMA_I + (<usize>(w - win + s) << 4)));
    scatter4(f32x4.div(a, f32x4.splat(<f32>(win - 1 - s))), d0, d1, d2, d3, <usize>(w - phase1 + s) << 2);
  }
}

/** One step of the first row pass with leading pixel t (phases 1 to 3), on ACC. */
function step1(t: i32, d0: usize, d1: usize, d2: usize, d3: usize): void {
  const win = WIN_R;
  const phase1 = ((win + 2) >> 1) - 1;
  const x = v128.load(LUMA_I + (<usize>t << 4));
  if (t < win) {
    ACC = f32x4.add(ACC, x);
    if (t >= phase1) scatter4(f32x4.div(ACC, f32x4.splat(<f32>(t + 1))), d0, d1, d2, d3, <usize>(t - phase1) << 2);
  } else {
    ACC = f32x4.sub(f32x4.add(ACC, x), v128.load(LUMA_I + (<usize>(t - win) << 4)));
    scatter4(f32x4.div(ACC, f32x4.splat(<f32>win)), d0, d1, d2, d3, <usize>(t - phase1) << 2);
  }
}

/** Ring row r's address. */
// @ts-ignore: decorator
@inline function ringRow(r: i32): usize {
  return RING + ((<usize>(r % RING_ROWS) * <usize>W) << 2);
}

/** Stage 1 for the next (up to) four image rows; a partial last block writes extra rows to the spare row. */
function produceBlock(): void {
  const y0 = PRODUCED;
  const n = min(4, H - y0);
  const spare = RING + ((<usize>RING_ROWS * <usize>W) << 2);
  const rowBytes = <usize>W * <usize>(CH == 0 ? 4 : CH);
  const q0 = PIXELS + <usize>y0 * rowBytes;
  rows1(
    q0,
    n > 1 ? q0 + rowBytes : q0,
    n > 2 ? q0 + 2 * rowBytes : q0,
    n > 3 ? q0 + 3 * rowBytes : q0,
    ringRow(y0),
    n > 1 ? ringRow(y0 + 1) : spare,
    n > 2 ? ringRow(y0 + 2) : spare,
    n > 3 ? ringRow(y0 + 3) : spare,
  );
  PRODUCED = y0 + n;
}

// ------------------------------------------------------------------------------- stage 2

/**
 * Column pass for columns j..j+3 of four output rows: for each row k the running column sums
 * add ring row ak and subtract ring row sk (the zero row when there is nothing to add or
 * subtract), and row k's value is sum / nk. Stored transposed at dst (lane k = row k).
 */
// @ts-ignore: decorator
@inline function cols4(
  dst: usize,
  j: usize,
  a0: usize,
  s0: usize,
  n0: v128,
  a1: usize,
  s1: usize,
  n1: v128,
  a2: usize,
  s2: usize,
  n2: v128,
  a3: usize,
  s3: usize,
  n3: v128,
): void {
  const o = j << 2;
  let s = v128.load(COL_SUMS + o);
  s = f32x4.sub(f32x4.add(s, v128.load(a0 + o)), v128.load(s0 + o));
  const c0 = f32x4.div(s, n0);
  s = f32x4.sub(f32x4.add(s, v128.load(a1 + o)), v128.load(s1 + o));
  const c1 = f32x4.div(s, n1);
  s = f32x4.sub(f32x4.add(s, v128.load(a2 + o)), v128.load(s2 + o));
  const c2 = f32x4.div(s, n2);
  s = f32x4.sub(f32x4.add(s, v128.load(a3 + o)), v128.load(s3 + o));
  const c3 = f32x4.div(s, n3);
  v128.store(COL_SUMS + o, s);
  storeTransposed(dst, c0, c1, c2, c3);
}

/** Scalar form of cols4 for one column j. */
function cols1(
  j: usize,
  a0: usize,
  s0: usize,
  n0: f32,
  a1: usize,
  s1: usize,
  n1: f32,
  a2: usize,
  s2: usize,
  n2: f32,
  a3: usize,
  s3: usize,
  n3: f32,
): void {
  const o = j << 2;
  const dst = CROW_I + (j << 4);
  let s = load<f32>(COL_SUMS + o);
  s = (s + load<f32>(a0 + o)) - load<f32>(s0 + o);
  store<f32>(dst, s / n0);
  s = (s + load<f32>(a1 + o)) - load<f32>(s1 + o);
  store<f32>(dst, s / n1, 4);
  s = (s + load<f32>(a2 + o)) - load<f32>(s2 + o);
  store<f32>(dst, s / n2, 8);
  s = (s + load<f32>(a3 + o)) - load<f32>(s3 + o);
  store<f32>(dst, s / n3, 12);
  store<f32>(COL_SUMS + o, s);
}

/** Writes a (lane k = output row k) at every sampled column equal to oi; returns the next one. */
function emit(a: v128, oi: i32, p0: usize, p1: usize, p2: usize, p3: usize): i32 {
  let pc = PC;
  let next = NEXT;
  while (oi == next) {
    scatter4(a, p0, p1, p2, p3, <usize>pc << 2);
    pc++;
    next = pc < 64 ? load<i32>(PICK_C + (<usize>pc << 2)) : -1;
  }
  PC = pc;
  NEXT = next;
  return next;
}

/** One step of the second row pass with leading column t (phases 1 to 3), on ACC. */
function step2(t: i32, p0: usize, p1: usize, p2: usize, p3: usize): void {
  const win = WIN_R;
  const phase1 = ((win + 2) >> 1) - 1;
  const x = v128.load(CROW_I + (<usize>t << 4));
  if (t < win) {
    ACC = f32x4.add(ACC, x);
    if (t >= phase1 && t - phase1 == NEXT) emit(f32x4.div(ACC, f32x4.splat(<f32>(t + 1))), t - phase1, p0, p1, p2, p3);
  } else {
    ACC = f32x4.sub(f32x4.add(ACC, x), v128.load(CROW_I + (<usize>(t - win) << 4)));
    if (t - phase1 == NEXT) emit(f32x4.div(ACC, f32x4.splat(<f32>win)), t - phase1, p0, p1, p2, p3);
  }
}

/**
 * The first column pass and the second row pass for output rows oi..oi+3 (see colsRows4Picked
 * in src/pdq.ts): ring rows a_k are added and s_k subtracted for row k, whose column count is
 * n_k; the row pass output goes to picked rows p0..p3 at the sampled columns only.
 */
function colsRows(
  a0: usize,
  s0: usize,
  n0: f32,
  a1: usize,
  s1: usize,
  n1: f32,
  a2: usize,
  s2: usize,
  n2: f32,
  a3: usize,
  s3: usize,
  n3: f32,
  p0: usize,
  p1: usize,
  p2: usize,
  p3: usize,
): void {
  const w = W;
  const win = WIN_R;
  const phase1 = ((win + 2) >> 1) - 1;
  const groups = w >> 2;
  let mainStart = (win + 3) >> 2;
  if (mainStart > groups) mainStart = groups;
  const v0 = f32x4.splat(n0);
  const v1 = f32x4.splat(n1);
  const v2 = f32x4.splat(n2);
  const v3 = f32x4.splat(n3);
  ACC = f32x4.splat(0);
  PC = 0;
  NEXT = load<i32>(PICK_C);
  for (let g = 0; g < mainStart; g++) {
    const t = g << 2;
    cols4(CROW_I + (<usize>t << 4), <usize>t, a0, s0, v0, a1, s1, v1, a2, s2, v2, a3, s3, v3);
    for (let m = 0; m < 4; m++) step2(t + m, p0, p1, p2, p3);
  }
  let a = ACC;
  let next = NEXT;
  const n = f32x4.splat(<f32>win);
  const back = <usize>win << 4;
  for (let g = mainStart; g < groups; g++) {
    const t = g << 2;
    const x = CROW_I + (<usize>t << 4);
    cols4(x, <usize>t, a0, s0, v0, a1, s1, v1, a2, s2, v2, a3, s3, v3);
    const y = x - back;
    const oi = t - phase1;
    a = f32x4.sub(f32x4.add(a, v128.load(x)), v128.load(y));
    if (oi == next) next = emit(f32x4.div(a, n), oi, p0, p1, p2, p3);
    a = f32x4.sub(f32x4.add(a, v128.load(x, 16)), v128.load(y, 16));
    if (oi + 1 == next) next = emit(f32x4.div(a, n), oi + 1, p0, p1, p2, p3);
    a = f32x4.sub(f32x4.add(a, v128.load(x, 32)), v128.load(y, 32));
    if (oi + 2 == next) next = emit(f32x4.div(a, n), oi + 2, p0, p1, p2, p3);
    a = f32x4.sub(f32x4.add(a, v128.load(x, 48)), v128.load(y, 48));
    if (oi + 3 == next) next = emit(f32x4.div(a, n), oi + 3, p0, p1, p2, p3);
  }
  ACC = a;
  for (let t = groups << 2; t < w; t++) {
    cols1(<usize>t, a0, s0, n0, a1, s1, n1, a2, s2, n2, a3, s3, n3);
    step2(t, p0, p1, p2, p3);
  }
  a = ACC;
  for (let s = 0; s < phase1; s++) {
    a = f32x4.sub(a, v128.load(CROW_I + (<usize>(w - win + s) << 4)));
    const oi = w - phase1 + s;
    if (oi == NEXT) emit(f32x4.div(a, f32x4.splat(<f32>(win - 1 - s))), oi, p0, p1, p2, p3);
  }
}

// ------------------------------------------------------------------------------- driver

/** Ring address of the row added for output row oi (see addRow in src/pdq.ts). */
function addRow(oi: i32, phase1: i32, phase23: i32, zero: usize): usize {
  if (oi >= H || oi >= phase23) return zero;
  const row = oi + phase1;
  while (row >= PRODUCED) produceBlock();
  return ringRow(row);
}

function subRow(oi: i32, phase2: i32, zero: usize): usize {
  return oi >= H || oi < phase2 ? zero : ringRow(oi - phase2);
}

/** Column count for output row oi (past the image: a value whose results are discarded). */
function countFor(oi: i32, phase1: i32, phase2: i32, phase3: i32): f32 {
  const win = WIN_C;
  if (oi < phase2) return <f32>(phase1 + oi + 1);
  if (oi < phase2 + phase3) return <f32>win;
  return <f32>(win - (oi - phase2 - phase3) - 1);
}

/**
 * Filters and decimates the image at pixelsAt() (laid out by prepare) into out64At(). An image
 * of exactly 64 x 64 is taken as it is, unfiltered, as in the C++ reference.
 */
export function filter(): void {
  const w = W;
  const h = H;
  const ch = CH;
  LR = load<f32>(CONSTS);
  LG = load<f32>(CONSTS, 4);
  LB = load<f32>(CONSTS, 8);
  LR4 = f32x4.splat(LR);
  LG4 = f32x4.splat(LG);
  LB4 = f32x4.splat(LB);
  if (w == 64 && h == 64) {
    const step = pixelOffset(4, ch);
    for (let i = 0; i < 1024; i++) v128.store(OUT64 + (<usize>i << 4), luma4(PIXELS + <usize>i * step, ch));
    return;
  }
  for (let i = 0; i < 64; i++) {
    store<i32>(PICK_R + (<usize>i << 2), <i32>Math.trunc(((<f64>i + 0.5) * <f64>h) / 64));
    store<i32>(PICK_C + (<usize>i << 2), <i32>Math.trunc(((<f64>i + 0.5) * <f64>w) / 64));
  }
  const rowBytes = <usize>w << 2;
  const zero = RING + <usize>(RING_ROWS + 1) * rowBytes;
  memory.fill(zero, 0, rowBytes);
  memory.fill(COL_SUMS, 0, rowBytes);
  PRODUCED = 0;

  // Stage 2, which pulls stage 1 along: rows enter the ring as the column pass needs them.
  const winC = WIN_C;
  const half = (winC + 2) >> 1;
  const phase1 = half - 1;
  const phase2 = winC - half + 1;
  const phase3 = h - winC;
  const phase23 = phase2 + phase3;
  const groups = <usize>(w >> 2);
  for (let ri = 0; ri < phase1; ri++) {
    if (ri >= PRODUCED) produceBlock();
    const r = ringRow(ri);
    for (let g: usize = 0; g < groups; g++) {
      const o = g << 4;
      v128.store(COL_SUMS + o, f32x4.add(v128.load(COL_SUMS + o), v128.load(r + o)));
    }
    for (let j = groups << 2; j < <usize>w; j++) store<f32>(COL_SUMS + (j << 2), load<f32>(COL_SUMS + (j << 2)) + load<f32>(r + (j << 2)));
  }
  const spare = PICKED + (<usize>h << 8);
  for (let oi = 0; oi < h; oi += 4) {
    colsRows(
      addRow(oi, phase1, phase23, zero),
      subRow(oi, phase2, zero),
      countFor(oi, phase1, phase2, phase3),
      addRow(oi + 1, phase1, phase23, zero),
      subRow(oi + 1, phase2, zero),
      countFor(oi + 1, phase1, phase2, phase3),
      addRow(oi + 2, phase1, phase23, zero),
      subRow(oi + 2, phase2, zero),
      countFor(oi + 2, phase1, phase2, phase3),
      addRow(oi + 3, phase1, phase23, zero),
      subRow(oi + 3, phase2, zero),
      countFor(oi + 3, phase1, phase2, phase3),
      PICKED + (<usize>oi << 8),
      oi + 1 < h ? PICKED + (<usize>(oi + 1) << 8) : spare,
      oi + 2 < h ? PICKED + (<usize>(oi + 2) << 8) : spare,
      oi + 3 < h ? PICKED + (<usize>(oi + 3) << 8) : spare,
    );
  }

  // Stage 3: the second column pass over the 64 sampled columns, kept at the sampled rows.
  memory.fill(SUMS64, 0, 256);
  let pr = 0;
  let ri: usize = 0;
  let li: usize = 0;
  let count = 0;
  for (let t = 0; t < phase1; t++, ri++) {
    const r = PICKED + (ri << 8);
    for (let c: usize = 0; c < 256; c += 16) v128.store(SUMS64 + c, f32x4.add(v128.load(SUMS64 + c), v128.load(r + c)));
    count++;
  }
  for (let oi = 0; oi < h; oi++) {
    if (oi < phase2) {
      const r = PICKED + (ri++ << 8);
      for (let c: usize = 0; c < 256; c += 16) v128.store(SUMS64 + c, f32x4.add(v128.load(SUMS64 + c), v128.load(r + c)));
      count++;
    } else if (oi < phase23) {
      const r = PICKED + (ri++ << 8);
      const l = PICKED + (li++ << 8);
      for (let c: usize = 0; c < 256; c += 16) {
        v128.store(SUMS64 + c, f32x4.sub(f32x4.add(v128.load(SUMS64 + c), v128.load(r + c)), v128.load(l + c)));
      }
    } else {
      const l = PICKED + (li++ << 8);
      for (let c: usize = 0; c < 256; c += 16) v128.store(SUMS64 + c, f32x4.sub(v128.load(SUMS64 + c), v128.load(l + c)));
      count--;
    }
    if (pr < 64 && load<i32>(PICK_R + (<usize>pr << 2)) == oi) {
      const n = f32x4.splat(<f32>count);
      do {
        const o = OUT64 + (<usize>pr << 8);
        for (let c: usize = 0; c < 256; c += 16) v128.store(o + c, f32x4.div(v128.load(SUMS64 + c), n));
        pr++;
      } while (pr < 64 && load<i32>(PICK_R + (<usize>pr << 2)) == oi);
    }
  }
}

/**
 * The quality metric's gradient sum over out64At(), as qualityMetric in src/pdq.ts computes it:
 * each neighbour difference is trunc(((u - v) * 100) / 255) in float32 steps, and the absolute
 * values add up in float64, vertical pairs first (a NaN input gives NaN there too).
 */
export function gradientSum(): f64 {
  let sum: f64 = 0;
  for (let i: usize = 0; i < 63; i++) {
    for (let j: usize = 0; j < 64; j++) {
      const p = OUT64 + ((i * 64 + j) << 2);
      const d: f32 = ((load<f32>(p) - load<f32>(p, 256)) * 100) / 255;
      sum += Math.abs(Math.trunc(<f64>d));
    }
  }
  for (let i: usize = 0; i < 64; i++) {
    for (let j: usize = 0; j < 63; j++) {
      const p = OUT64 + ((i * 64 + j) << 2);
      const d: f32 = ((load<f32>(p) - load<f32>(p, 4)) * 100) / 255;
      sum += Math.abs(Math.trunc(<f64>d));
    }
  }
  return sum;
}

/**
 * B = D A D^T from out64At() into coefsAt(), D the 16 x 64 basis. Each T[i][j] = sum_k
 * D[i][k] A[k][j] and each B[i][j] = sum_k T[i][k] D[j][k] adds its products in ascending k,
 * starting from 0, as dct64To16 in src/pdq.ts does.
 */
export function dct(): void {
  for (let i: usize = 0; i < 16; i++) {
    for (let jb: usize = 0; jb < 64; jb += 16) {
      let t0 = f32x4.splat(0);
      let t1 = f32x4.splat(0);
      let t2 = f32x4.splat(0);
      let t3 = f32x4.splat(0);
      for (let k: usize = 0; k < 64; k++) {
        const d = f32x4.splat(load<f32>(DCT_D + ((i * 64 + k) << 2)));
        const a = OUT64 + ((k * 64 + jb) << 2);
        t0 = f32x4.add(t0, f32x4.mul(d, v128.load(a)));
        t1 = f32x4.add(t1, f32x4.mul(d, v128.load(a, 16)));
        t2 = f32x4.add(t2, f32x4.mul(d, v128.load(a, 32)));
        t3 = f32x4.add(t3, f32x4.mul(d, v128.load(a, 48)));
      }
      const o = TMP + ((i * 64 + jb) << 2);
      v128.store(o, t0);
      v128.store(o, t1, 16);
      v128.store(o, t2, 32);
      v128.store(o, t3, 48);
    }
  }
  for (let i: usize = 0; i < 16; i++) {
    let b0 = f32x4.splat(0);
    let b1 = f32x4.splat(0);
    let b2 = f32x4.splat(0);
    let b3 = f32x4.splat(0);
    for (let k: usize = 0; k < 64; k++) {
      const t = f32x4.splat(load<f32>(TMP + ((i * 64 + k) << 2)));
      const d = DCT_DT + (k << 6);
      b0 = f32x4.add(b0, f32x4.mul(t, v128.load(d)));
      b1 = f32x4.add(b1, f32x4.mul(t, v128.load(d, 16)));
      b2 = f32x4.add(b2, f32x4.mul(t, v128.load(d, 32)));
      b3 = f32x4.add(b3, f32x4.mul(t, v128.load(d, 48)));
    }
    const o = COEF + (i << 6);
    v128.store(o, b0);
    v128.store(o, b1, 16);
    v128.store(o, b2, 32);
    v128.store(o, b3, 48);
  }
}
