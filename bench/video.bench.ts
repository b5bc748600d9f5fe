// Video (vPDQ) benchmark: seconds of work per minute of video and frames hashed per second, split into
// ffmpeg's decode and the PDQ hashing, and the cost of matching two videos frame by frame.
//
//   node --expose-gc --import tsx bench/video.bench.ts
//
// The test video is made here by ffmpeg from its own test source (a 60-second 1280x720 H.264 clip).
// Prints progress to stderr and, as its last stdout line, {"title","markdown"} for docs/benchmarks.md.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PdqHasher } from '../packages/pdq/src/pdq.ts';
import { ffmpegUnavailable, sampleVideoFrames } from '../packages/pdq/src/videoDecode.ts';
import { hashVideoFile } from '../packages/pdq/src/videoHash.ts';
import { matchVideoHashes, type VideoFrameHash } from '../packages/pdq/src/vpdq.ts';

const log = (msg: string): void => {
  process.stderr.write(`[video.bench] ${msg}\n`);
};
const loadAtStart = loadavg()[0]!;
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`;
const title = 'Video hashing (vPDQ)';

const missing = await ffmpegUnavailable();
if (missing) {
  console.log(JSON.stringify({ title, markdown: `Not measured: ${missing}\n` }));
  process.exit(0);
}

const run = promisify(execFile);
const dir = await mkdtemp(join(tmpdir(), 'lifeguard-video-bench-'));
const SECONDS = 60;
const video = join(dir, 'testsrc2-720p.mp4');
log(`making a ${SECONDS}-second 1280x720 H.264 test video`);
await run('ffmpeg', [
  '-hide_banner',
  '-loglevel',
  'error',
  '-nostdin',
  '-f',
  'lavfi',
  '-i',
  `testsrc2=size=1280x720:rate=30:duration=${SECONDS}`,
  '-c:v',
  'libx264',
  '-preset',
  'veryfast',
  '-pix_fmt',
  'yuv420p',
  video,
]);

const now = () => performance.now();
const rounds = 3;

interface Figure {
  label: string;
  /** Best of the rounds, seconds for the whole video. */
  total: number;
  decodeOnly: number;
  /** CPU seconds this (Node) process spent in the best whole-video round: hashing and reading the pipe. */
  nodeCpu: number;
  /** CPU seconds ffmpeg spends decoding and sampling the video (least of the rounds; user + system). */
  ffmpegCpu: number;
  frames: number;
}

async function measure(fps: number, frameSize: number): Promise<Figure> {
  let total = Number.POSITIVE_INFINITY;
  let decodeOnly = Number.POSITIVE_INFINITY;
  let nodeCpu = 0;
  let ffmpegCpu = Number.POSITIVE_INFINITY;
  let frames = 0;
  for (let r = 0; r < rounds; r++) {
    let t = now();
    const cpu = process.cpuUsage();
    const h = await hashVideoFile(video, { framesPerSecond: fps, frameSize, yieldBetweenFrames: false });
    const took = (now() - t) / 1000;
    if (took < total) {
      total = took;
      const used = process.cpuUsage(cpu);
      nodeCpu = (used.user + used.system) / 1e6;
    }
    frames = h.sampledFrames;
    t = now();
    await sampleVideoFrames(video, { framesPerSecond: fps, frameSize }, () => {});
    decodeOnly = Math.min(decodeOnly, (now() - t) / 1000);
    ffmpegCpu = Math.min(ffmpegCpu, await ffmpegCpuSeconds(fps, frameSize));
  }
  log(
    `fps ${fps} size ${frameSize}: ${total.toFixed(2)} s whole, ${decodeOnly.toFixed(2)} s decode only, ${frames} frames`,
  );
  return { label: `${fps} frame/s, ${frameSize}²`, total, decodeOnly, nodeCpu, ffmpegCpu, frames };
}

/**
 * CPU time (user + system) of the same ffmpeg run the sampler makes, from bash's `time`: unlike the
 * wall-clock time, it barely moves when other work on the machine competes for the cores.
 */
async function ffmpegCpuSeconds(fps: number, frameSize: number): Promise<number> {
  const cmd =
    `ffmpeg -nostdin -hide_banner -loglevel error -threads 1 -f mov -i '${video}' -map 0:v:0 -an ` +
    `-vf fps=${fps},scale=${frameSize}:${frameSize}:flags=area,format=rgb24 -f rawvideo -pix_fmt rgb24 -y /dev/null`;
  const { stderr } = await run('bash', ['-c', `TIMEFORMAT='%U %S'; time (${cmd})`]);
  const [user, system] = stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return user! + system!;
}

/** PDQ on one frame size alone (no ffmpeg), best of 5 rounds of 200 frames. */
function hashOnly(size: number): number {
  const hasher = new PdqHasher();
  const pixels = new Uint8Array(size * size * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
  for (let i = 0; i < 50; i++) hasher.hashPixels(pixels, size, size, 3);
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 5; r++) {
    const t = now();
    for (let i = 0; i < 200; i++) hasher.hashPixels(pixels, size, size, 3);
    best = Math.min(best, (now() - t) / 200);
  }
  return best;
}

const figures = [await measure(1, 256), await measure(5, 256)];
const hash256 = hashOnly(256);
const hash512 = hashOnly(512);

// Matching: two 10-minute videos (600 frames each) of random hashes, the query a copy with a few bits changed.
function randomFrames(n: number, seed: number): VideoFrameHash[] {
  let s = seed >>> 0;
  const hex = () => {
    let out = '';
    for (let i = 0; i < 8; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      out += (s >>> 0).toString(16).padStart(8, '0');
    }
    return out;
  };
  return Array.from({ length: n }, (_, i) => ({ frame: i, timestamp: i, hash: hex(), quality: 100 }));
}
const target = randomFrames(600, 7);
const unrelated = randomFrames(600, 99);
let matchSame = Number.POSITIVE_INFINITY;
let matchOther = Number.POSITIVE_INFINITY;
for (let r = 0; r < 5; r++) {
  let t = now();
  const same = matchVideoHashes(target, target);
  matchSame = Math.min(matchSame, now() - t);
  t = now();
  const other = matchVideoHashes(unrelated, target);
  matchOther = Math.min(matchOther, now() - t);
  if (!same.matched || other.matched) throw new Error('matching gave the wrong answer');
}
await rm(dir, { recursive: true, force: true });

const f2 = (n: number) => n.toFixed(2);
const lines: string[] = [];
lines.push(
  `A ${SECONDS}-second 1280×720 H.264 video (ffmpeg's testsrc2, 30 frames a second), hashed whole: ffmpeg samples and scales frames in a child process, PDQ hashes them in Node. Best of ${rounds} rounds.`,
);
lines.push('');
lines.push(
  '| sampling, frame size | frames | whole video (s) | seconds per minute of video | frames per second, end to end | ffmpeg decode alone (s) | CPU: ffmpeg (s) | CPU: Node process (s) | CPU seconds per minute of video |',
);
lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const f of figures) {
  const perMinute = (f.total * 60) / SECONDS;
  lines.push(
    `| ${f.label} | ${f.frames} | ${f2(f.total)} | ${f2(perMinute)} | ${(f.frames / f.total).toFixed(1)} | ${f2(f.decodeOnly)} | ${f2(f.ffmpegCpu)} | ${f2(f.nodeCpu)} | ${f2(((f.ffmpegCpu + f.nodeCpu) * 60) / SECONDS)} |`,
  );
}
lines.push('');
lines.push(
  `**Frames hashed per second (PDQ alone, one core):** ${(1000 / hash256).toFixed(0)} at 256×256, the default (${f2(hash256)} ms a frame), ${(1000 / hash512).toFixed(0)} at 512×512 (${f2(hash512)} ms; ${(hash512 / hash256).toFixed(1)}× the time). ` +
    `Decoding dominates: ffmpeg decodes every frame of the H.264 stream (30 a second here) to sample one, so the whole-video time follows the decode-alone time, sampling 5 frames a second costs little more than 1, and the Node process (hashing, reading the pipe) uses a small share of the CPU. On a busy machine the wall-clock columns mostly measure the wait for a core; the CPU columns are the cost. ` +
    `Matching two 10-minute videos (600 × 600 frames, every pair compared): ${f2(matchSame)} ms when they are the same video, ${f2(matchOther)} ms when unrelated.`,
);
lines.push('');
lines.push(
  `Command: \`npm run bench -- video\`. Machine: ${machine}, ffmpeg from Debian, one decoder thread (the default, so that several uploads share the machine); load average ${loadAtStart.toFixed(2)} at start (a shared, noisy machine: compare the ratios, measured in one run).`,
);
const markdown = `${lines.join('\n')}\n`;
console.log(JSON.stringify({ title, markdown }));
