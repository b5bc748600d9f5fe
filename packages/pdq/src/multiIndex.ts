// Multi-index hashing (Norouzi, Punjani & Fleet 2012) for 256-bit PDQ hashes. Pure module.
//
// Why it works (pigeonhole). Split the 256 bits into m disjoint chunks. If two hashes are within
// Hamming distance r, their per-chunk distances d_1..d_m add up to at most r. Give chunk i a
// search radius r_i (r_i = -1 means "do not probe this chunk"). If sum_i (r_i + 1) > r, then some
// chunk has d_i <= r_i: otherwise every d_i >= r_i + 1 and the total would be > r. So probing,
// in every chunk, the table buckets of all keys within r_i of the query's chunk finds every
// match; each candidate is then checked with a full 256-bit popcount. The radii are spread as
// evenly as possible with sum (r_i + 1) = r + 1: with m = 16 chunks of 16 bits and r = 31 that
// is r_i = 1 for every chunk (the classic "some 16-bit chunk differs in at most one bit"), with
// m = 11 chunks of 23-24 bits it is r_i = 2 for ten chunks and 1 for one.
//
// Chunk width. Theory and measurement agree the best width is about log2(n) bits, so that a
// bucket holds about one entry: fewer, narrower chunks mean few probes but many candidates,
// wider chunks the reverse. The width is chosen when the tables are (re)built.
//
// Layout. What a lookup costs is random memory reads (the tables are far bigger than the cache,
// and every read also misses the TLB), so the layout keeps them few. Each chunk table is an
// array of 2^width buckets of B cells (B = 1 or 2, about the expected bucket size, up to 4): a
// cell holds slot + 1, 0 when empty, or, in the last cell of a bucket that has more than B
// entries, -(position + 1) of a list in the chunk's small `overflow` array (its length, then
// the rest of the slots). One probe is then one read (the bucket's cells share a cache line),
// where offsets-then-slots took two. Hashes are stored once, packed 8 words per slot, in
// `words`. Slots added since the last build form a small unindexed tail that is scanned
// linearly; the tables are rebuilt when the tail outgrows a fraction of the indexed part, so
// single adds are O(1) amortised and never rebuild on their own. Removal marks the slot dead;
// dead slots are dropped at the next rebuild. Every stored hash is unique: an exact-match hash
// table (open addressing over the packed words) finds duplicates and the slot to remove.

import { hammingDistanceWithin } from './hamming.ts';
import { PDQ_HASH_WORDS } from './hex.ts';

export interface PdqIndexOptions {
  /** Force the chunk width in bits (8..24). Default: about log2(size) at each rebuild. */
  chunkBits?: number;
  /** Unindexed tail allowed before an automatic rebuild, as a fraction of indexed size. Default 1/16. */
  tailFraction?: number;
  /** Minimum unindexed tail before an automatic rebuild. Default 4096. */
  tailMinimum?: number;
}

export interface IndexMatch {
  /** Caller's reference number given at add(). */
  ref: number;
  distance: number;
  /** Copy of the stored hash. */
  hash: Uint32Array;
}

export interface IndexStats {
  size: number;
  slots: number;
  indexed: number;
  tail: number;
  dead: number;
  chunks: number;
  chunkBits: number[];
  /** Cells per bucket in each chunk table (see the layout note). */
  cells: number[];
  /** Entries kept in overflow lists, over all chunks. */
  overflowEntries: number;
  bytes: number;
}

interface Chunk {
  start: number;
  bits: number;
  /** Cells per bucket. */
  cells: number;
  /** 2^bits buckets of `cells` cells: slot + 1, 0 (empty), or -(overflow position + 1). */
  table: Int32Array;
  /** Overflow lists: a count, then that many slot numbers. */
  overflow: Int32Array;
}

const W = PDQ_HASH_WORDS;
const EMPTY = -1;

export class PdqIndex {
  private words: Uint32Array;
  private refs: Uint32Array;
  private dead: Uint8Array;
  private capacity: number;
  private used = 0; // slots in use, dead or alive
  private live = 0;
  private deadCount = 0;
  private indexedEnd = 0; // slots [0, indexedEnd) are in the chunk tables
  private chunks: Chunk[] = [];
  private exact: Int32Array; // open-addressing table of slot numbers, EMPTY or a tombstone
  private exactUsed = 0; // filled cells, including tombstones
  private readonly forcedBits: number | undefined;
  private readonly tailFraction: number;
  private readonly tailMinimum: number;

  constructor(options: PdqIndexOptions = {}, initialCapacity = 1024) {
    if (
      options.chunkBits !== undefined &&
      !(Number.isInteger(options.chunkBits) && options.chunkBits >= 8 && options.chunkBits <= 24)
    ) {
      throw new RangeError(`chunkBits must be an integer from 8 to 24, got ${options.chunkBits}`);
    }
    this.forcedBits = options.chunkBits;
    this.tailFraction = options.tailFraction ?? 1 / 16;
    this.tailMinimum = options.tailMinimum ?? 4096;
    this.capacity = Math.max(16, initialCapacity);
    this.words = new Uint32Array(this.capacity * W);
    this.refs = new Uint32Array(this.capacity);
    this.dead = new Uint8Array(this.capacity);
    this.exact = new Int32Array(tableSizeFor(this.capacity)).fill(EMPTY);
  }

  /** Number of live (not removed) hashes. */
  get size(): number {
    return this.live;
  }

  /** Makes room for `extra` more hashes without reallocating on each add. */
  reserve(extra: number): void {
    const need = this.used + extra;
    if (need <= this.capacity) return;
    // Double for one-at-a-time growth; size exactly for a large batch.
    const cap = Math.max(need, this.capacity * 2);
    const words = new Uint32Array(cap * W);
    words.set(this.words.subarray(0, this.used * W));
    const refs = new Uint32Array(cap);
    refs.set(this.refs.subarray(0, this.used));
    const dead = new Uint8Array(cap);
    dead.set(this.dead.subarray(0, this.used));
    this.words = words;
    this.refs = refs;
    this.dead = dead;
    this.capacity = cap;
    this.rehashExact(tableSizeFor(cap));
  }

  /**
   * Adds a hash (8 words at `offset` of `hash`) with the caller's reference number.
   * Returns false, changing nothing, if the same hash is already present.
   */
  add(hash: Uint32Array, ref: number, offset = 0): boolean {
    if (!(Number.isInteger(ref) && ref >= 0 && ref <= 0xffffffff))
      throw new RangeError(`ref must be a uint32, got ${ref}`);
    if (hash.length < offset + W) throw new RangeError('hash must have 8 words');
    if (this.findExact(hash, offset) !== EMPTY) return false;
    this.reserve(1);
    const slot = this.used++;
    for (let k = 0; k < W; k++) this.words[slot * W + k] = hash[offset + k]!;
    this.refs[slot] = ref;
    this.dead[slot] = 0;
    this.live++;
    this.insertExact(slot);
    this.maybeRebuild();
    return true;
  }

  /**
   * Bulk add: `hashes` holds n hashes packed 8 words each, `refs` their reference numbers.
   * Duplicates (of stored hashes or within the batch) are skipped. Builds the tables once.
   * Returns how many were added.
   */
  /**
   * Adds many hashes. With `index` false the chunk tables are left for indexSteps() to rebuild (the
   * new hashes are still found, by the linear scan of the unindexed tail, until then).
   */
  addMany(hashes: Uint32Array, refs: ArrayLike<number>, index = true): number {
    const n = Math.floor(hashes.length / W);
    if (refs.length < n) throw new RangeError(`need ${n} refs, got ${refs.length}`);
    this.reserve(n);
    let added = 0;
    for (let i = 0; i < n; i++) {
      const ref = refs[i]!;
      if (!(Number.isInteger(ref) && ref >= 0 && ref <= 0xffffffff))
        throw new RangeError(`ref must be a uint32, got ${ref}`);
      if (this.findExact(hashes, i * W) !== EMPTY) continue;
      const slot = this.used++;
      for (let k = 0; k < W; k++) this.words[slot * W + k] = hashes[i * W + k]!;
      this.refs[slot] = ref;
      this.dead[slot] = 0;
      this.live++;
      this.insertExact(slot);
      added++;
    }
    if (index && this.used - this.indexedEnd > this.tailMinimum) this.rebuild();
    return added;
  }

  /**
   * The rebuild addMany(..., false) left due, one chunk table per step, so a caller can yield between
   * steps. Searches made between steps use the previous tables and scan the tail, so they stay exact;
   * the index must not be changed until the steps are done.
   */
  *indexSteps(): Generator<void> {
    if (this.used - this.indexedEnd <= this.tailMinimum && this.deadCount === 0) return;
    if (this.deadCount > 0) this.compact();
    const n = this.used;
    if (n === 0) return;
    const width = this.forcedBits ?? chooseChunkBits(n);
    const m = Math.max(1, Math.round(256 / width));
    const keys = new Uint32Array(n);
    const scratch = new Uint32Array(n);
    const scratchKeys = new Uint32Array(n);
    const chunks: Chunk[] = [];
    let start = 0;
    for (let c = 0; c < m; c++) {
      const bits = Math.floor(256 / m) + (c < 256 % m ? 1 : 0);
      for (let s = 0; s < n; s++) keys[s] = chunkKey(this.words, s * W, start, bits);
      const { offsets, slots } = buildChunkTable(keys, n, bits, scratch, scratchKeys);
      const cells = cellsPerBucket(n, bits);
      chunks.push({ start, bits, cells, ...bucketTable(offsets, slots, bits, cells) });
      start += bits;
      yield;
    }
    this.chunks = chunks;
    this.indexedEnd = n;
  }

  /** Reference number stored with this exact hash, or undefined. */
  refOf(hash: Uint32Array, offset = 0): number | undefined {
    const slot = this.findExact(hash, offset);
    return slot === EMPTY ? undefined : this.refs[slot];
  }

  /** Removes this exact hash. Returns its reference number, or undefined if absent. */
  remove(hash: Uint32Array, offset = 0): number | undefined {
    const cell = this.findExactCell(hash, offset);
    if (cell === EMPTY) return undefined;
    const slot = this.exact[cell]!;
    this.exact[cell] = TOMBSTONE;
    this.dead[slot] = 1;
    this.live--;
    this.deadCount++;
    if (this.deadCount > 1024 && this.deadCount * 4 > this.used) this.rebuild();
    return this.refs[slot];
  }

  /** Every stored hash within `maxDistance` bits of the query, nearest first. */
  search(query: Uint32Array, maxDistance: number, queryOffset = 0): IndexMatch[] {
    checkRadius(maxDistance);
    const q = queryOffset === 0 && query.length === W ? query : query.slice(queryOffset, queryOffset + W);
    if (q.length < W) throw new RangeError('query must have 8 words');
    const found: number[] = [];
    const distances: number[] = [];
    if (this.chunks.length === 0 || this.probeCost(maxDistance) > this.indexedEnd) {
      // No tables yet, or a radius so large that probing would cost more than a scan.
      this.scanRange(q, maxDistance, 0, this.used, found, distances);
    } else {
      this.probe(q, maxDistance, found, distances);
      this.scanRange(q, maxDistance, this.indexedEnd, this.used, found, distances);
    }
    return this.toMatches(found, distances);
  }

  /** Same answer as search(), by comparing against every stored hash. For tests and benchmarks. */
  linearScan(query: Uint32Array, maxDistance: number, queryOffset = 0): IndexMatch[] {
    checkRadius(maxDistance);
    const q = query.slice(queryOffset, queryOffset + W);
    const found: number[] = [];
    const distances: number[] = [];
    this.scanRange(q, maxDistance, 0, this.used, found, distances);
    return this.toMatches(found, distances);
  }

  /** Calls fn for every live hash (a view valid only during the call) and its ref. */
  forEach(fn: (hash: Uint32Array, ref: number) => void): void {
    for (let s = 0; s < this.used; s++) {
      if (this.dead[s] === 0) fn(this.words.subarray(s * W, s * W + W), this.refs[s]!);
    }
  }

  stats(): IndexStats {
    let bytes = this.words.byteLength + this.refs.byteLength + this.dead.byteLength + this.exact.byteLength;
    for (const c of this.chunks) bytes += c.table.byteLength + c.overflow.byteLength;
    return {
      size: this.live,
      slots: this.used,
      indexed: this.indexedEnd,
      tail: this.used - this.indexedEnd,
      dead: this.deadCount,
      chunks: this.chunks.length,
      chunkBits: this.chunks.map((c) => c.bits),
      cells: this.chunks.map((c) => c.cells),
      overflowEntries: this.chunks.reduce((sum, c) => sum + c.overflow.length, 0),
      bytes,
    };
  }

  /** Rebuilds the chunk tables over every live hash, dropping removed ones. */
  rebuild(): void {
    if (this.deadCount > 0) this.compact();
    const n = this.used;
    this.chunks = [];
    this.indexedEnd = 0;
    if (n === 0) return;
    const width = this.forcedBits ?? chooseChunkBits(n);
    const m = Math.max(1, Math.round(256 / width));
    const keys = new Uint32Array(n);
    const scratch = new Uint32Array(n);
    const scratchKeys = new Uint32Array(n);
    let start = 0;
    for (let c = 0; c < m; c++) {
      // Spread 256 bits over m chunks; the first (256 mod m) chunks get one extra bit.
      const bits = Math.floor(256 / m) + (c < 256 % m ? 1 : 0);
      for (let s = 0; s < n; s++) keys[s] = chunkKey(this.words, s * W, start, bits);
      const { offsets, slots } = buildChunkTable(keys, n, bits, scratch, scratchKeys);
      const cells = cellsPerBucket(n, bits);
      this.chunks.push({ start, bits, cells, ...bucketTable(offsets, slots, bits, cells) });
      start += bits;
    }
    this.indexedEnd = n;
  }

  // ---------------------------------------------------------------- internals

  private maybeRebuild(): void {
    const tail = this.used - this.indexedEnd;
    if (tail > this.tailMinimum && tail > this.indexedEnd * this.tailFraction) this.rebuild();
  }

  /** Moves live slots down over dead ones (refs move with them) and rebuilds the exact table. */
  private compact(): void {
    const words = this.words;
    let to = 0;
    for (let from = 0; from < this.used; from++) {
      if (this.dead[from] !== 0) continue;
      if (to !== from) {
        words.copyWithin(to * W, from * W, from * W + W);
        this.refs[to] = this.refs[from]!;
      }
      this.dead[to] = 0;
      to++;
    }
    this.dead.fill(0, to, this.used);
    this.used = to;
    this.deadCount = 0;
    this.rehashExact(this.exact.length);
  }

  /** Sum over chunks of the number of keys probed at this radius, times the expected bucket size. */
  private probeCost(radius: number): number {
    const radii = chunkRadii(this.chunks.length, radius);
    let probes = 0;
    let candidates = 0;
    for (let c = 0; c < this.chunks.length; c++) {
      const keys = ballSize(this.chunks[c]!.bits, radii[c]!);
      probes += keys;
      candidates += keys * (this.indexedEnd / 2 ** this.chunks[c]!.bits);
    }
    return probes + candidates;
  }

  // Scratch for probe(); grown on demand and reused across queries.
  private keyBuf = new Int32Array(4096);
  private cellBuf = new Int32Array(16384);
  private candBuf = new Int32Array(16384);
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: written only, so that the touching loop is not optimised away
  private touched = 0;
  private countBuf = new Int32Array(1024);

  /**
   * Probes every chunk table and verifies the candidates, in passes over flat arrays: copy
   * every probed bucket's cells, then pick out the slots, then read each candidate's first
   * word, then verify. The tables and hashes are far bigger than the cache, so the time goes
   * in memory misses, and the processor overlaps many of them only in a loop whose loads do
   * not feed a branch: a mispredicted branch on a missing value waits for that value and throws
   * away the loads issued after it. So the passes that touch the big arrays only copy.
   */
  private probe(q: Uint32Array, maxDistance: number, found: number[], distances: number[]): void {
    const radii = chunkRadii(this.chunks.length, maxDistance);
    let nc = 0;
    for (let c = 0; c < this.chunks.length; c++) {
      const radius = radii[c]!;
      if (radius < 0) continue;
      const { start, bits, cells, table, overflow } = this.chunks[c]!;
      const nk = this.fillKeys(chunkKey(q, 0, start, bits), bits, radius);
      const keys = this.keyBuf;
      if (this.cellBuf.length < nk * cells) this.cellBuf = new Int32Array(nk * cells * 2);
      const raw = this.cellBuf;
      let nr = 0;
      // Pass 1 (misses): copy the cells of every probed bucket.
      if (cells === 1) {
        for (let i = 0; i < nk; i++) raw[i] = table[keys[i]!]!;
        nr = nk;
      } else if (cells === 2) {
        for (let i = 0; i < nk; i++) {
          const at = keys[i]! << 1;
          raw[nr] = table[at]!;
          raw[nr + 1] = table[at + 1]!;
          nr += 2;
        }
      } else {
        for (let i = 0; i < nk; i++) {
          const at = keys[i]! * cells;
          for (let j = 0; j < cells; j++) raw[nr++] = table[at + j]!;
        }
      }
      // Pass 2 (in cache): slots to candidates; overflow references set aside.
      if (this.candBuf.length < nc + nr) this.growCandidates(nc + nr);
      const cand = this.candBuf;
      let no = 0;
      for (let i = 0; i < nr; i++) {
        const v = raw[i]!;
        if (v > 0) cand[nc++] = v - 1;
        else if (v < 0) raw[no++] = -v - 1; // reuses the cells already read
      }
      // Pass 3 (misses, rare): overflow list lengths, then their slots.
      if (no > 0) {
        if (this.countBuf.length < no) this.countBuf = new Int32Array(raw.length);
        const counts = this.countBuf;
        let total = 0;
        for (let i = 0; i < no; i++) total += counts[i] = overflow[raw[i]!]!;
        if (this.candBuf.length < nc + total) this.growCandidates(nc + total);
        const dest = this.candBuf;
        for (let i = 0; i < no; i++) {
          for (let p = raw[i]! + 1, end = p + counts[i]!; p < end; p++) dest[nc++] = overflow[p]!;
        }
      }
    }
    const cand = this.candBuf;
    const words = this.words;
    // Pass 4 (misses): touch each candidate's hash (one cache line holds it). As little work per
    // load as possible, so that many loads fit in the processor's window at once.
    let touched = 0;
    for (let i = 0; i < nc; i++) touched ^= words[cand[i]! * W]!;
    this.touched = touched;
    // Pass 5 (in cache): verify.
    const dead = this.dead;
    for (let i = 0; i < nc; i++) {
      const s = cand[i]!;
      const d = hammingDistanceWithin(words, s * W, q, 0, maxDistance);
      // A match usually turns up through several chunks: record it once. Matches are few.
      if (d <= maxDistance && dead[s] === 0 && !found.includes(s)) {
        found.push(s);
        distances.push(d);
      }
    }
  }

  private growCandidates(need: number): void {
    const next = new Int32Array(Math.max(need, this.candBuf.length * 2));
    next.set(this.candBuf);
    this.candBuf = next;
  }

  /** Writes every key within `radius` bits of `key` into keyBuf (each once); returns the count. */
  private fillKeys(key: number, bits: number, radius: number): number {
    const need = ballSize(bits, radius);
    if (this.keyBuf.length < need) this.keyBuf = new Int32Array(need);
    const out = this.keyBuf;
    let n = 0;
    out[n++] = key;
    if (radius >= 1) {
      for (let b1 = 0; b1 < bits; b1++) {
        const k1 = key ^ (1 << b1);
        out[n++] = k1;
        if (radius === 1) continue;
        for (let b2 = b1 + 1; b2 < bits; b2++) {
          const k2 = k1 ^ (1 << b2);
          out[n++] = k2;
          if (radius === 2) continue;
          for (let b3 = b2 + 1; b3 < bits; b3++) {
            const k3 = k2 ^ (1 << b3);
            out[n++] = k3;
            if (radius > 3) n = this.fillDeeper(k3, b3 + 1, bits, radius - 3, n);
          }
        }
      }
    }
    return n;
  }

  /** Radius > 3 only (rare: probeCost prefers a linear scan long before that gets large). */
  private fillDeeper(key: number, from: number, bits: number, left: number, n: number): number {
    for (let b = from; b < bits; b++) {
      const k = key ^ (1 << b);
      this.keyBuf[n++] = k;
      if (left > 1) n = this.fillDeeper(k, b + 1, bits, left - 1, n);
    }
    return n;
  }

  private scanRange(
    q: Uint32Array,
    maxDistance: number,
    from: number,
    to: number,
    found: number[],
    distances: number[],
  ): void {
    const words = this.words;
    const dead = this.dead;
    for (let s = from; s < to; s++) {
      if (dead[s] !== 0) continue;
      const d = hammingDistanceWithin(words, s * W, q, 0, maxDistance);
      if (d <= maxDistance) {
        found.push(s);
        distances.push(d);
      }
    }
  }

  private toMatches(found: number[], distances: number[]): IndexMatch[] {
    const out: IndexMatch[] = found.map((s, i) => ({
      ref: this.refs[s]!,
      distance: distances[i]!,
      hash: this.words.slice(s * W, s * W + W),
    }));
    out.sort((a, b) => a.distance - b.distance || a.ref - b.ref);
    return out;
  }

  // Exact-match table: linear probing on a hash of the first two words (PDQ bits are close to
  // uniformly distributed, so any two words mix well).

  private findExact(hash: Uint32Array, offset: number): number {
    const cell = this.findExactCell(hash, offset);
    return cell === EMPTY ? EMPTY : this.exact[cell]!;
  }

  private findExactCell(hash: Uint32Array, offset: number): number {
    const table = this.exact;
    const mask = table.length - 1;
    const words = this.words;
    for (let cell = mixWords(hash[offset]!, hash[offset + 1]!) & mask; ; cell = (cell + 1) & mask) {
      const slot = table[cell]!;
      if (slot === EMPTY) return EMPTY;
      if (slot === TOMBSTONE) continue;
      const base = slot * W;
      let same = true;
      for (let k = 0; k < W; k++) {
        if (words[base + k] !== hash[offset + k]) {
          same = false;
          break;
        }
      }
      if (same) return cell;
    }
  }

  private insertExact(slot: number): void {
    if ((this.exactUsed + 1) * 4 > this.exact.length * 3) this.rehashExact(this.exact.length * 2);
    const table = this.exact;
    const mask = table.length - 1;
    const base = slot * W;
    let cell = mixWords(this.words[base]!, this.words[base + 1]!) & mask;
    while (table[cell] !== EMPTY && table[cell] !== TOMBSTONE) cell = (cell + 1) & mask;
    if (table[cell] === EMPTY) this.exactUsed++;
    table[cell] = slot;
  }

  private rehashExact(size: number): void {
    let cells = size;
    while (cells * 2 < this.live * 3 + 2) cells *= 2;
    this.exact = new Int32Array(cells).fill(EMPTY);
    this.exactUsed = 0;
    for (let s = 0; s < this.used; s++) if (this.dead[s] === 0) this.insertExact(s);
  }
}

const TOMBSTONE = -2;

/**
 * CSR table for one chunk: offsets[k]..offsets[k+1] index the slots whose key is k, slots in
 * ascending order. A plain counting sort over 2^bits keys touches a table far bigger than the
 * cache at random for every slot, so this sorts in two cache-friendly rounds: first by the top
 * bits (at most 2^11 buckets), then each bucket by the remaining low bits.
 */
function buildChunkTable(
  keys: Uint32Array,
  n: number,
  bits: number,
  scratch: Uint32Array,
  scratchKeys: Uint32Array,
): { offsets: Uint32Array; slots: Uint32Array } {
  const size = 2 ** bits;
  const offsets = new Uint32Array(size + 1);
  const slots = new Uint32Array(n);
  const highBits = Math.min(11, bits);
  const lowBits = bits - highBits;
  const lowSize = 2 ** lowBits;
  const lowMask = lowSize - 1;
  // Round 1: stable partition of slot numbers by high bits into `scratch`.
  const highStart = new Uint32Array((1 << highBits) + 1);
  for (let s = 0; s < n; s++) highStart[(keys[s]! >>> lowBits) + 1]!++;
  for (let h = 0; h < 1 << highBits; h++) highStart[h + 1] = highStart[h + 1]! + highStart[h]!;
  const cursor = highStart.slice(0, 1 << highBits);
  for (let s = 0; s < n; s++) {
    const key = keys[s]!;
    const at = cursor[key >>> lowBits]!++;
    scratch[at] = s;
    scratchKeys[at] = key; // carried along so round 2 reads keys sequentially
  }
  // Round 2: inside each high bucket, counting sort by the low bits (table fits in cache).
  const lowCount = new Uint32Array(lowSize + 1);
  for (let h = 0; h < 1 << highBits; h++) {
    const from = highStart[h]!;
    const to = highStart[h + 1]!;
    const base = h * lowSize;
    lowCount.fill(0);
    for (let p = from; p < to; p++) lowCount[(scratchKeys[p]! & lowMask) + 1]!++;
    for (let k = 0; k < lowSize; k++) {
      offsets[base + k] = from + lowCount[k]!;
      lowCount[k + 1] = lowCount[k + 1]! + lowCount[k]!;
    }
    for (let p = from; p < to; p++) slots[from + lowCount[scratchKeys[p]! & lowMask]!++] = scratch[p]!;
  }
  offsets[size] = n;
  return { offsets, slots };
}

/** Cells per bucket for n entries over 2^bits buckets: about the mean bucket size, 1 to 4. */
export function cellsPerBucket(n: number, bits: number): number {
  return Math.min(4, Math.max(1, Math.round(n / 2 ** bits + 0.5)));
}

/**
 * Bucket table from the CSR form: each bucket's first entries in place, the rest of a bucket
 * that does not fit in a list in `overflow`, referenced from its last cell.
 */
function bucketTable(
  offsets: Uint32Array,
  slots: Uint32Array,
  bits: number,
  cells: number,
): { table: Int32Array; overflow: Int32Array } {
  const size = 2 ** bits;
  if (slots.length >= 0x7fffffff) throw new RangeError('too many hashes for one index');
  let overflowLength = 0;
  for (let k = 0; k < size; k++) {
    const count = offsets[k + 1]! - offsets[k]!;
    if (count > cells) overflowLength += 1 + count - (cells - 1);
  }
  const table = new Int32Array(size * cells);
  const overflow = new Int32Array(overflowLength);
  let at = 0;
  for (let k = 0; k < size; k++) {
    const from = offsets[k]!;
    const to = offsets[k + 1]!;
    const base = k * cells;
    if (to - from <= cells) {
      for (let p = from; p < to; p++) table[base + p - from] = slots[p]! + 1;
      continue;
    }
    for (let j = 0; j < cells - 1; j++) table[base + j] = slots[from + j]! + 1;
    table[base + cells - 1] = -(at + 1);
    overflow[at++] = to - from - (cells - 1);
    for (let p = from + cells - 1; p < to; p++) overflow[at++] = slots[p]!;
  }
  return { table, overflow };
}

/** Power-of-two size keeping the exact-match table at most 2/3 full for `capacity` hashes. */
function tableSizeFor(capacity: number): number {
  let size = 16;
  while (size * 2 < capacity * 3) size *= 2;
  return size;
}

function mixWords(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  return h >>> 0;
}

function checkRadius(r: number): void {
  if (!(Number.isInteger(r) && r >= 0 && r <= 256))
    throw new RangeError(`maxDistance must be an integer 0..256, got ${r}`);
}

/** Chunk width for n stored hashes: about log2(n), kept within 8..24 bits. */
export function chooseChunkBits(n: number): number {
  return Math.min(24, Math.max(8, Math.round(Math.log2(Math.max(2, n)))));
}

/**
 * Per-chunk search radii for m chunks and total radius r: sum (r_i + 1) = r + 1, spread evenly.
 * A radius of -1 means the chunk need not be probed.
 */
export function chunkRadii(m: number, r: number): number[] {
  const slots = r + 1;
  const base = Math.floor(slots / m);
  const extra = slots % m;
  const radii: number[] = [];
  for (let c = 0; c < m; c++) radii.push(base + (c < extra ? 1 : 0) - 1);
  return radii;
}

/** Number of `bits`-bit keys within Hamming distance `radius` of a given key. */
export function ballSize(bits: number, radius: number): number {
  let total = 0;
  let term = 1;
  for (let k = 0; k <= Math.min(radius, bits); k++) {
    total += term;
    term = (term * (bits - k)) / (k + 1);
  }
  return total;
}

/** The `bits`-bit value at bit position `start` of the 8-word hash at `offset`. */
export function chunkKey(words: Uint32Array, offset: number, start: number, bits: number): number {
  const w = start >>> 5;
  const shift = start & 31;
  let v = words[offset + w]! >>> shift;
  if (shift + bits > 32) v |= words[offset + w + 1]! << (32 - shift);
  return (v & ((1 << bits) - 1)) >>> 0;
}
