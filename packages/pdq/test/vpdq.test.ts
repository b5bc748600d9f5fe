// vPDQ matching without video: frame lists made of random hashes and copies of them with bits flipped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashToHex, hexToHash } from '../src/hex.ts';
import {
  formatVpdq,
  matchVideoHashes,
  parseVideoFrameMeta,
  parseVpdq,
  scoreVideoBankHits,
  usableFrames,
  videoBankLines,
  videoFrameMeta,
  videoMatchOptions,
  VpdqParseError,
  type VideoFrameHash,
} from '../src/vpdq.ts';
import { flipBits, randomHashes, rng } from './helpers.ts';

function video(n: number, seed: number, quality = 100): VideoFrameHash[] {
  const words = randomHashes(n, seed);
  return Array.from({ length: n }, (_, i) => ({ frame: i, timestamp: i, hash: hashToHex(words, i * 8), quality }));
}

/** The same frames, each with `bits` bits flipped (a re-encoded copy). */
function copyOf(frames: VideoFrameHash[], bits: number, seed: number): VideoFrameHash[] {
  return frames.map((f, i) => ({ ...f, hash: hashToHex(flipBits(hexToHash(f.hash), 0, bits, rng(seed + i))) }));
}

describe('matchVideoHashes', () => {
  const original = video(20, 1);

  it('scores a copy with every frame a few bits off as a full match both ways', () => {
    const r = matchVideoHashes(copyOf(original, 12, 7), original);
    assert.deepEqual(
      [r.queryFrames, r.queryMatched, r.targetFrames, r.targetMatched, r.matched],
      [20, 20, 20, 20, true],
      'all 20 frames match',
    );
  });

  it('scores a clip of the middle as a match that covers part of the target', () => {
    const clip = copyOf(original.slice(5, 11), 8, 3);
    const r = matchVideoHashes(clip, original);
    assert.equal(r.queryShare, 1, 'every clip frame is in the original');
    assert.equal(r.targetShare, 6 / 20, 'the clip covers 6 of 20 frames');
    assert.equal(r.matched, true, 'the default target threshold is 0');
    assert.equal(matchVideoHashes(clip, original, { targetThreshold: 0.5 }).matched, false, 'unless half is asked for');
  });

  it('does not match unrelated frames, nor frames just past the distance', () => {
    assert.equal(matchVideoHashes(video(20, 2), original).queryMatched, 0, 'random hashes are ~128 bits apart');
    const far = copyOf(original, 40, 9);
    assert.equal(matchVideoHashes(far, original).matched, false, '40 bits off is past 31');
    assert.equal(matchVideoHashes(far, original, { maxDistance: 40 }).matched, true, 'unless the distance allows 40');
  });

  it('needs the query threshold on the query side: 3 of 4 frames is under 80%', () => {
    const mixed = [...copyOf(original.slice(0, 3), 4, 1), ...video(1, 5)];
    const r = matchVideoHashes(mixed, original);
    assert.equal(r.queryShare, 0.75);
    assert.equal(r.matched, false, '0.75 < 0.8');
    assert.equal(
      matchVideoHashes(mixed, original, { queryThreshold: 0.75 }).matched,
      true,
      'a threshold of 0.75 accepts it',
    );
  });

  it('leaves out frames below the quality floor, and counts exact repeats once', () => {
    const blank = video(5, 11, 10);
    const repeated = [...original.slice(0, 4), ...original.slice(0, 4)];
    const r = matchVideoHashes([...repeated, ...blank], original);
    assert.equal(r.queryFrames, 4, 'four distinct usable frames (repeats and low-quality frames dropped)');
    assert.equal(r.matched, true);
    assert.equal(usableFrames(blank).length, 0, 'quality 10 is under 50');
    assert.equal(matchVideoHashes(blank, blank).matched, false, 'a video of only unusable frames matches nothing');
  });

  it('refuses out-of-range options, naming the option', () => {
    assert.throws(() => videoMatchOptions({ queryThreshold: 1.5 }), /queryThreshold must be a number from 0 to 1/);
    assert.throws(() => videoMatchOptions({ maxDistance: 3.5 }), /maxDistance must be an integer/);
    assert.deepEqual(videoMatchOptions({ minQuality: undefined }).minQuality, 50, 'undefined keeps the default');
  });
});

describe('the vPDQ text layout', () => {
  it('round-trips frames through frame,quality,hash,timestamp lines', () => {
    const frames = video(3, 4).map((f, i) => ({ ...f, timestamp: i * 0.5, quality: 90 + i }));
    const text = formatVpdq(frames);
    assert.match(text.split('\n')[1]!, /^1,91,[0-9a-f]{64},0\.500$/);
    assert.deepEqual(parseVpdq(`# a comment\n\n${text}`), frames);
  });

  it('names the line and the problem of a malformed list', () => {
    const good = formatVpdq(video(1, 4));
    const cases: [string, RegExp][] = [
      ['1,100,abc,0.0', /list\.vpdq:2: hash is not 64 hex digits/],
      [`1,101,${'a'.repeat(64)},0`, /quality "101" is not a whole number from 0 to 100/],
      [`1,100,${'a'.repeat(64)}`, /expected 4 fields/],
      [`x,100,${'a'.repeat(64)},0`, /frame number "x"/],
      [`1,100,${'a'.repeat(64)},-2`, /timestamp "-2" is not a number of seconds/],
    ];
    for (const [line, message] of cases) {
      assert.throws(
        () => parseVpdq(`${good}${line}\n`, 'list.vpdq'),
        (err: unknown) => err instanceof VpdqParseError && message.test(err.message),
        `expected ${message} for ${line}`,
      );
    }
  });
});

describe('videos in hash banks', () => {
  it('writes and reads the frame metadata, and refuses an unsafe video id', () => {
    const meta = videoFrameMeta({ video: 'case-42.clip', timestamp: 3, frames: 17, note: 'list 9' });
    assert.equal(meta, 'vpdq:case-42.clip;t=3.000;frames=17;list 9');
    assert.deepEqual(parseVideoFrameMeta(meta), { video: 'case-42.clip', timestamp: 3, frames: 17, note: 'list 9' });
    assert.equal(parseVideoFrameMeta('case 42'), null, 'ordinary metadata is no video frame');
    assert.throws(() => videoFrameMeta({ video: 'a;frames=1', timestamp: 0, frames: 1 }), /video id/);
  });

  it('lists a video for a bank with its usable distinct frames and their count', () => {
    const frames = [...video(3, 8), ...video(1, 9, 20)];
    const lines = videoBankLines('v1', [...frames, frames[0]!]);
    assert.equal(lines.length, 3, 'the repeat and the low-quality frame are left out');
    assert.ok(
      lines.every((l) => /^pdq:[0-9a-f]{64},vpdq:v1;t=\d\.000;frames=3$/.test(l)),
      lines.join('\n'),
    );
  });

  it('scores bank hits per known video, both ways', () => {
    const hit = (video: string, frames: number, hash: string, distance = 3) => ({
      bank: 'known',
      hash,
      distance,
      meta: videoFrameMeta({ video, timestamp: 0, frames }),
    });
    // Query of 5 usable frames: 4 hit video "a" (of 8 frames), one of them also hits "b" (of 2 frames).
    const hits = [
      [hit('a', 8, '01')],
      [hit('a', 8, '02'), hit('a', 8, '05'), hit('b', 2, '10')], // two frames of a: still one query frame
      [hit('a', 8, '03')],
      [hit('a', 8, '03', 20)],
      [],
    ];
    const [a, b] = scoreVideoBankHits(5, hits);
    assert.deepEqual(
      [a!.video, a!.queryMatched, a!.targetMatched, a!.queryShare, a!.targetShare, a!.matched],
      ['a', 4, 4, 0.8, 4 / 8, true],
      'video a: 4 of 5 query frames, 4 distinct frames of 8',
    );
    assert.deepEqual([b!.video, b!.queryShare, b!.matched], ['b', 0.2, false], 'video b: 1 of 5 query frames');
    assert.deepEqual(
      scoreVideoBankHits(5, [[{ bank: 'k', hash: '01', distance: 0, meta: 'image 7' }]]),
      [],
      'image entries are no video',
    );
  });
});
