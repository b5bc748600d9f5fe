// A known-image match opens a case against the uploader, or adds to their active case. The case holds
// hashes, distances, bank names and ids only: the image is never stored, not even as a thumbnail.
//
// CaseManager has no method for findings that do not come from the detector, so this writes through
// the Storage interface the same way it does: one saveCase with the history entry, the alert key and
// the case.opened / case.updated webhook event in one transaction, retried when a concurrent change
// wins the version race.
import { ConflictError, newId, type CaseRecord, type Storage } from '@lifeguard/storage';
import { caseSummary, type CaseEvidence } from '../cases/caseManager.ts';
import { ApiError } from '../http/errors.ts';

/** Known-image matches are the most urgent kind of case. */
export const MEDIA_MATCH_LEVEL = 'critical';
export const MEDIA_MATCH_SCORE = 1;
const MAX_MEDIA_ENTRIES = 100;
const LEVEL_ORDER = ['none', 'low', 'medium', 'high', 'critical'];

export interface MediaMatchEvidence {
  /** When the upload was matched (ms since the epoch). */
  at: number;
  bank: string;
  kind: 'pdq' | 'md5' | 'sha256';
  /** The bank's hash that matched. */
  matchedHash: string;
  distance: number;
  /** The bank entry's own metadata (list reference, category); never image content. */
  metadata: string | null;
  upload: {
    pdq: string | null;
    quality: number | null;
    md5: string | null;
    sha256: string | null;
    hashedBy: 'service' | 'client';
  };
  userId: string;
  conversationId: string | null;
  messageId: string | null;
  /** For a video upload matched to a known video (vPDQ): which one, and the shares of frames matched. */
  video?: VideoMatchSummary;
}

export interface VideoMatchSummary {
  /** The known video's id in the bank; null when a frame matched a known still image or the file matched exactly. */
  id: string | null;
  queryShare: number;
  targetShare: number;
  queryFrames: number;
  /** Seconds into the upload of the first matching frame. */
  at: number | null;
  /** Frames matched on each side and the known video's usable frames (absent in matches recorded before they were kept). */
  queryMatched?: number;
  targetMatched?: number;
  targetFrames?: number;
  /** The upload's matching frames, earliest first, at most MAX_MATCHED_FRAMES: the moderator's way into a long video. */
  frames?: MatchedFrame[];
}

/** One frame of the upload that matched a frame of the known video. */
export interface MatchedFrame {
  /** Seconds into the upload. */
  at: number;
  /** Seconds into the known video of the nearest frame it matched. */
  knownAt: number;
  distance: number;
}

/** Matched frames kept per finding: enough to find the scenes, bounded for a long upload. */
export const MAX_MATCHED_FRAMES = 50;

/** Case evidence with the known-image matches added under `media`. */
export type EvidenceWithMedia = Partial<CaseEvidence> & { media?: MediaMatchEvidence[] };

export interface RecordedCase {
  /** Null only when a retried request finds its match recorded and the case since closed. */
  id: string | null;
  opened: boolean;
  /** False when this exact upload was recorded before (a retried request). */
  recorded: boolean;
}

export async function recordMediaMatch(
  storage: Storage,
  tenantId: string,
  dedupeKey: string,
  findings: MediaMatchEvidence[],
): Promise<RecordedCase> {
  const first = findings[0];
  if (!first) throw new Error('recordMediaMatch needs at least one finding');
  const accusedId = first.userId;
  const reason = describe(findings);
  for (let attempt = 1; ; attempt++) {
    try {
      if (await storage.hasAlertKey(tenantId, dedupeKey)) {
        const active = await storage.findActiveCaseForAccused(tenantId, accusedId);
        return { id: active?.id ?? null, opened: false, recorded: false };
      }
      const now = Date.now();
      const existing = await storage.findActiveCaseForAccused(tenantId, accusedId);
      const history = (
        fromStatus: CaseRecord['status'] | null,
        toStatus: CaseRecord['status'],
        action: 'opened' | 'updated',
      ) => ({ at: now, actor: 'lifeguard', action, fromStatus, toStatus, note: reason });
      if (existing) {
        const previous = (existing.evidence ?? {}) as EvidenceWithMedia;
        const evidence: EvidenceWithMedia = {
          ...previous,
          media: [...(previous.media ?? []), ...findings].slice(-MAX_MEDIA_ENTRIES),
        };
        const updated: CaseRecord = {
          ...existing,
          level: maxLevel(existing.level, MEDIA_MATCH_LEVEL),
          score: Math.max(existing.score, MEDIA_MATCH_SCORE),
          evidence,
          updatedAt: now,
          version: existing.version + 1,
        };
        await storage.saveCase(tenantId, {
          caseRecord: updated,
          expectedVersion: existing.version,
          alertKeys: [dedupeKey],
          history: history(existing.status, existing.status, 'updated'),
          notify: [{ type: 'case.updated', payload: caseSummary(updated, reason) }],
        });
        return { id: updated.id, opened: false, recorded: true };
      }
      const evidence: EvidenceWithMedia = {
        alerts: [],
        actor: null,
        conversations: {},
        participants: [],
        media: findings,
      };
      const created: CaseRecord = {
        id: newId('case'),
        tenantId,
        accusedId,
        status: 'open',
        level: MEDIA_MATCH_LEVEL,
        score: MEDIA_MATCH_SCORE,
        // Conversation ids stay in the media evidence only, until CaseManager's evidence refresh keeps
        // `media`: listing them here would let a refresh drop it.
        conversationIds: [],
        evidence,
        openedAt: now,
        updatedAt: now,
        version: 1,
      };
      await storage.saveCase(tenantId, {
        caseRecord: created,
        alertKeys: [dedupeKey],
        history: history(null, 'open', 'opened'),
        notify: [{ type: 'case.opened', payload: caseSummary(created, reason) }],
      });
      return { id: created.id, opened: true, recorded: true };
    } catch (err) {
      // Another writer changed (or opened) the case first: read again and retry.
      if (attempt >= 4)
        throw err instanceof ConflictError
          ? new ApiError(409, 'conflict', 'the case changed while this match was recorded; send the request again')
          : err;
      if (!(err instanceof ConflictError) && !isUniqueViolation(err)) throw err;
    }
  }
}

/** The history note: every match in words, so the finding survives even if the evidence is rewritten. */
function describe(findings: MediaMatchEvidence[]): string {
  const parts = findings.map((f) =>
    f.video?.id
      ? `bank ${f.bank} video ${f.video.id} frames matched ${Math.round(f.video.queryShare * 100)}% of the upload, ${Math.round(f.video.targetShare * 100)}% of the known video`
      : `bank ${f.bank} ${f.kind} distance ${f.distance} hash ${f.matchedHash}${f.video?.at != null ? ` (video frame at ${f.video.at} s)` : ''}`,
  );
  const where = [
    findings[0]!.conversationId && `conversation ${findings[0]!.conversationId}`,
    findings[0]!.messageId && `message ${findings[0]!.messageId}`,
  ]
    .filter(Boolean)
    .join(', ');
  return `known-image match: ${parts.join('; ')}${where ? ` (${where})` : ''}`;
}

function maxLevel(a: string, b: string): string {
  return LEVEL_ORDER.indexOf(a) >= LEVEL_ORDER.indexOf(b) ? a : b;
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || /UNIQUE constraint failed/i.test(e?.message ?? '');
}
