// Hamming distance on packed 256-bit hashes. Pure module.

/** Number of set bits in a 32-bit word (SWAR). */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Hamming distance between the 8-word hashes at a[aOffset] and b[bOffset]. */
export function hammingDistance(a: Uint32Array, b: Uint32Array, aOffset = 0, bOffset = 0): number {
  let d = 0;
  for (let m = 0; m < 8; m++) d += popcount32((a[aOffset + m]! ^ b[bOffset + m]!) >>> 0);
  return d;
}

/**
 * Hamming distance, but gives up as soon as it exceeds `limit` (returns a value > limit).
 * Random 256-bit hashes are ~128 bits apart, so most comparisons stop after two or three words.
 */
export function hammingDistanceWithin(
  a: Uint32Array,
  aOffset: number,
  b: Uint32Array,
  bOffset: number,
  limit: number,
): number {
  let d = 0;
  for (let m = 0; m < 8; m++) {
    d += popcount32((a[aOffset + m]! ^ b[bOffset + m]!) >>> 0);
    if (d > limit) return d;
  }
  return d;
}

export function popcountHash(a: Uint32Array, offset = 0): number {
  let n = 0;
  for (let m = 0; m < 8; m++) n += popcount32(a[offset + m]!);
  return n;
}
