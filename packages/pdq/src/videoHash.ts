// Video -> vPDQ: a PDQ hash and quality for each sampled frame (exact repeats kept once), with MD5
// and SHA-256 of the file for exact lists. Node only (ffmpeg through videoDecode.ts).
//
// Bytes held in memory (an upload) are written to a private temporary file for ffmpeg, which needs
// to seek in MP4s, and the file is removed as soon as the frames are read; /dev/shm (memory) is used
// where it exists, so the video does not reach a disk. Frames are never kept: each is hashed and dropped.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashToHex } from './hex.ts';
import { PdqHasher } from './pdq.ts';
import {
  DEFAULT_VIDEO_LIMITS,
  sampleVideoFrames,
  VideoDecodeError,
  type VideoDecodeOptions,
  type VideoInfo,
} from './videoDecode.ts';
import type { VideoFrameHash } from './vpdq.ts';

export interface VideoHashes {
  source: string;
  bytes: number;
  md5: string;
  sha256: string;
  container: string;
  codec: string;
  width: number;
  height: number;
  durationSeconds: number | null;
  framesPerSecond: number;
  /** Frames sampled from the video. */
  sampledFrames: number;
  /** One entry per distinct hash, in order of first appearance. */
  frames: VideoFrameHash[];
  /** True when the frame limit stopped sampling before the end. */
  truncated: boolean;
}

export interface HashVideoOptions extends VideoDecodeOptions {
  /** Reuse one hasher across calls. */
  hasher?: PdqHasher;
  /** Give other work a turn between frames (default true: the service hashes on its event loop). */
  yieldBetweenFrames?: boolean;
}

export async function hashVideoFile(path: string, options: HashVideoOptions = {}): Promise<VideoHashes> {
  const name = options.name ?? path;
  const hasher = options.hasher ?? new PdqHasher();
  const yieldBetween = options.yieldBetweenFrames ?? true;
  const frames: VideoFrameHash[] = [];
  const seen = new Set<string>();
  const sampled: { info: VideoInfo; frames: number; truncated: boolean } = await sampleVideoFrames(
    path,
    { ...options, name },
    async (frame) => {
      const r = hasher.hashPixels(frame.pixels, frame.size, frame.size, 3);
      const hash = hashToHex(r.hash);
      if (!seen.has(hash)) {
        seen.add(hash);
        frames.push({ frame: frame.index, timestamp: frame.timestamp, hash, quality: r.quality });
      }
      if (yieldBetween) await new Promise<void>((resolve) => setImmediate(resolve));
    },
  );
  const digests = await fileDigests(path);
  return {
    source: name,
    bytes: digests.bytes,
    md5: digests.md5,
    sha256: digests.sha256,
    container: sampled.info.container,
    codec: sampled.info.codec,
    width: sampled.info.width,
    height: sampled.info.height,
    durationSeconds: sampled.info.durationSeconds,
    framesPerSecond: options.framesPerSecond ?? 1,
    sampledFrames: sampled.frames,
    frames,
    truncated: sampled.truncated,
  };
}

/** Hashes a video held in memory (see the note at the top on the temporary file). */
export async function hashVideoBuffer(bytes: Uint8Array, options: HashVideoOptions = {}): Promise<VideoHashes> {
  const name = options.name ?? 'video';
  if (bytes.length === 0) throw new VideoDecodeError('empty', name, 'file is empty');
  const maxBytes = options.maxInputBytes ?? DEFAULT_VIDEO_LIMITS.maxInputBytes;
  if (bytes.length > maxBytes)
    throw new VideoDecodeError('too_large', name, `file is ${bytes.length} bytes, over the ${maxBytes}-byte limit`);
  const dir = await mkdtemp(join(await scratchRoot(), 'lifeguard-video-'));
  const path = join(dir, 'upload');
  try {
    await writeFile(path, bytes, { mode: 0o600 });
    return { ...(await hashVideoFile(path, { ...options, name })), source: name };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function scratchRoot(): Promise<string> {
  try {
    const probe = await mkdtemp('/dev/shm/lifeguard-probe-');
    await rm(probe, { recursive: true, force: true });
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

async function fileDigests(path: string): Promise<{ bytes: number; md5: string; sha256: string }> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    md5.update(chunk);
    sha256.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, md5: md5.digest('hex'), sha256: sha256.digest('hex') };
}
