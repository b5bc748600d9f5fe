// vPDQ: a video as the PDQ hashes of frames sampled from it, and video-to-video matching by the share
// of frames that find a near frame on the other side. Pure module (no decoding: see videoHash.ts).
//
// Matching follows Meta's vPDQ: frames below the quality floor are dropped, exact repeats are counted
// once, and a frame "matches" when some frame of the other video is within the PDQ distance. Two shares
// come out: of the query's frames that match the target, and of the target's frames matched by the
// query. A re-encoded or resized copy scores near 1 both ways; a trimmed clip of a known video scores
// near 1 on the query side and its length's share on the target side; unrelated videos score near 0.

import { hammingDistanceWithin } from './hamming.ts';
import { hexToHash, isHex, PDQ_HASH_WORDS } from './hex.ts';

/** One sampled frame: its PDQ hash (64 hex digits), quality, and where it is in the video. */
export interface VideoFrameHash {
  /** Index of the frame among those sampled (0-based). */
  frame: number;
  /** Seconds from the start of the video. */
  timestamp: number;
  hash: string;
  quality: number;
}

export interface VideoMatchOptions {
  /** A frame matches when a frame of the other video is this close (default 31, as for images). */
  maxDistance?: number;
  /** Frames of lower quality take no part (default 50, upstream's floor). */
  minQuality?: number;
  /** Share of the query's frames that must match (default 0.8, upstream's 80%). */
  queryThreshold?: number;
  /** Share of the target's frames that must be matched (default 0, as upstream: a clip of a long video matches). */
  targetThreshold?: number;
}

export const VPDQ_DEFAULTS: Required<VideoMatchOptions> = {
  maxDistance: 31,
  minQuality: 50,
  queryThreshold: 0.8,
  targetThreshold: 0,
};

export interface VideoMatchResult {
  /** Distinct frames of usable quality on each side (the denominators). */
  queryFrames: number;
  targetFrames: number;
  /** How many of them found a near frame on the other side. */
  queryMatched: number;
  targetMatched: number;
  /** queryMatched / queryFrames and targetMatched / targetFrames (0 when a side has no usable frames). */
  queryShare: number;
  targetShare: number;
  /** Both shares reach their thresholds, and there was at least one usable frame each side. */
  matched: boolean;
}

/** Checks match options, naming the option that is out of range. */
export function videoMatchOptions(options: VideoMatchOptions = {}): Required<VideoMatchOptions> {
  const o = { ...VPDQ_DEFAULTS, ...definedOnly(options) };
  const check = (name: string, value: number, min: number, max: number, integer: boolean) => {
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value)))
      throw new RangeError(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  };
  check('maxDistance', o.maxDistance, 0, 256, true);
  check('minQuality', o.minQuality, 0, 100, true);
  check('queryThreshold', o.queryThreshold, 0, 1, false);
  check('targetThreshold', o.targetThreshold, 0, 1, false);
  return o;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Frames of at least `minQuality`, each distinct hash once (its first occurrence). */
export function usableFrames(
  frames: readonly VideoFrameHash[],
  minQuality = VPDQ_DEFAULTS.minQuality,
): VideoFrameHash[] {
  const seen = new Set<string>();
  const out: VideoFrameHash[] = [];
  for (const f of frames) {
    if (f.quality < minQuality) continue;
    const key = f.hash.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f);
  }
  return out;
}

/** Each distinct hash once, whatever its quality: what a sampler keeps of a video. */
export function distinctFrames(frames: readonly VideoFrameHash[]): VideoFrameHash[] {
  return usableFrames(frames, 0);
}

function pack(frames: readonly VideoFrameHash[]): Uint32Array {
  const words = new Uint32Array(frames.length * PDQ_HASH_WORDS);
  const scratch = new Uint32Array(PDQ_HASH_WORDS);
  for (let i = 0; i < frames.length; i++) words.set(hexToHash(frames[i]!.hash, scratch), i * PDQ_HASH_WORDS);
  return words;
}

/**
 * Compares two videos frame by frame (every usable query frame against every usable target frame;
 * a 10-minute video at 1 frame a second against another is 360,000 comparisons, most stopping after
 * two words).
 */
export function matchVideoHashes(
  query: readonly VideoFrameHash[],
  target: readonly VideoFrameHash[],
  options: VideoMatchOptions = {},
): VideoMatchResult {
  const o = videoMatchOptions(options);
  const q = usableFrames(query, o.minQuality);
  const t = usableFrames(target, o.minQuality);
  const qWords = pack(q);
  const tWords = pack(t);
  const targetHit = new Uint8Array(t.length);
  let queryMatched = 0;
  for (let i = 0; i < q.length; i++) {
    let hit = false;
    for (let j = 0; j < t.length; j++) {
      if (
        hammingDistanceWithin(qWords, i * PDQ_HASH_WORDS, tWords, j * PDQ_HASH_WORDS, o.maxDistance) <= o.maxDistance
      ) {
        hit = true;
        targetHit[j] = 1;
      }
    }
    if (hit) queryMatched++;
  }
  let targetMatched = 0;
  for (const h of targetHit) targetMatched += h;
  return shares(q.length, queryMatched, t.length, targetMatched, o);
}

/** The result for counts already made (also used when the target's frames live in a hash bank). */
export function shares(
  queryFrames: number,
  queryMatched: number,
  targetFrames: number,
  targetMatched: number,
  options: Required<VideoMatchOptions>,
): VideoMatchResult {
  const queryShare = queryFrames > 0 ? queryMatched / queryFrames : 0;
  const targetShare = targetFrames > 0 ? Math.min(1, targetMatched / targetFrames) : 0;
  return {
    queryFrames,
    targetFrames,
    queryMatched,
    targetMatched,
    queryShare,
    targetShare,
    matched:
      queryFrames > 0 &&
      targetFrames > 0 &&
      queryMatched > 0 &&
      queryShare >= options.queryThreshold &&
      targetShare >= options.targetThreshold,
  };
}

// ------------------------------------------------------------------------------------------------
// The vPDQ text layout: one frame a line, "frame,quality,hash,timestamp" (as Meta's vpdq tools write).

export function formatVpdq(frames: readonly VideoFrameHash[]): string {
  return frames.map((f) => `${f.frame},${f.quality},${f.hash},${f.timestamp.toFixed(3)}\n`).join('');
}

export class VpdqParseError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    problem: string,
  ) {
    super(`${source}:${line}: ${problem}`);
    this.name = 'VpdqParseError';
  }
}

/** Most frames read from one vPDQ list (a day of video at one frame a second). */
export const MAX_VPDQ_FRAMES = 86_400;

/** Reads the vPDQ text layout; blank lines and # comments are skipped, any bad line is an error naming it. */
export function parseVpdq(text: string, source = 'vpdq'): VideoFrameHash[] {
  const frames: VideoFrameHash[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fail = (problem: string): never => {
      throw new VpdqParseError(source, i + 1, problem);
    };
    const cells = line.split(',');
    if (cells.length !== 4) fail(`expected 4 fields "frame,quality,hash,timestamp", found ${cells.length}`);
    const [frameText, qualityText, hashText, timeText] = cells.map((c) => c.trim()) as [string, string, string, string];
    if (!/^\d{1,9}$/.test(frameText))
      fail(`frame number ${JSON.stringify(frameText.slice(0, 20))} is not a whole number`);
    if (!/^\d{1,3}$/.test(qualityText) || Number(qualityText) > 100)
      fail(`quality ${JSON.stringify(qualityText.slice(0, 20))} is not a whole number from 0 to 100`);
    if (!isHex(hashText, 64)) fail(`hash is not 64 hex digits (${hashText.length} characters)`);
    const timestamp = Number(timeText);
    if (timeText === '' || !Number.isFinite(timestamp) || timestamp < 0)
      fail(`timestamp ${JSON.stringify(timeText.slice(0, 20))} is not a number of seconds`);
    if (frames.length >= MAX_VPDQ_FRAMES) fail(`more than ${MAX_VPDQ_FRAMES} frames`);
    frames.push({ frame: Number(frameText), quality: Number(qualityText), hash: hashText.toLowerCase(), timestamp });
  }
  return frames;
}

// ------------------------------------------------------------------------------------------------
// Videos in hash banks. A known video is stored as PDQ entries, one per distinct frame, whose
// metadata names the video and how many distinct frames it has: "vpdq:ID;t=SECONDS;frames=N".
// The frame count lets a match work out the target's share without reading the whole bank.

const VIDEO_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const FRAME_META_RE = /^vpdq:([A-Za-z0-9][A-Za-z0-9._:-]{0,127});t=(\d+(?:\.\d+)?);frames=(\d{1,6})(?:;(.*))?$/;

export interface VideoFrameMeta {
  video: string;
  timestamp: number;
  frames: number;
  /** Anything the list added after the fields above (a case reference, a category). */
  note?: string;
}

export function isVideoId(id: string): boolean {
  return VIDEO_ID_RE.test(id);
}

export function videoFrameMeta(meta: VideoFrameMeta): string {
  if (!isVideoId(meta.video))
    throw new RangeError(
      `video id ${JSON.stringify(meta.video.slice(0, 40))} must be 1-128 letters, digits, '.', '_', ':' or '-'`,
    );
  const base = `vpdq:${meta.video};t=${meta.timestamp.toFixed(3)};frames=${meta.frames}`;
  return meta.note === undefined || meta.note === '' ? base : `${base};${meta.note}`;
}

export function parseVideoFrameMeta(meta: string | undefined): VideoFrameMeta | null {
  if (meta === undefined) return null;
  const m = FRAME_META_RE.exec(meta);
  if (!m) return null;
  const out: VideoFrameMeta = { video: m[1]!, timestamp: Number(m[2]), frames: Number(m[3]) };
  if (m[4] !== undefined && m[4] !== '') out.note = m[4];
  return out;
}

/** A video's frames as hash-list lines for a bank ("pdq:HASH,vpdq:..."), low-quality frames left out. */
export function videoBankLines(
  video: string,
  frames: readonly VideoFrameHash[],
  options: { minQuality?: number; note?: string } = {},
): string[] {
  const kept = usableFrames(frames, options.minQuality ?? VPDQ_DEFAULTS.minQuality);
  return kept.map((f) => {
    const meta: VideoFrameMeta = { video, timestamp: f.timestamp, frames: kept.length };
    if (options.note !== undefined) meta.note = options.note;
    return `pdq:${f.hash},${videoFrameMeta(meta)}`;
  });
}

/** A bank hit for one query frame, as the banks report it (bank name, matched hash, metadata). */
export interface FrameBankHit {
  bank: string;
  hash: string;
  distance: number;
  meta?: string;
}

export interface VideoBankMatch extends VideoMatchResult {
  bank: string;
  video: string;
  /** Nearest frame distance seen for this video. */
  bestDistance: number;
  /** Metadata note of the first frame matched (list reference), if any. */
  note?: string;
}

/**
 * Groups per-frame bank hits by the known video they belong to and scores each video.
 * `hits[i]` are the hits of the i-th usable query frame; `queryFrames` is how many usable frames
 * the query had (frames without hits count in the denominator).
 */
export function scoreVideoBankHits(
  queryFrames: number,
  hits: readonly (readonly FrameBankHit[])[],
  options: VideoMatchOptions = {},
): VideoBankMatch[] {
  const o = videoMatchOptions(options);
  interface Tally {
    bank: string;
    video: string;
    frames: number;
    queryHits: number;
    targets: Set<string>;
    best: number;
    note?: string;
  }
  const tallies = new Map<string, Tally>();
  for (const frameHits of hits) {
    const counted = new Set<string>();
    for (const hit of frameHits) {
      const meta = parseVideoFrameMeta(hit.meta);
      if (!meta || hit.distance > o.maxDistance) continue;
      const key = `${hit.bank}\u0000${meta.video}`;
      let tally = tallies.get(key);
      if (!tally) {
        tally = { bank: hit.bank, video: meta.video, frames: meta.frames, queryHits: 0, targets: new Set(), best: 256 };
        if (meta.note !== undefined) tally.note = meta.note;
        tallies.set(key, tally);
      }
      tally.targets.add(hit.hash);
      tally.best = Math.min(tally.best, hit.distance);
      if (!counted.has(key)) {
        counted.add(key);
        tally.queryHits++;
      }
    }
  }
  const out: VideoBankMatch[] = [];
  for (const t of tallies.values()) {
    const result = shares(queryFrames, t.queryHits, t.frames, t.targets.size, o);
    const match: VideoBankMatch = { ...result, bank: t.bank, video: t.video, bestDistance: t.best };
    if (t.note !== undefined) match.note = t.note;
    out.push(match);
  }
  return out.sort(
    (a, b) => Number(b.matched) - Number(a.matched) || b.queryShare - a.queryShare || a.bank.localeCompare(b.bank),
  );
}
