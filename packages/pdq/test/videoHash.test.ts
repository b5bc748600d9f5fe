// Video hashing through ffmpeg: copies of a video (re-encoded, resized, trimmed) match it, unrelated
// videos do not, and malformed or hostile files get an error with a code naming the problem.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleVideoFrames, sniffVideoContainer, VideoDecodeError } from '../src/videoDecode.ts';
import { hashVideoBuffer, hashVideoFile, type VideoHashes } from '../src/videoHash.ts';
import { matchVideoHashes } from '../src/vpdq.ts';
import { ffmpeg, ffmpegSkip, makePhotoVideos, patternVideo, SKIP_PHOTOS, type PhotoVideos } from './videoFixtures.ts';

const skip = await ffmpegSkip();

async function rejectsWith(p: Promise<unknown>, code: string, text: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof VideoDecodeError, `expected a VideoDecodeError, got ${String(err)}`);
    assert.equal(err.code, code, `expected code ${code}: ${err.message}`);
    assert.match(err.message, text);
    return true;
  });
}

describe('vPDQ of copies of a photo slideshow', { skip: skip ?? SKIP_PHOTOS }, () => {
  let v: PhotoVideos;
  const h = {} as Record<keyof Omit<PhotoVideos, 'dir'>, VideoHashes>;
  before(async () => {
    v = await makePhotoVideos();
    for (const key of ['original', 'reencoded', 'resized', 'trimmed', 'unrelated'] as const)
      h[key] = await hashVideoFile(v[key]);
  });
  after(async () => {
    if (v) await rm(v.dir, { recursive: true, force: true });
  });

  it('samples one frame a second and keeps each distinct hash once, with quality and timestamp', () => {
    const o = h.original;
    assert.equal(o.sampledFrames, 10, 'a 10-second video sampled at 1 frame a second');
    assert.ok(
      o.frames.length >= 5 && o.frames.length <= 10,
      `5 photos shown 2 s each give 5 to 10 distinct frames, got ${o.frames.length}`,
    );
    assert.ok(
      o.frames.every((f) => f.quality >= 50),
      `photos hash with usable quality: ${o.frames.map((f) => f.quality)}`,
    );
    assert.deepEqual(
      o.frames.map((f) => f.timestamp),
      o.frames.map((f) => f.frame),
      'at 1 frame a second the timestamp is the frame index',
    );
    assert.equal(o.container, 'mov');
    assert.match(o.sha256, /^[0-9a-f]{64}$/);
  });

  it('matches the re-encoded copy both ways, every frame', () => {
    const r = matchVideoHashes(h.reencoded.frames, h.original.frames);
    assert.ok(r.matched, `the re-encoded copy should match: ${JSON.stringify(r)}`);
    assert.ok(r.queryShare === 1 && r.targetShare === 1, `all frames on both sides: ${JSON.stringify(r)}`);
  });

  it('matches the resized copy both ways (one finely detailed photo drifts past the distance at a quarter of the pixels)', () => {
    const r = matchVideoHashes(h.resized.frames, h.original.frames);
    assert.ok(r.matched, `the resized copy should match: ${JSON.stringify(r)}`);
    assert.ok(
      r.queryShare >= 0.8 && r.targetShare >= 0.8,
      `at least 4 of 5 photos on both sides: ${JSON.stringify(r)}`,
    );
  });

  it('matches the trimmed copy: all of its frames are in the original, which it covers in part', () => {
    const r = matchVideoHashes(h.trimmed.frames, h.original.frames);
    assert.ok(r.matched, `the trimmed copy should match: ${JSON.stringify(r)}`);
    assert.equal(r.queryShare, 1, 'every frame of the clip is in the original');
    assert.ok(r.targetShare > 0.4 && r.targetShare < 0.9, `3 of 5 photos of the original: ${r.targetShare}`);
    const needWhole = matchVideoHashes(h.trimmed.frames, h.original.frames, { targetThreshold: 0.9 });
    assert.equal(needWhole.matched, false, 'a target threshold of 0.9 asks for (nearly) the whole original');
  });

  it('does not match an unrelated slideshow in either direction', () => {
    for (const [q, t] of [
      ['unrelated', 'original'],
      ['original', 'unrelated'],
      ['trimmed', 'unrelated'],
    ] as const) {
      const r = matchVideoHashes(h[q].frames, h[t].frames);
      assert.equal(r.matched, false, `${q} against ${t}: ${JSON.stringify(r)}`);
      assert.ok(r.queryShare <= 0.2, `${q} against ${t}: query share ${r.queryShare}`);
    }
  });

  it('hashes bytes held in memory the same as the file, leaving no temporary file behind', async () => {
    const bytes = await readFile(v.resized);
    const scratch = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    const leftovers = async () => (await readdir(scratch)).filter((n) => n.startsWith('lifeguard-video-')).sort();
    const before = await leftovers();
    const fromBuffer = await hashVideoBuffer(bytes, { name: 'upload' });
    assert.deepEqual(fromBuffer.frames, h.resized.frames, 'same frames from the buffer');
    assert.equal(fromBuffer.source, 'upload');
    assert.equal(fromBuffer.sha256, h.resized.sha256);
    assert.deepEqual(await leftovers(), before, `no temporary directory left in ${scratch}`);
  });
});

describe('video decoding limits and hostile files', { skip }, () => {
  let dir: string;
  let pattern: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifeguard-video-limits-'));
    pattern = await patternVideo('testsrc2', 12, join(dir, 'pattern.mp4'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('recognises containers from their first bytes', async () => {
    assert.equal(sniffVideoContainer(await readFile(pattern)), 'mov');
    assert.equal(sniffVideoContainer(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0, 0, 0, 0])), 'matroska');
    assert.equal(sniffVideoContainer(Buffer.from('#EXTM3U\n#EXT-X-VERSION:3\n')), null, 'a playlist is no video');
  });

  it('refuses an empty file, a text file and a playlist without running ffmpeg on them', async () => {
    const empty = join(dir, 'empty.mp4');
    await writeFile(empty, '');
    await rejectsWith(hashVideoFile(empty), 'empty', /empty/);
    const text = join(dir, 'notes.mp4');
    await writeFile(text, 'not a video, just some words in a file with a video name\n'.repeat(20));
    await rejectsWith(hashVideoFile(text), 'unsupported', /not a supported video/);
    // A playlist naming a local file: ffmpeg would read /etc/hostname if it followed it.
    const playlist = join(dir, 'list.mp4');
    await writeFile(playlist, '#EXTM3U\n#EXTINF:1,\nfile:///etc/hostname\n#EXT-X-ENDLIST\n');
    await rejectsWith(hashVideoFile(playlist), 'unsupported', /not a supported video/);
  });

  it('calls a truncated MP4 corrupt', async () => {
    const whole = await readFile(pattern);
    const cut = join(dir, 'cut.mp4');
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 3)));
    await rejectsWith(hashVideoFile(cut), 'corrupt', /corrupt|truncated|no frame/);
  });

  it('refuses a video longer than the limit before decoding it', async () => {
    await rejectsWith(
      hashVideoFile(pattern, { maxDurationSeconds: 5 }),
      'too_long',
      /12\.0 s long, over the 5-second limit/,
    );
  });

  it('refuses frames with more pixels than the limit, and files over the byte limit', async () => {
    await rejectsWith(hashVideoFile(pattern, { maxFramePixels: 320 * 200 }), 'too_large', /320x240 = 76800 pixels/);
    await rejectsWith(hashVideoFile(pattern, { maxInputBytes: 1000 }), 'too_large', /over the 1000-byte limit/);
  });

  it('stops at the frame limit and says the video was cut short', async () => {
    const r = await hashVideoFile(pattern, { maxFrames: 4 });
    assert.equal(r.sampledFrames, 4, 'four frames sampled');
    assert.equal(r.truncated, true, 'cut short');
    const whole = await hashVideoFile(pattern, { maxFrames: 12 });
    assert.equal(whole.truncated, false, 'exactly at the limit is not cut short');
    assert.equal(whole.sampledFrames, 12);
  });

  it('refuses a file with sound but no picture', async () => {
    const audio = join(dir, 'tone.mp4');
    await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'aac', audio]);
    await rejectsWith(hashVideoFile(audio), 'no_video', /no video stream/);
  });

  it('says how to install ffmpeg when it is missing', async () => {
    const missing = join(dir, 'no-such-ffmpeg');
    await rejectsWith(
      hashVideoFile(pattern, { ffmpegPath: missing, ffprobePath: missing }),
      'ffmpeg_missing',
      /apt-get install -y ffmpeg/,
    );
  });

  it('kills ffmpeg at the time limit', async () => {
    const frames: number[] = [];
    await rejectsWith(
      sampleVideoFrames(pattern, { timeoutSeconds: 1 }, async (f) => {
        frames.push(f.index);
        await new Promise((resolve) => setTimeout(resolve, 400)); // a consumer slower than the limit
      }),
      'timeout',
      /took over 1 s/,
    );
    assert.ok(frames.length < 12, `stopped before the end (${frames.length} frames)`);
  });

  it('samples more frames a second when asked', async () => {
    const r = await hashVideoFile(pattern, { framesPerSecond: 2 });
    assert.equal(r.sampledFrames, 24, '12 s at 2 frames a second');
    assert.ok(
      r.frames.some((f) => f.timestamp === 0.5),
      'half-second timestamps',
    );
  });

  it('tells a pattern video from an unrelated one', async () => {
    const other = await patternVideo('mandelbrot', 6, join(dir, 'other.mp4'));
    const a = await hashVideoFile(pattern);
    const b = await hashVideoFile(other);
    assert.equal(matchVideoHashes(b.frames, a.frames).matched, false, 'mandelbrot is not testsrc2');
    assert.equal(matchVideoHashes(a.frames, a.frames).matched, true, 'a video matches itself');
  });
});
