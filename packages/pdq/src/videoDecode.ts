// Video frame sampling through ffmpeg (Debian's `ffmpeg` package), for vPDQ. Node only.
//
// ffmpeg runs as a child process, so decoding never holds the event loop; frames come back over a
// pipe as raw RGB, a fixed square each, and are handed out one at a time (the pipe's back-pressure
// keeps at most a few frames in memory). Nothing is written but the file the caller gives.
//
// Hostile input: the container is recognised from its first bytes and ffmpeg is told which demuxer
// to use, so a playlist or concat script dressed as a video is never followed; only the `file`
// protocol is allowed. The header is read first (ffprobe) and videos that declare too long a
// duration or too many pixels a frame are refused before decoding; `-t` and `-frames:v` bound the
// decode even when the header lies, and a wall-clock timeout kills ffmpeg outright.

import { spawn } from 'node:child_process';
import { open, stat } from 'node:fs/promises';

export const FFMPEG_INSTALL_HINT = 'install ffmpeg (Debian or Ubuntu: sudo apt-get install -y ffmpeg)';

export const DEFAULT_VIDEO_LIMITS = {
  /** Largest file, in bytes. */
  maxInputBytes: 512 * 1024 * 1024,
  /** Longest video, in seconds (refused before decoding when the header says so). */
  maxDurationSeconds: 3600,
  /** Most frames sampled (a backstop for headers that lie about the duration). */
  maxFrames: 3600,
  /** Most pixels a frame may declare. */
  maxFramePixels: 8192 * 8192,
  /** Wall-clock limit for ffmpeg, in seconds. */
  timeoutSeconds: 300,
};

/** Sampled frames are scaled to this square before hashing (PDQ works on a 64x64 reduction). */
export const DEFAULT_FRAME_SIZE = 256;
export const DEFAULT_FRAMES_PER_SECOND = 1;

export type VideoDecodeErrorCode =
  | 'ffmpeg_missing'
  | 'empty'
  | 'unsupported'
  | 'no_video'
  | 'too_large'
  | 'too_long'
  | 'corrupt'
  | 'timeout'
  | 'unreadable';

export class VideoDecodeError extends Error {
  readonly code: VideoDecodeErrorCode;
  readonly source: string;
  constructor(code: VideoDecodeErrorCode, source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'VideoDecodeError';
    this.code = code;
    this.source = source;
  }
}

export interface VideoDecodeOptions {
  /** Frames sampled per second of video (default 1). */
  framesPerSecond?: number;
  maxInputBytes?: number;
  maxDurationSeconds?: number;
  maxFrames?: number;
  maxFramePixels?: number;
  timeoutSeconds?: number;
  /** Side of the square each frame is scaled to (default 256). */
  frameSize?: number;
  /** Decoder threads ffmpeg may use (default 1: several uploads share the machine). */
  threads?: number;
  /** Name used in error messages (a file path). Default "video". */
  name?: string;
  /** Paths of the tools (default: `ffmpeg` and `ffprobe` on PATH, or $LIFEGUARD_FFMPEG / $LIFEGUARD_FFPROBE). */
  ffmpegPath?: string;
  ffprobePath?: string;
}

/** What the header says, checked against the limits before any frame is decoded. */
export interface VideoInfo {
  /** The demuxer chosen from the file's first bytes (mov covers MP4, MOV and 3GP). */
  container: VideoContainer;
  codec: string;
  width: number;
  height: number;
  /** Null when the container does not say (some streams have no duration). */
  durationSeconds: number | null;
}

export interface SampledFrame {
  /** 0-based index among sampled frames. */
  index: number;
  /** Seconds from the start: index / framesPerSecond. */
  timestamp: number;
  /** size x size RGB pixels, 3 bytes each. Reused: copy it to keep it. */
  pixels: Uint8Array;
  size: number;
}

export type VideoContainer = 'mov' | 'matroska' | 'avi' | 'mpegts' | 'flv' | 'ogg';

/** The container a file is, from its first bytes; null when it is none we decode. */
export function sniffVideoContainer(head: Uint8Array): VideoContainer | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (head.length >= 12) {
    const box = ascii(4, 8);
    if (box === 'ftyp' || box === 'moov' || box === 'mdat' || box === 'wide' || box === 'free' || box === 'skip')
      return 'mov';
    if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'AVI ') return 'avi';
  }
  if (head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3)
    return 'matroska';
  if (head.length >= 4 && ascii(0, 4) === 'OggS') return 'ogg';
  if (head.length >= 3 && ascii(0, 3) === 'FLV') return 'flv';
  if (head.length >= 377 && head[0] === 0x47 && head[188] === 0x47 && head[376] === 0x47) return 'mpegts';
  return null;
}

/** True when the first bytes are a video container we decode (used to route files to the video hasher). */
export function looksLikeVideo(head: Uint8Array): boolean {
  return sniffVideoContainer(head) !== null;
}

function tool(options: VideoDecodeOptions, which: 'ffmpeg' | 'ffprobe'): string {
  if (which === 'ffmpeg') return options.ffmpegPath ?? process.env.LIFEGUARD_FFMPEG ?? 'ffmpeg';
  return options.ffprobePath ?? process.env.LIFEGUARD_FFPROBE ?? 'ffprobe';
}

let availability: Promise<string | null> | undefined;

/**
 * Null when ffmpeg and ffprobe both run, else why not (with the install command). Checked once per
 * process for the default tools.
 */
export function ffmpegUnavailable(options: VideoDecodeOptions = {}): Promise<string | null> {
  const custom = options.ffmpegPath !== undefined || options.ffprobePath !== undefined;
  if (!custom && availability) return availability;
  const check = (async () => {
    for (const which of ['ffmpeg', 'ffprobe'] as const) {
      const path = tool(options, which);
      const ok = await new Promise<boolean>((resolve) => {
        const child = spawn(path, ['-version'], { stdio: 'ignore' });
        child.on('error', () => resolve(false));
        child.on('close', (code) => resolve(code === 0));
      });
      if (!ok) return `${which} is not installed or does not run (${path}): ${FFMPEG_INSTALL_HINT}`;
    }
    return null;
  })();
  if (!custom) availability = check;
  return check;
}

interface Limits {
  framesPerSecond: number;
  maxInputBytes: number;
  maxDurationSeconds: number;
  maxFrames: number;
  maxFramePixels: number;
  timeoutSeconds: number;
  frameSize: number;
  threads: number;
  name: string;
}

function limitsOf(options: VideoDecodeOptions): Limits {
  const l: Limits = {
    framesPerSecond: options.framesPerSecond ?? DEFAULT_FRAMES_PER_SECOND,
    maxInputBytes: options.maxInputBytes ?? DEFAULT_VIDEO_LIMITS.maxInputBytes,
    maxDurationSeconds: options.maxDurationSeconds ?? DEFAULT_VIDEO_LIMITS.maxDurationSeconds,
    maxFrames: options.maxFrames ?? DEFAULT_VIDEO_LIMITS.maxFrames,
    maxFramePixels: options.maxFramePixels ?? DEFAULT_VIDEO_LIMITS.maxFramePixels,
    timeoutSeconds: options.timeoutSeconds ?? DEFAULT_VIDEO_LIMITS.timeoutSeconds,
    frameSize: options.frameSize ?? DEFAULT_FRAME_SIZE,
    threads: options.threads ?? 1,
    name: options.name ?? 'video',
  };
  const check = (name: string, value: number, min: number, max: number) => {
    if (!Number.isFinite(value) || value < min || value > max)
      throw new RangeError(`${name} must be from ${min} to ${max}`);
  };
  check('framesPerSecond', l.framesPerSecond, 0.01, 60);
  check('maxDurationSeconds', l.maxDurationSeconds, 1, 7 * 24 * 3600);
  check('maxFrames', l.maxFrames, 1, 1_000_000);
  check('frameSize', l.frameSize, 16, 2048);
  check('threads', l.threads, 1, 64);
  check('timeoutSeconds', l.timeoutSeconds, 1, 24 * 3600);
  return l;
}

/** Checks the file (size, container) and reads its header with ffprobe. */
export async function probeVideoFile(path: string, options: VideoDecodeOptions = {}): Promise<VideoInfo> {
  const l = limitsOf(options);
  const container = await checkFile(path, l);
  const args = [
    '-v',
    'error',
    '-protocol_whitelist',
    'file',
    '-f',
    container,
    '-select_streams',
    'v:0',
    '-show_entries',
    'format=duration:stream=codec_type,codec_name,width,height,duration',
    '-of',
    'json',
    '-i',
    path,
  ];
  const { code, stdout, stderr, timedOut } = await runTool(tool(options, 'ffprobe'), args, l, 'ffprobe');
  if (timedOut) throw new VideoDecodeError('timeout', l.name, `reading the header took over ${l.timeoutSeconds} s`);
  if (code !== 0) {
    const why = firstLine(stderr.replaceAll(path, ''));
    throw new VideoDecodeError(
      'corrupt',
      l.name,
      `the ${containerName(container)} file is truncated or corrupt (${why})`,
    );
  }
  let parsed: {
    streams?: { codec_name?: string; width?: number; height?: number; duration?: string }[];
    format?: { duration?: string };
  };
  try {
    parsed = JSON.parse(stdout.toString('utf8'));
  } catch {
    throw new VideoDecodeError('corrupt', l.name, 'the header could not be read');
  }
  const stream = parsed.streams?.[0];
  if (!stream)
    throw new VideoDecodeError('no_video', l.name, `the ${containerName(container)} file has no video stream`);
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  if (!(width > 0 && height > 0))
    throw new VideoDecodeError('corrupt', l.name, `the video stream declares no frame size (${width}x${height})`);
  if (width * height > l.maxFramePixels) {
    throw new VideoDecodeError(
      'too_large',
      l.name,
      `frames are ${width}x${height} = ${width * height} pixels, over the ${l.maxFramePixels}-pixel limit (refused before decoding)`,
    );
  }
  const durations = [parsed.format?.duration, stream.duration].map(Number).filter((d) => Number.isFinite(d) && d >= 0);
  const durationSeconds = durations.length > 0 ? Math.max(...durations) : null;
  if (durationSeconds !== null && durationSeconds > l.maxDurationSeconds) {
    throw new VideoDecodeError(
      'too_long',
      l.name,
      `the video is ${durationSeconds.toFixed(1)} s long, over the ${l.maxDurationSeconds}-second limit (refused before decoding)`,
    );
  }
  return { container, codec: stream.codec_name ?? 'unknown', width, height, durationSeconds };
}

/**
 * Samples frames from a video file: probes it, then decodes framesPerSecond frames a second, each
 * scaled to a frameSize square, and hands them to `onFrame` one at a time (awaited, so a slow
 * consumer slows ffmpeg down rather than piling frames up). Returns the header and whether the
 * frame limit cut the video short.
 */
export async function sampleVideoFrames(
  path: string,
  options: VideoDecodeOptions,
  onFrame: (frame: SampledFrame) => Promise<void> | void,
): Promise<{ info: VideoInfo; frames: number; truncated: boolean }> {
  const l = limitsOf(options);
  const info = await probeVideoFile(path, options);
  const size = l.frameSize;
  const frameBytes = size * size * 3;
  const args = [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-threads',
    String(l.threads),
    '-protocol_whitelist',
    'file',
    '-f',
    info.container,
    '-t',
    String(l.maxDurationSeconds),
    '-i',
    path,
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    '-vf',
    `fps=${l.framesPerSecond},scale=${size}:${size}:flags=area,format=rgb24`,
    '-frames:v',
    String(l.maxFrames + 1), // one more than allowed tells "cut short" from "exactly at the limit"
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
  const child = spawnTool(tool(options, 'ffmpeg'), args);
  const stderr = boundedCollector();
  child.stderr!.on('data', stderr.add);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, l.timeoutSeconds * 1000);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  exited.catch(() => {}); // observed below; keeps an early spawn error from going unhandled
  const frame = new Uint8Array(frameBytes);
  let filled = 0;
  let frames = 0;
  let truncated = false;
  try {
    for await (const chunk of child.stdout! as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(frameBytes - filled, chunk.length - offset);
        frame.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled < frameBytes) continue;
        filled = 0;
        if (frames >= l.maxFrames) {
          truncated = true;
          child.kill('SIGKILL');
          break;
        }
        await onFrame({ index: frames, timestamp: frames / l.framesPerSecond, pixels: frame, size });
        frames++;
      }
      if (truncated) break;
    }
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    clearTimeout(timer);
  }
  const code = await exited.catch((err: unknown) => {
    throw spawnError(err, l.name, 'ffmpeg', tool(options, 'ffmpeg'));
  });
  if (timedOut) throw new VideoDecodeError('timeout', l.name, `decoding took over ${l.timeoutSeconds} s (stopped)`);
  if (!truncated && code !== 0)
    throw new VideoDecodeError(
      'corrupt',
      l.name,
      `the video data is truncated or corrupt (${firstLine(stderr.text().replaceAll(path, ''))})`,
    );
  if (frames === 0) throw new VideoDecodeError('corrupt', l.name, 'no frame could be decoded from the video');
  return { info, frames, truncated };
}

async function checkFile(path: string, l: Limits): Promise<VideoContainer> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new VideoDecodeError('unreadable', l.name, 'not a regular file');
    size = info.size;
  } catch (err) {
    if (err instanceof VideoDecodeError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new VideoDecodeError(
      'unreadable',
      l.name,
      code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(err)})`,
    );
  }
  if (size === 0) throw new VideoDecodeError('empty', l.name, 'file is empty');
  if (size > l.maxInputBytes)
    throw new VideoDecodeError('too_large', l.name, `file is ${size} bytes, over the ${l.maxInputBytes}-byte limit`);
  const head = new Uint8Array(512);
  const handle = await open(path, 'r');
  let read: number;
  try {
    ({ bytesRead: read } = await handle.read(head, 0, head.length, 0));
  } finally {
    await handle.close();
  }
  const container = sniffVideoContainer(head.subarray(0, read));
  if (!container) {
    throw new VideoDecodeError(
      'unsupported',
      l.name,
      'not a supported video (MP4/MOV, WebM/Matroska, AVI, MPEG-TS, FLV or Ogg, recognised by their first bytes)',
    );
  }
  return container;
}

function containerName(c: VideoContainer): string {
  return { mov: 'MP4/MOV', matroska: 'WebM/Matroska', avi: 'AVI', mpegts: 'MPEG-TS', flv: 'FLV', ogg: 'Ogg' }[c];
}

/** Spawn errors (ENOENT) arrive as an 'error' event; callers turn them into ffmpeg_missing. */
function spawnTool(path: string, args: string[]) {
  return spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

function spawnError(err: unknown, name: string, which: string, path: string): VideoDecodeError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES')
    return new VideoDecodeError(
      'ffmpeg_missing',
      name,
      `${which} is not installed (${path} not found): ${FFMPEG_INSTALL_HINT}`,
    );
  return new VideoDecodeError('unreadable', name, `${which} could not be started (${code ?? String(err)})`);
}

async function runTool(
  path: string,
  args: string[],
  l: Limits,
  which: string,
): Promise<{ code: number | null; stdout: Buffer; stderr: string; timedOut: boolean }> {
  const child = spawnTool(path, args);
  const out: Buffer[] = [];
  let outBytes = 0;
  const stderr = boundedCollector();
  child.stdout!.on('data', (c: Buffer) => {
    outBytes += c.length;
    if (outBytes <= 1024 * 1024) out.push(c);
    else child.kill('SIGKILL'); // a header report is small; anything larger is not one
  });
  child.stderr!.on('data', stderr.add);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, l.timeoutSeconds * 1000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c) => resolve(c));
    });
    return { code, stdout: Buffer.concat(out), stderr: stderr.text(), timedOut };
  } catch (err) {
    throw spawnError(err, l.name, which, path);
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps the first 4 KB of a tool's messages (enough for the reason; never frame data). */
function boundedCollector(): { add: (c: Buffer) => void; text: () => string } {
  const parts: Buffer[] = [];
  let bytes = 0;
  return {
    add: (c: Buffer) => {
      if (bytes >= 4096) return;
      parts.push(c.subarray(0, 4096 - bytes));
      bytes += Math.min(c.length, 4096 - bytes);
    },
    text: () => Buffer.concat(parts).toString('utf8'),
  };
}

/** The last meaningful line of a tool's message, without the file path and control characters. */
function firstLine(text: string): string {
  const lines = text
    .split('\n')
    .map((s) =>
      s
        .replace(/[\u0000-\u001f\u007f]/g, ' ')
        .replace(/^[:\s]+/, '')
        .trim(),
    )
    .filter(Boolean);
  const line = lines[lines.length - 1] ?? 'no details';
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}
