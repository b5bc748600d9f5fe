// CLI commands for video (vPDQ), registered next to the image commands:
//
//   lifeguard hash VIDEO...                        (videos are recognised by their first bytes)
//   lifeguard video hash VIDEO... [--bank-list ID]  vPDQ lines: frame,quality,hash,timestamp
//   lifeguard video match QUERY [TARGET...]         against videos or vPDQ lists, else the banks
//
// Output never includes frames: hashes, qualities, timestamps, shares and bank names only.

import { open, readFile, stat } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { BankError, type BankRegistry } from './bank.ts';
import { hexToHash } from './hex.ts';
import { PdqHasher } from './pdq.ts';
import { looksLikeVideo, VideoDecodeError, type VideoDecodeOptions } from './videoDecode.ts';
import { hashVideoFile, type VideoHashes } from './videoHash.ts';
import {
  formatVpdq,
  isVideoId,
  matchVideoHashes,
  parseVpdq,
  scoreVideoBankHits,
  usableFrames,
  videoBankLines,
  videoMatchOptions,
  VpdqParseError,
  type FrameBankHit,
  type VideoFrameHash,
  type VideoMatchOptions,
} from './vpdq.ts';

export interface VideoCliContext {
  abs: (path: string) => string;
  out: (cmd: Command, line: string) => void;
  err: (cmd: Command, line: string) => void;
  fail: (cmd: Command, message: string) => never;
  /** The enabled banks (or the named ones), loaded from the bank directory. */
  registry: (cmd: Command, names?: string[]) => Promise<BankRegistry>;
}

interface SamplingOptions {
  fps?: number;
  maxDuration?: number;
}

const MAX_VPDQ_LIST_BYTES = 64 * 1024 * 1024;

function numberOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}`);
    return n;
  };
}

function decodeOptions(opts: SamplingOptions): VideoDecodeOptions {
  const o: VideoDecodeOptions = {};
  if (opts.fps !== undefined) o.framesPerSecond = opts.fps;
  if (opts.maxDuration !== undefined) o.maxDurationSeconds = opts.maxDuration;
  return o;
}

function addSamplingOptions(cmd: Command): Command {
  return cmd
    .option('--fps <n>', 'frames sampled per second of video (default 1)', numberOption('--fps', 0.01, 60))
    .option(
      '--max-duration <seconds>',
      'refuse videos longer than this (default 3600)',
      numberOption('--max-duration', 1, 7 * 24 * 3600),
    );
}

/** True when the file starts like a video container (so `hash` sends it to the video hasher). */
export async function isVideoFile(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'r');
    try {
      const head = new Uint8Array(512);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      return looksLikeVideo(head.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch {
    return false; // unreadable: the image path reports why
  }
}

function describeError(file: string, e: unknown): string {
  if (e instanceof VideoDecodeError) return `${file}: ${e.message.slice(e.source.length + 2)}`;
  return `${file}: ${(e as Error).message}`;
}

/**
 * `lifeguard hash` for videos: one line per distinct frame, "hash,quality,file,timestamp", or one
 * JSON object per video. Returns how many could not be hashed (already reported).
 */
export async function printVideoHashes(
  ctx: VideoCliContext,
  cmd: Command,
  files: string[],
  opts: { json?: boolean } & SamplingOptions,
): Promise<number> {
  const hasher = new PdqHasher();
  let failed = 0;
  for (const file of files) {
    let h: VideoHashes;
    try {
      h = await hashVideoFile(ctx.abs(file), { ...decodeOptions(opts), hasher, name: file, yieldBetweenFrames: false });
    } catch (e) {
      failed++;
      ctx.err(cmd, `error: ${describeError(file, e)}`);
      continue;
    }
    if (opts.json) ctx.out(cmd, JSON.stringify({ ...h, source: file, kind: 'video' }));
    else for (const f of h.frames) ctx.out(cmd, `${f.hash},${f.quality},${file},${f.timestamp.toFixed(3)}`);
    if (h.truncated) ctx.err(cmd, `note: ${file}: stopped at the frame limit (${h.sampledFrames} frames sampled)`);
  }
  return failed;
}

/** A video file is hashed; anything else is read as a vPDQ list. */
async function framesOf(
  ctx: VideoCliContext,
  cmd: Command,
  file: string,
  opts: SamplingOptions,
): Promise<VideoFrameHash[]> {
  const path = ctx.abs(file);
  if (await isVideoFile(path))
    return (await hashVideoFile(path, { ...decodeOptions(opts), name: file, yieldBetweenFrames: false })).frames;
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    ctx.fail(cmd, `${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(e)})`}`);
  }
  if (size > MAX_VPDQ_LIST_BYTES)
    ctx.fail(
      cmd,
      `${file}: ${size} bytes is neither a video we decode nor a vPDQ list (over ${MAX_VPDQ_LIST_BYTES} bytes)`,
    );
  const text = await readFile(path, 'utf8');
  try {
    return parseVpdq(text, file);
  } catch (e) {
    if (e instanceof VpdqParseError)
      ctx.fail(
        cmd,
        `${e.message} (the file is neither a video we decode nor a vPDQ list "frame,quality,hash,timestamp")`,
      );
    throw e;
  }
}

export function registerVideoCommands(program: Command, ctx: VideoCliContext): void {
  const video = program.command('video').description('video hashing and matching (vPDQ; needs ffmpeg)');

  addSamplingOptions(
    video
      .command('hash')
      .description('print the vPDQ hashes of videos: frame,quality,hash,timestamp per distinct sampled frame')
      .argument('<files...>', 'video files (MP4/MOV, WebM/Matroska, AVI, MPEG-TS, FLV, Ogg)')
      .option(
        '--bank-list <id>',
        'print the usable frames as a hash list for `lifeguard bank import`, naming the video ID',
      ),
  ).action(async (files: string[], opts: SamplingOptions & { bankList?: string }, cmd: Command) => {
    if (opts.bankList !== undefined && !isVideoId(opts.bankList))
      ctx.fail(cmd, "--bank-list needs a video id of 1-128 letters, digits, '.', '_', ':' or '-'");
    if (opts.bankList !== undefined && files.length > 1) ctx.fail(cmd, '--bank-list names one video: give one file');
    const hasher = new PdqHasher();
    let failed = 0;
    for (const file of files) {
      let h: VideoHashes;
      try {
        h = await hashVideoFile(ctx.abs(file), {
          ...decodeOptions(opts),
          hasher,
          name: file,
          yieldBetweenFrames: false,
        });
      } catch (e) {
        failed++;
        ctx.err(cmd, `error: ${describeError(file, e)}`);
        continue;
      }
      if (opts.bankList !== undefined) {
        const lines = videoBankLines(opts.bankList, h.frames);
        if (lines.length === 0)
          ctx.err(cmd, `note: ${file}: no frame has a usable quality (50 or more); nothing to list`);
        for (const line of lines) ctx.out(cmd, line);
      } else {
        if (files.length > 1) ctx.out(cmd, `# ${file}`);
        for (const line of formatVpdq(h.frames).trimEnd().split('\n')) if (line) ctx.out(cmd, line);
      }
      if (h.truncated) ctx.err(cmd, `note: ${file}: stopped at the frame limit (${h.sampledFrames} frames sampled)`);
    }
    if (failed > 0) ctx.fail(cmd, `${failed} of ${files.length} video(s) could not be hashed`);
  });

  addSamplingOptions(
    video
      .command('match')
      .description(
        'match a video against other videos or vPDQ lists, or (with no targets) against the hash banks; ' +
          'a match needs the share of query frames matched and of target frames matched to reach their thresholds',
      )
      .argument('<query>', 'a video or a vPDQ list')
      .argument('[targets...]', 'videos or vPDQ lists; none: the enabled banks')
      .option('--bank <name>', 'only this bank (repeatable)', (v: string, p: string[] = []) => [...p, v])
      .option('--banks-dir <dir>', 'bank directory (default $LIFEGUARD_HOME/banks or .lifeguard/banks)')
      .option(
        '--max-distance <n>',
        'PDQ distance for a frame match (default 31)',
        numberOption('--max-distance', 0, 256),
      )
      .option(
        '--min-quality <n>',
        'frames of lower quality are left out (default 50)',
        numberOption('--min-quality', 0, 100),
      )
      .option(
        '--query-threshold <share>',
        'share of query frames that must match, 0 to 1 (default 0.8)',
        numberOption('--query-threshold', 0, 1),
      )
      .option(
        '--target-threshold <share>',
        'share of target frames that must be matched, 0 to 1 (default 0)',
        numberOption('--target-threshold', 0, 1),
      )
      .option('--json', 'one JSON object per target'),
  ).action(
    async (
      query: string,
      targets: string[],
      opts: SamplingOptions & {
        bank?: string[];
        maxDistance?: number;
        minQuality?: number;
        queryThreshold?: number;
        targetThreshold?: number;
        json?: boolean;
      },
      cmd: Command,
    ) => {
      let options: Required<VideoMatchOptions>;
      try {
        options = videoMatchOptions({
          maxDistance: opts.maxDistance,
          minQuality: opts.minQuality,
          queryThreshold: opts.queryThreshold,
          targetThreshold: opts.targetThreshold,
        });
      } catch (e) {
        ctx.fail(cmd, (e as Error).message);
      }
      try {
        const q = await framesOf(ctx, cmd, query, opts);
        const share = (n: number) => `${(n * 100).toFixed(1)}%`;
        if (targets.length > 0) {
          for (const target of targets) {
            const r = matchVideoHashes(q, await framesOf(ctx, cmd, target, opts), options);
            if (opts.json) ctx.out(cmd, JSON.stringify({ query, target, ...r }));
            else
              ctx.out(
                cmd,
                `${r.matched ? 'MATCH   ' : 'no match'}  ${target}  query ${share(r.queryShare)} (${r.queryMatched}/${r.queryFrames})  target ${share(r.targetShare)} (${r.targetMatched}/${r.targetFrames})`,
              );
          }
          return;
        }
        const registry = await ctx.registry(cmd, opts.bank);
        const usable = usableFrames(q, options.minQuality);
        const hits: FrameBankHit[][] = usable.map((f) =>
          registry.matchPdq(hexToHash(f.hash), {
            maxDistance: options.maxDistance,
            ...(opts.bank ? { banks: opts.bank } : {}),
          }),
        );
        const videos = scoreVideoBankHits(usable.length, hits, options);
        const stills = hits.flat().filter((h) => !h.meta?.startsWith('vpdq:'));
        if (opts.json) {
          ctx.out(cmd, JSON.stringify({ query, frames: usable.length, videos, frameMatches: stills }));
          return;
        }
        if (usable.length === 0)
          ctx.err(cmd, `note: ${query}: no frame has a usable quality (${options.minQuality} or more)`);
        for (const v of videos)
          ctx.out(
            cmd,
            `${v.matched ? 'MATCH   ' : 'partial '}  bank=${v.bank}  video=${v.video}  query ${share(v.queryShare)} (${v.queryMatched}/${v.queryFrames})  target ${share(v.targetShare)} (${v.targetMatched}/${v.targetFrames})  nearest=${v.bestDistance}`,
          );
        for (const s of stills) ctx.out(cmd, `FRAME MATCH  bank=${s.bank}  hash=${s.hash}  distance=${s.distance}`);
        if (videos.length === 0 && stills.length === 0)
          ctx.out(cmd, `no match  ${query}  (${usable.length} usable frame(s))`);
      } catch (e) {
        if (e instanceof VideoDecodeError) ctx.fail(cmd, describeError(e.source, e));
        if (e instanceof BankError) ctx.fail(cmd, e.message);
        throw e;
      }
    },
  );
}
