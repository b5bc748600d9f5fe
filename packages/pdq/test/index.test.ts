import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ballSize, chunkKey, chunkRadii, hammingDistance, PdqIndex, popcount32, type IndexMatch } from '../src/pure.ts';
import { flipBits, randomHashes, rng } from './helpers.ts';

const key = (ms: IndexMatch[]): string => ms.map((m) => `${m.ref}:${m.distance}`).join(',');

describe('multi-index Hamming search', () => {
  it('finds exactly what a linear scan finds, for planted near matches at every distance 0..40', () => {
    const n = 20000;
    const words = randomHashes(n, 1);
    const index = new PdqIndex();
    assert.equal(
      index.addMany(
        words,
        Uint32Array.from({ length: n }, (_, i) => i),
      ),
      n,
    );
    const next = rng(2);
    for (let flips = 0; flips <= 40; flips++) {
      for (let trial = 0; trial < 5; trial++) {
        const target = next() % n;
        const query = flipBits(words, target * 8, flips, next);
        const found = index.search(query, 31);
        assert.equal(key(found), key(index.linearScan(query, 31)), `flips ${flips}`);
        assert.equal(
          found.some((m) => m.ref === target),
          flips <= 31,
          `planted hash at distance ${flips}`,
        );
      }
    }
  });

  it('agrees with a linear scan at radii from 0 to 128', () => {
    const n = 5000;
    const words = randomHashes(n, 3);
    const index = new PdqIndex();
    index.addMany(
      words,
      Uint32Array.from({ length: n }, (_, i) => i),
    );
    const next = rng(4);
    for (const radius of [0, 1, 8, 16, 31, 32, 47, 64, 100, 128]) {
      for (let trial = 0; trial < 10; trial++) {
        const query = flipBits(words, (next() % n) * 8, next() % (radius + 1), next);
        assert.equal(key(index.search(query, radius)), key(index.linearScan(query, radius)), `radius ${radius}`);
      }
    }
  });

  it('reports distances and a copy of the stored hash, nearest first', () => {
    const words = randomHashes(3, 5);
    const index = new PdqIndex();
    index.addMany(words, [10, 20, 30]);
    const query = flipBits(words, 8, 5, rng(6));
    const [best] = index.search(query, 31);
    assert.ok(best, 'the stored hash is found');
    assert.equal(best.ref, 20);
    assert.equal(best.distance, 5);
    assert.equal(hammingDistance(best.hash, words.subarray(8, 16)), 0);
    best.hash[0] = 0; // a copy: changing it does not change the index
    assert.equal(index.search(query, 31)[0]!.distance, 5);
  });

  it('adds and removes single hashes without a full rebuild, and stays correct across rebuilds', () => {
    const index = new PdqIndex({ tailMinimum: 64, tailFraction: 0.25 });
    const words = randomHashes(3000, 7);
    for (let i = 0; i < 3000; i++) assert.equal(index.add(words, i, i * 8), true);
    assert.equal(index.size, 3000);
    const stats = index.stats();
    assert.ok(stats.indexed > 0 && stats.tail <= Math.max(64, stats.indexed * 0.25) + 1, JSON.stringify(stats));
    // Remove every third hash; each is gone, the others remain.
    for (let i = 0; i < 3000; i += 3) assert.equal(index.remove(words, i * 8), i);
    assert.equal(index.size, 2000);
    const next = rng(8);
    for (let t = 0; t < 200; t++) {
      const i = next() % 3000;
      const query = flipBits(words, i * 8, next() % 20, next);
      const hit = index.search(query, 31).some((m) => m.ref === i);
      assert.equal(hit, i % 3 !== 0, `hash ${i}`);
      assert.equal(key(index.search(query, 31)), key(index.linearScan(query, 31)));
    }
    assert.equal(index.remove(words, 0), undefined, 'removing twice reports absence');
    // Re-adding a removed hash works and is found again.
    assert.equal(index.add(words, 99999, 0), true);
    assert.equal(index.search(words.subarray(0, 8), 0)[0]?.ref, 99999);
    index.rebuild();
    assert.equal(index.stats().dead, 0);
    assert.equal(index.size, 2001);
    assert.equal(index.search(words.subarray(0, 8), 0)[0]?.ref, 99999);
  });

  it('keeps each hash once: a duplicate add changes nothing', () => {
    const index = new PdqIndex();
    const words = randomHashes(2, 9);
    assert.equal(index.add(words, 1, 0), true);
    assert.equal(index.add(words, 2, 0), false);
    assert.equal(index.addMany(words, [3, 4]), 1);
    assert.equal(index.size, 2);
    assert.equal(index.refOf(words, 0), 1);
    assert.equal(index.refOf(words, 8), 4);
  });

  it('rejects bad arguments with clear errors', () => {
    const index = new PdqIndex();
    assert.throws(() => index.add(new Uint32Array(4), 1), /8 words/);
    assert.throws(() => index.add(new Uint32Array(8), -1), /uint32/);
    assert.throws(() => index.search(new Uint32Array(8), 300), /maxDistance/);
    assert.throws(() => index.search(new Uint32Array(8), 1.5), /maxDistance/);
    assert.throws(() => new PdqIndex({ chunkBits: 30 }), /chunkBits/);
  });

  it('works with every forced chunk width', () => {
    const n = 3000;
    const words = randomHashes(n, 10);
    const next = rng(11);
    for (const chunkBits of [8, 12, 16, 21, 24]) {
      const index = new PdqIndex({ chunkBits });
      index.addMany(
        words,
        Uint32Array.from({ length: n }, (_, i) => i),
      );
      for (let t = 0; t < 20; t++) {
        const target = next() % n;
        const query = flipBits(words, target * 8, 31, next);
        assert.ok(
          index.search(query, 31).some((m) => m.ref === target),
          `chunkBits ${chunkBits}`,
        );
      }
    }
  });

  it('agrees with a linear scan for every bucket size, including buckets that overflow', () => {
    // 6,000 hashes over 2^13..2^10 buckets: about 0.7 to 6 per bucket, so 1 to 4 cells per
    // bucket, and in each case some buckets hold more than fit and spill into overflow lists.
    const n = 6000;
    const words = randomHashes(n, 12);
    const next = rng(13);
    const seen = new Set<number>();
    for (const chunkBits of [13, 12, 11, 10]) {
      const index = new PdqIndex({ chunkBits });
      index.addMany(
        words,
        Uint32Array.from({ length: n }, (_, i) => i),
      );
      const stats = index.stats();
      assert.ok(stats.overflowEntries > 0, `chunkBits ${chunkBits}: some bucket overflows`);
      for (const c of stats.cells) seen.add(c);
      for (let t = 0; t < 30; t++) {
        const target = next() % n;
        const query = flipBits(words, target * 8, next() % 36, next);
        assert.equal(key(index.search(query, 31)), key(index.linearScan(query, 31)), `chunkBits ${chunkBits}`);
      }
      // Removed hashes are not found even while their slots are still in the tables.
      for (let i = 0; i < n; i += 2) index.remove(words, i * 8);
      for (let t = 0; t < 30; t++) {
        const target = next() % n;
        const query = flipBits(words, target * 8, next() % 20, next);
        assert.equal(
          key(index.search(query, 31)),
          key(index.linearScan(query, 31)),
          `chunkBits ${chunkBits} after removals`,
        );
        assert.equal(
          index.search(query, 31).some((m) => m.ref === target),
          target % 2 === 1,
        );
      }
    }
    assert.deepEqual([...seen].sort(), [1, 2, 3, 4]);
  });
});

describe('multi-index building blocks', () => {
  it('spreads the radius so that sum(r_i + 1) = r + 1 (the pigeonhole condition)', () => {
    for (const m of [1, 8, 11, 12, 16, 32]) {
      for (const r of [0, 1, 15, 31, 32, 63, 200]) {
        const radii = chunkRadii(m, r);
        assert.equal(radii.length, m);
        assert.equal(
          radii.reduce((s, x) => s + x + 1, 0),
          r + 1,
        );
        assert.ok(Math.max(...radii) - Math.min(...radii) <= 1, 'the radii differ by at most one');
      }
    }
    assert.deepEqual(chunkRadii(16, 31), new Array(16).fill(1));
  });

  it('counts the keys within a radius', () => {
    assert.equal(ballSize(16, 0), 1);
    assert.equal(ballSize(16, 1), 17);
    assert.equal(ballSize(23, 2), 1 + 23 + 253);
    assert.equal(ballSize(4, 9), 16);
  });

  it('extracts chunk keys across word boundaries', () => {
    const words = new Uint32Array(8);
    words[0] = 0xf0000000;
    words[1] = 0x0000000f;
    assert.equal(chunkKey(words, 0, 28, 8), 0xff);
    assert.equal(chunkKey(words, 0, 24, 8), 0xf0);
    assert.equal(chunkKey(words, 0, 232, 24), 0);
  });

  it('counts bits', () => {
    assert.equal(popcount32(0), 0);
    assert.equal(popcount32(0xffffffff), 32);
    assert.equal(popcount32(0x80000001), 2);
  });
});
