// Video uploads: sample frames with ffmpeg (a child process, so decoding never holds the event loop; the
// frames are hashed one at a time with a yield between them), then look every usable frame up in the
// tenant's banks. Frames of a known video (bank entries written by `lifeguard video hash --bank-list`)
// are scored per video by vPDQ's two shares; a frame that matches a known still image is a finding of
// its own, as is an exact MD5/SHA-256 match of the file. Frames are never kept, logged or returned.
import {
  hashVideoBuffer,
  hexToHash,
  parseVideoFrameMeta,
  PdqHasher,
  scoreVideoBankHits,
  usableFrames,
  VideoDecodeError,
  videoMatchOptions,
  type BankMatch,
  type FrameBankHit,
  type VideoBankMatch,
  type VideoFrameHash,
  type VideoMatchOptions,
} from '@lifeguard/pdq';
import type { Storage } from '@lifeguard/storage';
import { ApiError } from '../http/errors.ts';
import type { MediaBankManager } from './bankManager.ts';
import {
  MAX_MATCHED_FRAMES,
  recordMediaMatch,
  type MatchedFrame,
  type MediaMatchEvidence,
  type RecordedCase,
} from './caseRecorder.ts';
import type { MatchView, MediaMatcher, UploadIds } from './mediaMatcher.ts';

export interface VideoUploadHashes {
  md5: string;
  sha256: string;
  durationSeconds: number | null;
  sampledFrames: number;
  truncated: boolean;
  /** Distinct frames (hash, quality, timestamp); kept only until the match is made. */
  frames: VideoFrameHash[];
}

export interface FrameMatchView extends MatchView {
  /** Seconds into the upload of the frame that matched. */
  at: number;
}

export interface VideoMatchOutcome {
  kind: 'video';
  md5: string;
  sha256: string;
  durationSeconds: number | null;
  sampledFrames: number;
  /** Distinct frames of usable quality: the query side's denominator. */
  usableFrames: number;
  truncated: boolean;
  /** Known videos with any frame matched; `matched` says whether both shares reached their thresholds. */
  videos: VideoBankMatch[];
  /** Frames that matched a known still image. */
  frameMatches: FrameMatchView[];
  /** Exact MD5/SHA-256 matches of the file. */
  matches: MatchView[];
  case: RecordedCase | null;
}

/** Video decoder failures as 4xx answers (ffmpeg missing is the operator's problem: 503). */
export function videoErrorToApi(err: VideoDecodeError): ApiError {
  const problem = `(body): ${err.message.replace(/^upload: /, '')}`;
  switch (err.code) {
    case 'ffmpeg_missing':
      return new ApiError(503, 'unavailable', 'video matching needs ffmpeg on the server, which is not installed', [
        problem,
      ]);
    case 'empty':
      return new ApiError(400, 'invalid_request', 'the video is empty (zero bytes)', [problem]);
    case 'unsupported':
      return new ApiError(415, 'unsupported_media_type', 'the body is not a supported video', [problem]);
    case 'too_large':
    case 'too_long':
      return new ApiError(413, 'payload_too_large', 'the video is too large or too long to hash', [problem]);
    case 'no_video':
      return new ApiError(400, 'invalid_request', 'the file has no video stream', [problem]);
    case 'timeout':
      return new ApiError(400, 'invalid_request', 'the video took too long to decode', [problem]);
    default:
      return new ApiError(400, 'invalid_request', 'the video is truncated or corrupt', [problem]);
  }
}

export class VideoMatcher {
  private readonly hasher = new PdqHasher();
  readonly matchOptions: Required<VideoMatchOptions>;

  constructor(
    private readonly storage: Storage,
    private readonly banks: MediaBankManager,
    private readonly media: MediaMatcher,
    matchOptions: VideoMatchOptions = {},
  ) {
    this.matchOptions = videoMatchOptions({
      maxDistance: media.options.maxDistance,
      minQuality: media.options.minQuality,
      ...matchOptions,
    });
  }

  /** Hashes video bytes (through a private temporary file, removed at once). The caller drops the bytes. */
  async hashVideo(bytes: Uint8Array): Promise<VideoUploadHashes> {
    const o = this.media.options;
    try {
      const h = await this.media.decode(() =>
        hashVideoBuffer(bytes, {
          name: 'upload',
          hasher: this.hasher,
          maxInputBytes: o.maxVideoBytes,
          maxDurationSeconds: o.maxVideoSeconds,
          maxFrames: o.maxVideoFrames,
          maxFramePixels: o.maxVideoFramePixels,
          timeoutSeconds: o.videoTimeoutSeconds,
        }),
      );
      return {
        md5: h.md5,
        sha256: h.sha256,
        durationSeconds: h.durationSeconds,
        sampledFrames: h.sampledFrames,
        truncated: h.truncated,
        frames: h.frames,
      };
    } catch (err) {
      if (err instanceof VideoDecodeError) throw videoErrorToApi(err);
      throw err;
    }
  }

  async match(tenantId: string, video: VideoUploadHashes, ids: UploadIds): Promise<VideoMatchOutcome> {
    const o = this.matchOptions;
    const usable = usableFrames(video.frames, o.minQuality);
    const hits: FrameBankHit[][] = [];
    const frameMatches: FrameMatchView[] = [];
    for (const frame of usable) {
      const found = await this.banks.matchPdq(tenantId, hexToHash(frame.hash), { maxDistance: o.maxDistance });
      hits.push(found);
      for (const m of found) if (!parseVideoFrameMeta(m.meta)) frameMatches.push({ ...view(m), at: frame.timestamp });
    }
    const videos = scoreVideoBankHits(usable.length, hits, o);
    const exact: BankMatch[] = [
      ...(await this.banks.matchExact(tenantId, 'md5', video.md5, {})),
      ...(await this.banks.matchExact(tenantId, 'sha256', video.sha256, {})),
    ];
    const matches = exact.map(view);

    const at = Date.now();
    const base = {
      at,
      userId: ids.userId,
      conversationId: ids.conversationId ?? null,
      messageId: ids.messageId ?? null,
      upload: { pdq: null, quality: null, md5: video.md5, sha256: video.sha256, hashedBy: 'service' as const },
    };
    const findings: MediaMatchEvidence[] = [
      ...videos
        .filter((v) => v.matched)
        .map((v) => ({
          ...base,
          bank: v.bank,
          kind: 'pdq' as const,
          matchedHash: firstHit(hits, v) ?? '',
          distance: v.bestDistance,
          metadata: v.note ?? null,
          video: videoSummary(v, matchedFrames(usable, hits, v)),
        })),
      ...frameMatches.map((m) => ({
        ...base,
        bank: m.bank,
        kind: m.kind,
        matchedHash: m.hash,
        distance: m.distance,
        metadata: m.metadata,
        video: { id: null, queryShare: 0, targetShare: 0, queryFrames: usable.length, at: m.at },
      })),
      // The whole file matched: a video finding still, so the case says a video was matched.
      ...matches.map((m) => ({
        ...base,
        bank: m.bank,
        kind: m.kind,
        matchedHash: m.hash,
        distance: m.distance,
        metadata: m.metadata,
        video: { id: null, queryShare: 0, targetShare: 0, queryFrames: usable.length, at: null },
      })),
    ];
    const recorded =
      findings.length > 0
        ? await recordMediaMatch(this.storage, tenantId, dedupeKey(video.sha256, ids, at), findings)
        : null;
    return {
      kind: 'video',
      md5: video.md5,
      sha256: video.sha256,
      durationSeconds: video.durationSeconds,
      sampledFrames: video.sampledFrames,
      usableFrames: usable.length,
      truncated: video.truncated,
      videos,
      frameMatches,
      matches,
      case: recorded,
    };
  }
}

function view(m: BankMatch): MatchView {
  return { bank: m.bank, kind: m.kind, distance: m.distance, hash: m.hash, metadata: m.meta ?? null };
}

/** The first bank frame of this known video that the upload hit (kept in the evidence as the matched hash). */
function firstHit(hits: FrameBankHit[][], v: VideoBankMatch): string | undefined {
  for (const frameHits of hits)
    for (const h of frameHits) if (h.bank === v.bank && parseVideoFrameMeta(h.meta)?.video === v.video) return h.hash;
  return undefined;
}

/** Where in both videos the upload's frames matched this known video: the nearest known frame for each. */
function matchedFrames(usable: VideoFrameHash[], hits: FrameBankHit[][], v: VideoBankMatch): MatchedFrame[] {
  const out: MatchedFrame[] = [];
  for (const [i, frameHits] of hits.entries()) {
    let best: MatchedFrame | null = null;
    for (const h of frameHits) {
      if (h.bank !== v.bank) continue;
      const meta = parseVideoFrameMeta(h.meta);
      if (meta?.video !== v.video || (best && best.distance <= h.distance)) continue;
      best = { at: usable[i]!.timestamp, knownAt: meta.timestamp, distance: h.distance };
    }
    if (best) out.push(best);
  }
  return out.sort((a, b) => a.at - b.at).slice(0, MAX_MATCHED_FRAMES);
}

function videoSummary(v: VideoBankMatch, frames: MatchedFrame[]): MediaMatchEvidence['video'] {
  return {
    id: v.video,
    queryShare: v.queryShare,
    targetShare: v.targetShare,
    queryFrames: v.queryFrames,
    at: frames[0]?.at ?? null,
    queryMatched: v.queryMatched,
    targetMatched: v.targetMatched,
    targetFrames: v.targetFrames,
    frames,
  };
}

/** As for images: a retried request for the same message records nothing new. */
function dedupeKey(sha256: string, ids: UploadIds, at: number): string {
  return ids.messageId
    ? `media:${ids.userId}:${ids.messageId}:${sha256}`
    : `media:${ids.userId}:${sha256}:${at}:${Math.random().toString(36).slice(2, 10)}`;
}
