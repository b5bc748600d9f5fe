// Test videos made with ffmpeg: slideshows of the ordinary reference photos in ../shared (two unrelated
// sets), and copies of the first one re-encoded, resized and trimmed; plus pattern videos from ffmpeg's
// own test sources for machines without the shared photos. Also: the skip for machines without ffmpeg.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { environmentSkip } from '@lifeguard/storage/testing';
import { ffmpegUnavailable } from '../src/videoDecode.ts';
import { imagePath } from './helpers.ts';

const run = promisify(execFile);

/** The skip option for tests that need ffmpeg (a failing test under LIFEGUARD_REQUIRE_ALL=1). */
export async function ffmpegSkip(): Promise<string | undefined> {
  return environmentSkip('ffmpeg', await ffmpegUnavailable());
}

export async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
}

// Photos of usable PDQ quality, all more than 100 bits apart (two of the labelme photos are near blank).
const SLIDES_A = [
  'images/labelme-subset/q0122.jpg',
  'images/labelme-subset/q0291.jpg',
  'images/labelme-subset/q0746.jpg',
  'images/misc/wee.jpg',
  'images/exif-rotn/exif-rotn-1.jpg',
];
const SLIDES_B = [
  'images/labelme-subset/q1050.jpg',
  'images/labelme-subset/q2821.jpg',
  'images/bridge-mods/aaa-orig.jpg',
  'images/misc/pen-and-coaster.png',
  'images/misc/c.png',
];

export const HAVE_PHOTOS = [...SLIDES_A, ...SLIDES_B].every((p) => existsSync(imagePath(p)));
export const SKIP_PHOTOS = HAVE_PHOTOS
  ? undefined
  : 'shared PDQ test photos (../shared/testdata/pdq/images) are absent';

/** Seconds each photo is shown. */
export const SLIDE_SECONDS = 2;

/** A slideshow of the photos, SLIDE_SECONDS each, 320x240 H.264 at 25 frames a second. */
export async function slideshow(photos: readonly string[], out: string): Promise<string> {
  const inputs = photos.flatMap((p) => ['-loop', '1', '-t', String(SLIDE_SECONDS), '-i', imagePath(p)]);
  const scaled = photos.map((_, i) => `[${i}:v]scale=320:240,setsar=1,fps=25[v${i}]`).join(';');
  const joined = `${photos.map((_, i) => `[v${i}]`).join('')}concat=n=${photos.length}:v=1:a=0,format=yuv420p[out]`;
  await ffmpeg([
    ...inputs,
    '-filter_complex',
    `${scaled};${joined}`,
    '-map',
    '[out]',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    out,
  ]);
  return out;
}

export interface PhotoVideos {
  dir: string;
  original: string;
  /** The original as WebM (VP8) at a low bit rate. */
  reencoded: string;
  /** The original at a quarter of the pixels, strongly compressed. */
  resized: string;
  /** Seconds 2 to 8 of the original (three of its five photos). */
  trimmed: string;
  /** A slideshow of other photos. */
  unrelated: string;
}

export async function makePhotoVideos(): Promise<PhotoVideos> {
  const dir = await mkdtemp(join(tmpdir(), 'lifeguard-video-test-'));
  const original = await slideshow(SLIDES_A, join(dir, 'original.mp4'));
  const reencoded = join(dir, 'reencoded.webm');
  const resized = join(dir, 'resized.mp4');
  const trimmed = join(dir, 'trimmed.mp4');
  await ffmpeg([
    '-i',
    original,
    '-c:v',
    'libvpx',
    '-b:v',
    '200k',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    reencoded,
  ]);
  await ffmpeg([
    '-i',
    original,
    '-vf',
    'scale=160:120',
    '-c:v',
    'libx264',
    '-crf',
    '32',
    '-preset',
    'veryfast',
    resized,
  ]);
  await ffmpeg(['-ss', '2', '-t', '6', '-i', original, '-c:v', 'libx264', '-preset', 'veryfast', trimmed]);
  const unrelated = await slideshow(SLIDES_B, join(dir, 'unrelated.mp4'));
  return { dir, original, reencoded, resized, trimmed, unrelated };
}

/** A video from one of ffmpeg's test sources (testsrc2, mandelbrot, ...). */
export async function patternVideo(
  source: string,
  seconds: number,
  out: string,
  extra: string[] = [],
): Promise<string> {
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `${source}=size=320x240:rate=25`,
    '-t',
    String(seconds),
    ...extra,
    '-pix_fmt',
    'yuv420p',
    out,
  ]);
  return out;
}
