// Uploads in, matches out: hash the bytes in memory (MD5, SHA-256, PDQ), look the hashes up in the
// tenant's enabled banks, and on a match record it in a case. The image bytes are dropped as soon as
// they are hashed: nothing here keeps, logs or returns them.
import {
  DEFAULT_MAX_DISTANCE,
  hexToHash,
  hashImageBuffer,
  ImageDecodeError,
  PdqHasher,
  type BankMatch,
} from '@lifeguard/pdq';
import type { Storage } from '@lifeguard/storage';
import { ApiError } from '../http/errors.ts';
import type { MediaBankManager } from './bankManager.ts';
import { recordMediaMatch, type MediaMatchEvidence, type RecordedCase } from './caseRecorder.ts';
import { Gate, GateFullError } from '../util/gate.ts';

export interface MediaOptions {
  /** Largest image accepted, in bytes (default 20 MiB); larger uploads get 413. */
  maxImageBytes?: number;
  /** Largest hash-list import, in bytes (default 64 MiB). */
  maxHashListBytes?: number;
  /** Images whose header declares more pixels are refused before decoding (default 100 million). */
  maxImagePixels?: number;
  /** PDQ matches at this Hamming distance or less (default 31, upstream's guidance). */
  maxDistance?: number;
  /** PDQ hashes of lower quality are not matched (default 50); MD5/SHA-256 still are. */
  minQuality?: number;
  /**
   * Images decoded at once (default 2). Each can take a few hundred MB while decoding (a 100-megapixel
   * PNG is 300 MB of pixels), so this bounds the memory uploads can take and keeps decoding from
   * crowding out decisions.
   */
  maxConcurrentDecodes?: number;
  /** Uploads waiting for a decoder (default 16); beyond that, 429 with Retry-After. */
  maxQueuedDecodes?: number;
  /** Largest video accepted, in bytes (default 64 MiB); larger uploads get 413. */
  maxVideoBytes?: number;
  /** Longest video, in seconds (default 600); refused from its header before decoding. */
  maxVideoSeconds?: number;
  /** Most frames sampled from one video (default 600, at 1 a second). */
  maxVideoFrames?: number;
  /** Most pixels a video frame may declare (default 4096 x 4096). */
  maxVideoFramePixels?: number;
  /** Wall-clock limit for decoding one video, in seconds (default 120); ffmpeg is killed past it. */
  videoTimeoutSeconds?: number;
  /**
   * Decode large JPEGs at reduced size (default true): a few bits from the full-size hash, far inside the
   * match distance; false hashes every pixel as the reference tools do (docs/pdq.md, shrink-on-load).
   */
  shrinkOnLoad?: boolean;
}

export const DEFAULT_MEDIA_OPTIONS: Required<MediaOptions> = {
  maxImageBytes: 20 * 1024 * 1024,
  maxHashListBytes: 64 * 1024 * 1024,
  maxImagePixels: 100_000_000,
  maxDistance: DEFAULT_MAX_DISTANCE,
  minQuality: 50,
  maxConcurrentDecodes: 2,
  maxQueuedDecodes: 16,
  maxVideoBytes: 64 * 1024 * 1024,
  maxVideoSeconds: 600,
  maxVideoFrames: 600,
  maxVideoFramePixels: 4096 * 4096,
  videoTimeoutSeconds: 120,
  shrinkOnLoad: true,
};

export interface UploadHashes {
  pdq: string | null;
  quality: number | null;
  md5: string | null;
  sha256: string | null;
  hashedBy: 'service' | 'client';
  /** Format the decoder found (jpeg, png, ...); null for hashes sent by the client. */
  format: string | null;
}

export interface UploadIds {
  userId: string;
  conversationId?: string | undefined;
  messageId?: string | undefined;
}

export interface MatchView {
  bank: string;
  kind: 'pdq' | 'md5' | 'sha256';
  distance: number;
  /** The bank's hash that matched. */
  hash: string;
  metadata: string | null;
}

export interface MatchOutcome {
  pdq: string | null;
  quality: number | null;
  md5: string | null;
  sha256: string | null;
  matches: MatchView[];
  /** The case the match was recorded in; null when nothing matched. */
  case: RecordedCase | null;
}

/** Decoder failures as 4xx answers, in the service's error format. */
export function decodeErrorToApi(err: ImageDecodeError): ApiError {
  const problem = `(body): ${err.message.replace(/^upload: /, '')}`;
  switch (err.code) {
    case 'empty':
      return new ApiError(400, 'invalid_request', 'the image is empty (zero bytes)', [problem]);
    case 'unsupported':
      return new ApiError(415, 'unsupported_media_type', 'the body is not a supported image (JPEG, PNG or WebP)', [
        problem,
      ]);
    case 'too_large':
      return new ApiError(413, 'payload_too_large', 'the image is too large to hash', [problem]);
    case 'zero_size':
    case 'corrupt':
      return new ApiError(400, 'invalid_request', 'the image is truncated or corrupt', [problem]);
    default: // 'unreadable'
      return new ApiError(400, 'invalid_request', 'the image could not be decoded', [problem]);
  }
}

export class MediaMatcher {
  readonly options: Required<MediaOptions>;
  private readonly hasher = new PdqHasher();
  private readonly decoders: Gate;

  constructor(
    private readonly storage: Storage,
    private readonly banks: MediaBankManager,
    options: MediaOptions = {},
  ) {
    this.options = { ...DEFAULT_MEDIA_OPTIONS, ...options };
    this.decoders = new Gate(this.options.maxConcurrentDecodes, this.options.maxQueuedDecodes, 'image decodes');
  }

  /** Hashes image bytes in memory. The caller drops the bytes afterwards. */
  async hashImage(bytes: Uint8Array): Promise<UploadHashes> {
    try {
      const h = await this.decode(() =>
        hashImageBuffer(bytes, {
          name: 'upload',
          hasher: this.hasher,
          maxInputBytes: this.options.maxImageBytes,
          maxInputPixels: this.options.maxImagePixels,
          shrinkOnLoad: this.options.shrinkOnLoad,
        }),
      );
      return { pdq: h.pdq, quality: h.quality, md5: h.md5, sha256: h.sha256, hashedBy: 'service', format: h.format };
    } catch (err) {
      if (err instanceof ImageDecodeError) throw decodeErrorToApi(err);
      throw err;
    }
  }

  /**
   * Runs one decode (an image, or a video's ffmpeg run) when a decoder place is free: images and videos
   * share the places, so together they never take more than maxConcurrentDecodes. A full queue is 429.
   */
  async decode<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.decoders.run(fn);
    } catch (err) {
      if (err instanceof GateFullError) {
        throw new ApiError(
          429,
          'rate_limited',
          `${this.options.maxConcurrentDecodes} uploads are being decoded and ${this.options.maxQueuedDecodes} wait; retry shortly, or send the hashes instead`,
          undefined,
          1,
        );
      }
      throw err;
    }
  }

  /** Looks the hashes up in the tenant's enabled banks and records any match in a case. */
  async match(tenantId: string, hashes: UploadHashes, ids: UploadIds): Promise<MatchOutcome> {
    const found: BankMatch[] = [];
    const pdqUsable = hashes.pdq !== null && (hashes.quality === null || hashes.quality >= this.options.minQuality);
    if (pdqUsable)
      found.push(
        ...(await this.banks.matchPdq(tenantId, hexToHash(hashes.pdq!), { maxDistance: this.options.maxDistance })),
      );
    if (hashes.md5) found.push(...(await this.banks.matchExact(tenantId, 'md5', hashes.md5, {})));
    if (hashes.sha256) found.push(...(await this.banks.matchExact(tenantId, 'sha256', hashes.sha256, {})));
    const matches: MatchView[] = found.map((m) => ({
      bank: m.bank,
      kind: m.kind,
      distance: m.distance,
      hash: m.hash,
      metadata: m.meta ?? null,
    }));
    let recorded: RecordedCase | null = null;
    if (matches.length > 0) {
      const at = Date.now();
      const findings: MediaMatchEvidence[] = matches.map((m) => ({
        at,
        bank: m.bank,
        kind: m.kind,
        matchedHash: m.hash,
        distance: m.distance,
        metadata: m.metadata,
        upload: {
          pdq: hashes.pdq,
          quality: hashes.quality,
          md5: hashes.md5,
          sha256: hashes.sha256,
          hashedBy: hashes.hashedBy,
        },
        userId: ids.userId,
        conversationId: ids.conversationId ?? null,
        messageId: ids.messageId ?? null,
      }));
      recorded = await recordMediaMatch(this.storage, tenantId, dedupeKey(hashes, ids, at), findings);
    }
    return {
      pdq: hashes.pdq,
      quality: hashes.quality,
      md5: hashes.md5,
      sha256: hashes.sha256,
      matches,
      case: recorded,
    };
  }
}

/**
 * A retried request for the same message must not add the same evidence twice; without a message id
 * each upload is its own finding (the same user sending a known image again is worth recording).
 */
function dedupeKey(hashes: UploadHashes, ids: UploadIds, at: number): string {
  const image = hashes.sha256 ?? hashes.md5 ?? hashes.pdq ?? '';
  return ids.messageId
    ? `media:${ids.userId}:${ids.messageId}:${image}`
    : `media:${ids.userId}:${image}:${at}:${Math.random().toString(36).slice(2, 10)}`;
}
