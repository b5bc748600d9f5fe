// Seeded pseudo-random numbers for tests and benchmarks (random hashes, bit flips). Pure module.
// Not for anything secret: xorshift32 is small, fast and reproducible, nothing more.

/** xorshift32 (Marsaglia 2003): returns a function giving the next uint32 of the sequence. */
export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1; // the state must not be zero
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}
