// What the risk, media, bank, webhook, key, maintenance and statistics routes answer, as zod schemas
// that the routes declare and OpenAPI documents (zodRoutes.ts). The type checks at the end fail the
// build when a schema and the value the route returns drift apart, so the document cannot go stale.
import { z } from 'zod';
import type { VideoBankMatch } from '@lifeguard/pdq';
import { GROOMING_STAGES, SIGNAL_KINDS, type ActorRiskReport, type ConversationRiskReport } from '@lifeguard/core';
import { API_SCOPES, DELIVERY_STATUSES, type ApiKeyRecord, type WebhookDelivery } from '@lifeguard/storage';
import type { AuthContext } from './auth.ts';
import type { BankInfo } from '../media/bankManager.ts';
import type { MatchOutcome } from '../media/mediaMatcher.ts';
import type { VerifyResult } from '../reporting/evidenceVerify.ts';
import type { Statistics } from '../reporting/statistics.ts';

const ms = (what: string) => z.number().describe(`${what} (ms since the epoch)`);
const riskLevel = z.enum(['none', 'low', 'medium', 'high', 'critical']);
const stage = z.enum(GROOMING_STAGES);

// Risk --------------------------------------------------------------------------------------------

const evidenceSchema = z.object({
  kind: z.enum(SIGNAL_KINDS).describe('The signal found'),
  start: z.number().int().describe("Start offset (UTF-16 code units) in the message's original text"),
  end: z.number().int().describe('End offset (exclusive)'),
  excerpt: z.string().describe("The span's original text ('' once retention removed it)"),
  age: z.number().optional().describe('For age disclosures, the age stated'),
  messageId: z.string(),
  conversationId: z.string(),
  senderId: z.string(),
  time: ms('When the message was sent'),
  stage: stage.nullable(),
  textRemoved: z.literal(true).optional().describe('Set when retention removed the excerpt'),
});

export const conversationRiskSchema = z.object({
  conversationId: z.string(),
  score: z.number().describe('0..1: a reason for human review, never a verdict'),
  level: riskLevel,
  stage: stage.nullable().describe('Furthest grooming stage reached so far'),
  stagesReached: z.array(stage),
  sextortion: z.object({ leverage: z.boolean(), threat: z.boolean(), payment: z.boolean(), deadline: z.boolean() }),
  suspectId: z.string().nullable().describe('The participant whose messages carry the risk, if one stands out'),
  targetId: z.string().nullable().describe('The participant the risk is directed at (the likely child), if known'),
  participants: z.array(
    z.object({
      userId: z.string(),
      age: z.number().nullable().describe('Best estimate in years'),
      ageSource: z.enum(['declared', 'disclosed', 'unknown']),
      isMinor: z.boolean().nullable(),
      messageCount: z.number().int(),
    }),
  ),
  messageCount: z.number().int(),
  firstAt: ms('First message'),
  lastAt: ms('Last message'),
  modelId: z.string().describe('The risk model that produced the score'),
  watch: z.boolean().optional().describe('At or above the watch level: ranked for review before it alerts'),
  reasons: z.array(z.string()).describe('Strongest first'),
  evidence: z.array(evidenceSchema).describe('The messages and spans behind the score (bounded; strongest kept)'),
});

export const accountRiskSchema = z.object({
  userId: z.string(),
  score: z.number().describe('0..1: a reason for human review, never a verdict'),
  level: riskLevel,
  age: z.number().nullable(),
  ageSource: z.enum(['declared', 'disclosed', 'unknown']),
  accountAgeDays: z.number().nullable(),
  distinctMinorsContacted: z.number().int(),
  firstContacts: z.number().int(),
  unansweredFirstContacts: z.number().int(),
  duplicateOpeners: z.number().int(),
  blocksAgainst: z.number().int(),
  reportsAgainst: z.number().int(),
  riskyConversations: z
    .array(z.object({ conversationId: z.string(), score: z.number(), stage: stage.nullable() }))
    .describe('Highest conversation scores where this account is the suspect'),
  fanOut: z
    .object({
      children: z.array(z.string()).describe('The children the intent sequence reached, most recent first'),
      intents: z.array(z.enum(SIGNAL_KINDS)).describe('The signal kinds every one of those conversations shares'),
      conversations: z.array(z.string()),
      alsoConversations: z
        .array(z.string())
        .describe("The account's other one-to-one conversations with children in that window, reworded"),
      withinDays: z.number().describe('Time span of those first contacts, in days'),
    })
    .nullable()
    .optional()
    .describe('The same intent sequence sent to several children; null when there is none'),
  modelId: z.string().describe('The risk model that produced the score'),
  reasons: z.array(z.string()),
});

// Media and banks ---------------------------------------------------------------------------------

const hashKind = z.enum(['pdq', 'md5', 'sha256']);

export const mediaMatchSchema = z.object({
  pdq: z.string().nullable().describe('PDQ hash of the image (64 hex digits)'),
  quality: z.number().nullable().describe('PDQ quality, 0..100'),
  md5: z.string().nullable(),
  sha256: z.string().nullable(),
  matches: z.array(
    z.object({
      bank: z.string(),
      kind: hashKind,
      distance: z.number().int().describe('Hamming distance for PDQ; 0 for exact hashes'),
      hash: z.string().describe("The bank's hash that matched"),
      metadata: z.string().nullable(),
    }),
  ),
  case: z
    .object({
      id: z
        .string()
        .nullable()
        .describe('Null only when a retried request finds its match recorded and the case closed'),
      opened: z.boolean(),
      recorded: z.boolean().describe('False when this exact upload was recorded before (a retried request)'),
    })
    .nullable()
    .describe('The case the match was recorded in; null when nothing matched'),
});

/** A video upload's answer (vPDQ). The per-video entries are documented loosely: see docs/video.md. */
export const videoMatchSchema = z.object({
  kind: z.literal('video'),
  md5: z.string(),
  sha256: z.string(),
  durationSeconds: z.number().nullable(),
  sampledFrames: z.number().int(),
  usableFrames: z.number().int().describe("Distinct frames of usable quality: the query side's denominator"),
  truncated: z.boolean(),
  videos: z
    .array(
      z.object({
        bank: z.string(),
        video: z.string().describe('The known video, as the bank names it'),
        queryFrames: z.number().int().describe("The upload's distinct usable frames"),
        targetFrames: z.number().int().describe("The known video's distinct usable frames"),
        queryMatched: z.number().int(),
        targetMatched: z.number().int(),
        queryShare: z.number().describe('queryMatched / queryFrames'),
        targetShare: z.number().describe('targetMatched / targetFrames'),
        matched: z.boolean().describe('Both shares reached their thresholds'),
        bestDistance: z.number().int().describe('Nearest frame distance seen for this video'),
        note: z.string().optional().describe('Metadata note of the first frame matched'),
      }),
    )
    .describe(
      'Known videos with any frame matched: bank, video, shares of frames matched and whether both reached their thresholds',
    ),
  frameMatches: z.array(
    mediaMatchSchema.shape.matches.element.extend({ at: z.number().describe('Seconds into the upload') }),
  ),
  matches: mediaMatchSchema.shape.matches.describe('Exact MD5/SHA-256 matches of the file'),
  case: mediaMatchSchema.shape.case,
});

/** An image (or hashes) answers mediaMatchSchema; a video answers videoMatchSchema. */
export const mediaOrVideoMatchSchema = z.union([mediaMatchSchema, videoMatchSchema]);

export const bankSchema = z.object({
  name: z.string(),
  enabled: z.boolean(),
  counts: z.object({ pdq: z.number().int(), md5: z.number().int(), sha256: z.number().int() }),
  createdAt: z.string().describe('ISO 8601'),
  updatedAt: z.string().describe('ISO 8601'),
});

export const bankListSchema = z.object({ banks: z.array(bankSchema) });

export const bankImportSchema = z.object({
  bank: z.string(),
  added: z.number().int().describe('Hashes new to the bank'),
  duplicates: z.number().int().describe('Hashes the bank already held (or repeated in the list)'),
  invalid: z.number().int().describe('Malformed lines skipped (only with ?skipInvalid=true)'),
  problems: z.array(z.string()).describe('"line N: problem", at most 100'),
  lines: z.number().int().describe('Lines read'),
});

// Webhooks, keys, maintenance ---------------------------------------------------------------------

export const webhookCreatedSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  secret: z.string().describe('The HMAC secret, shown only in this answer'),
  createdAt: ms('Registered'),
});

export const webhookListSchema = z.object({
  webhooks: z.array(
    z.object({
      id: z.string(),
      url: z.string(),
      events: z.array(z.string()),
      enabled: z.boolean(),
      createdAt: ms('Registered'),
    }),
  ),
});

export const deliveryListSchema = z.object({
  deliveries: z.array(
    z.object({
      id: z.string(),
      endpointId: z.string(),
      eventType: z.string(),
      payload: z.unknown().describe('The body sent: {id, type, tenantId, createdAt, data}'),
      status: z.enum(DELIVERY_STATUSES),
      attempts: z.number().int(),
      nextAttemptAt: ms('Next try').nullable(),
      lastError: z.string().nullable(),
      lastStatusCode: z.number().int().nullable(),
      createdAt: ms('Queued'),
      deliveredAt: ms('Delivered').nullable(),
    }),
  ),
});

export const meSchema = z.object({
  tenantId: z.string(),
  keyId: z.string(),
  keyName: z.string(),
  scopes: z.array(z.enum(API_SCOPES)),
});

export const keyListSchema = z.object({
  keys: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      prefix: z.string().describe('The first characters of the key, to recognise it in lists'),
      scopes: z.array(z.enum(API_SCOPES)),
      createdAt: ms('Created'),
      revokedAt: ms('Revoked').nullable(),
    }),
  ),
});

export const snapshotSchema = z.object({
  seq: z.number().int().describe('Events up to this seq are in the snapshot'),
});

// Reporting ---------------------------------------------------------------------------------------

export const verifyResultSchema = z.object({
  ok: z.boolean(),
  tenantId: z.string(),
  packages: z.number().int(),
  purged: z.number().int().describe('Packages whose content retention removed (digest and signature still checked)'),
  auditEntries: z.number().int(),
  problems: z
    .array(
      z.object({
        kind: z.enum([
          'package_edited',
          'package_swapped',
          'package_missing',
          'signature_mismatch',
          'unknown_key',
          'audit_gap',
          'audit_edited',
          'not_in_audit',
        ]),
        message: z.string(),
        caseId: z.string().optional(),
        version: z.number().int().optional(),
        seq: z.number().int().optional(),
      }),
    )
    .describe('At most 100 listed; problemCount counts them all'),
  problemCount: z.number().int(),
  ms: z.number().describe('Time the check took'),
});

const durations = z.object({
  count: z.number().int(),
  medianHours: z.number().nullable(),
  p90Hours: z.number().nullable(),
});

export const statisticsSchema = z.object({
  from: z.string().describe('ISO 8601'),
  to: z.string().describe('ISO 8601'),
  bucket: z.enum(['month', 'quarter', 'year']),
  generatedAt: z.string(),
  rows: z.array(
    z.object({
      period: z.string(),
      jurisdiction: z.string().describe('A country code, or ALL (each case once)'),
      detectionsByKind: z.record(z.string(), z.number()),
      casesOpened: z.number().int(),
      actionsByRung: z.record(z.string(), z.number()),
      reportsByAuthority: z.record(z.string(), z.record(z.string(), z.number())),
      reportsFiled: z.number().int(),
      detectionToAction: durations,
      detectionToReport: durations,
      appeals: z.number().int(),
      overturned: z.number().int(),
      decisions: z.number().int(),
      dismissed: z.number().int(),
      falseFlagRate: z.number().nullable().describe('Dismissed decisions / all decisions'),
    }),
  ),
});

// Drift checks: each schema's type and the route's value must be assignable both ways. -------------

type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Assignable both ways and the same top-level keys (optional fields included). */
type Same<A, B> = Mutual<A, B> extends true ? Mutual<keyof A, keyof B> : false;
const same = <A, B>(ok: Same<A, B>) => ok;
type Served<T extends { modelId?: string }> = Omit<T, 'modelId'> & { modelId: string };

same<z.output<typeof conversationRiskSchema>, Served<ConversationRiskReport>>(true);
same<z.output<typeof accountRiskSchema>, Served<ActorRiskReport>>(true);
same<z.output<typeof mediaMatchSchema>, MatchOutcome>(true);
same<z.output<typeof videoMatchSchema>['videos'][number], VideoBankMatch>(true);
same<z.output<typeof bankSchema>, BankInfo>(true);
same<z.output<typeof deliveryListSchema>['deliveries'][number], Omit<WebhookDelivery, 'tenantId'>>(true);
same<z.output<typeof meSchema>, AuthContext>(true);
same<z.output<typeof keyListSchema>['keys'][number], Omit<ApiKeyRecord, 'tenantId'>>(true);
same<z.output<typeof verifyResultSchema>, VerifyResult>(true);
same<z.output<typeof statisticsSchema>, Statistics>(true);
