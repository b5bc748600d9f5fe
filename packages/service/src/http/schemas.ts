// Request and response shapes. Routes put these zod schemas in their `schema`: they validate each
// request (zodRoutes.ts, with the CLI's problem lines) and, converted to JSON Schema, document it in OpenAPI.
import { z } from 'zod';
import { idSchema, LIMITS, eventJsonSchema, timeSchema } from '@lifeguard/core';
import { API_SCOPES, CASE_STATUSES, DELIVERY_STATUSES } from '@lifeguard/storage';

/** JSON Schema for OpenAPI 3.1 (draft 2020-12) from a zod schema. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  delete out.$schema;
  return out;
}

const id = idSchema;
const country = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'must be a two-letter ISO 3166-1 country code')
  .transform((c) => c.toUpperCase());

export const errorSchema = z.object({
  error: z.string().describe('What went wrong, in words'),
  code: z
    .string()
    .describe(
      'Machine-readable class: invalid_request, malformed_json, payload_too_large, unauthorized, forbidden, not_found, conflict, ...',
    ),
  problems: z.array(z.string()).optional().describe('One line per bad field: "path: reason"'),
});

/** An answer documented only as a JSON object (any TypeScript object type satisfies it). */
export const anyObject = z
  .custom<object>((v) => typeof v === 'object' && v !== null)
  .meta({ type: 'object', additionalProperties: true });

// Ingestion ---------------------------------------------------------------------------------------

/**
 * The events of a batch: each is validated on its own by parseEvent in the handler (so one bad event
 * does not refuse the others), and documented as the event schema itself.
 */
const batchEvent = z.unknown().meta(withoutSchemaKey(eventJsonSchema()));

function withoutSchemaKey(schema: unknown): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema as Record<string, unknown>;
  return rest;
}

export function ingestBodySchema(maxEvents: number) {
  return z.strictObject({
    events: z
      .array(batchEvent)
      .min(1, 'must contain at least one event')
      .max(maxEvents, `must contain at most ${maxEvents} events; split the batch`),
  });
}

export const ingestResultSchema = z.object({
  accepted: z.number().int().describe('Events stored now'),
  duplicates: z.number().int().describe('Events whose id was already stored (not stored again, not reprocessed)'),
  rejected: z.number().int().describe('Invalid events (not stored); see results[].problems'),
  results: z.array(
    z.object({
      index: z.number().int(),
      id: z.string().nullable(),
      status: z.enum(['accepted', 'duplicate', 'rejected']),
      problems: z.array(z.string()).optional(),
    }),
  ),
});

// Decisions ---------------------------------------------------------------------------------------

export const contactDecisionBody = z.strictObject({
  senderId: id,
  recipientId: id,
  kind: z.enum(['message', 'friend_request']).default('message').describe('A direct message or a friend request'),
  country: country.optional().describe('Jurisdiction hint when neither account has a known country'),
});

export const messageDecisionBody = z.strictObject({
  senderId: id,
  recipientId: id,
  conversationId: id.optional(),
  text: z.string().max(LIMITS.textLength, `must be at most ${LIMITS.textLength} characters`),
  attachments: z
    .array(z.strictObject({ kind: z.enum(['image', 'video', 'audio', 'file']) }))
    .max(32)
    .optional(),
  country: country.optional(),
  record: z
    .strictObject({
      id: id.describe("The message event's id (the idempotency key, as in POST /v1/events)"),
      time: timeSchema.describe('When the message was sent'),
    })
    .optional()
    .describe(
      'Also store this message as an event, in the same call (needs conversationId and a key with the ingest scope too)',
    ),
});

export const visibilityDecisionBody = z.strictObject({
  viewerId: id,
  subjectIds: z.array(id).min(1, 'must name at least one account').max(500, 'must name at most 500 accounts'),
  surface: z.enum(['friend_suggestions', 'connection_lists']),
  country: country.optional(),
});

const reasonSchema = z.object({ code: z.string(), message: z.string() });
const nudgeSchema = z.object({
  audience: z.enum(['recipient', 'sender']),
  code: z.string(),
  text: z.string(),
  helpUrl: z.string().optional(),
  help: z.array(z.object({ name: z.string(), url: z.string(), phone: z.string().optional() })).optional(),
});

export const localeChoiceSchema = z
  .object({
    requested: z.string().nullable().describe("The account's locale from its account event (null when none was sent)"),
    used: z.string().describe('Catalogue used: en-GB, en-US, de, fr, es, pt-BR, it, nl or pl'),
    fallback: z
      .enum(['none', 'language', 'country', 'default'])
      .describe('none: the requested locale is shipped; otherwise the fallback that chose `used`'),
    reason: z.string(),
  })
  .describe(
    "Language of the reasons and nudges: the protected (recipient's) account's locale, with the fallback stated",
  );

export const decisionResultSchema = z.object({
  decision: z.enum(['allow', 'allow_with_warning', 'hold', 'block']),
  reasons: z.array(reasonSchema).describe('Strongest first'),
  nudges: z.array(nudgeSchema),
  profile: z.string().describe('Policy profile applied (e.g. uk, eu)'),
  locale: localeChoiceSchema,
  modelId: z.string().describe("The tenant's risk model, whose detector scores the decision used"),
});

export const messageDecisionResultSchema = decisionResultSchema.extend({
  deliver: z.boolean().describe('Deliver now (false for hold and block)'),
  signals: z.array(z.string()).describe('Signal kinds found in the text'),
  recorded: z
    .enum(['accepted', 'duplicate'])
    .optional()
    .describe('With record: the message event was stored now, or had been stored before'),
});

export const visibilityResultSchema = z.object({
  profile: z.string(),
  locale: localeChoiceSchema,
  modelId: z.string().describe("The tenant's risk model, whose detector scores the decision used"),
  results: z.array(z.object({ subjectId: z.string(), visible: z.boolean(), reasons: z.array(reasonSchema) })),
});

// Cases -------------------------------------------------------------------------------------------

export const caseListQuery = z.strictObject({
  status: z.enum(CASE_STATUSES).optional(),
  accusedId: id.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(600).optional(),
});

export const caseIdParams = z.strictObject({ id });

export const transitionBody = z.strictObject({
  to: z.enum(CASE_STATUSES),
  note: z.string().min(1).max(4000).optional(),
  reviewer: z.string().min(1).max(200).optional().describe('Who made the change (defaults to the API key name)'),
  expectedVersion: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Refuse with 409 if the case changed since this version'),
});

export const noteBody = z.strictObject({
  note: z.string().min(1).max(4000),
  reviewer: z.string().min(1).max(200).optional(),
});

const caseSchema = z.object({
  id: z.string(),
  accusedId: z.string(),
  status: z.enum(CASE_STATUSES),
  level: z.string(),
  score: z.number(),
  conversationIds: z.array(z.string()),
  openedAt: z.number(),
  updatedAt: z.number(),
  version: z.number(),
  evidencePurgedAt: z
    .number()
    .optional()
    .describe(
      'When retention removed the message content of this dismissed case (texts, quoted spans, attachment references); absent while it is kept',
    ),
});

export const caseListResult = z.object({ cases: z.array(caseSchema), nextCursor: z.string().nullable() });
export const caseDetailResult = z.object({
  case: caseSchema.extend({
    evidence: z
      .record(z.string(), z.unknown())
      .describe(
        'Alerts, reports, the messages around them, participants and ages; each alert and report names its modelId',
      ),
    modelId: z
      .string()
      .nullable()
      .describe(
        "The risk model that produced the case's latest scores (null for cases stored before models were recorded)",
      ),
  }),
  history: z.array(
    z.object({
      at: z.number(),
      actor: z.string(),
      action: z.string(),
      fromStatus: z.string().nullable(),
      toStatus: z.string().nullable(),
      note: z.string().nullable(),
    }),
  ),
});

// Maintenance -------------------------------------------------------------------------------------

export const retentionResult = z.object({
  messagesPurged: z
    .number()
    .int()
    .describe('Raw message texts removed (older than olderThan, in conversations no case holds)'),
  excerptsRemoved: z
    .number()
    .int()
    .describe("Evidence excerpts removed from the detector's memory by the same rule (kind, span and message id stay)"),
  olderThan: z.number().describe('Event-time cut-off for raw message text (ms since the epoch)'),
  coveredSeq: z.number().int().describe('Events up to this seq are in the snapshot taken first; only they were purged'),
  dismissedCases: z.object({
    casesPurged: z.number().int().describe('Dismissed cases whose copied message content was removed in this run'),
    messageTexts: z.number().int().describe('Message texts removed from those cases'),
    excerpts: z.number().int().describe('Quoted spans removed from their detector reports'),
    attachments: z.number().int().describe('Attachment references removed'),
    dismissedBefore: z.number().describe('Cases last dismissed before this time (ms since the epoch) were due'),
  }),
  familyMetadata: z
    .object({
      contactPairs: z
        .number()
        .int()
        .describe(
          'Message-contact rows (a linked teen and another account: counts, no text) with nothing in the last 8 days, removed',
        ),
      warnings: z.number().int().describe('Records of safety prompts shown removed'),
      before: z.number().describe('Family Centre metadata older than this (8 days) was removed'),
    })
    .describe('Family Centre keeps only what its 7-day view needs'),
});

// Webhooks, keys ----------------------------------------------------------------------------------

export const WEBHOOK_EVENT_TYPES = [
  'case.opened',
  'case.updated',
  'case.transitioned',
  'decision.made',
  'family.notification',
  'family.report',
] as const;

export const webhookBody = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2000),
  events: z
    .array(
      z
        .string()
        .refine(
          (e) =>
            e === '*' || e === 'case.*' || e === 'family.*' || (WEBHOOK_EVENT_TYPES as readonly string[]).includes(e),
          { message: `must be one of *, case.*, family.*, ${WEBHOOK_EVENT_TYPES.join(', ')}` },
        ),
    )
    .min(1)
    .default(['*']),
  secret: z
    .string()
    .min(16, 'must be at least 16 characters')
    .max(200)
    .optional()
    .describe('Shared HMAC secret; generated if omitted'),
});

export const deliveriesQuery = z.strictObject({
  status: z.enum(DELIVERY_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const keyBody = z.strictObject({
  name: z.string().min(1).max(100),
  scopes: z.array(z.enum(API_SCOPES)).min(1),
});

export const idParams = z.strictObject({ id });

/**
 * OpenAPI security for every /v1 route: the key as "Authorization: Bearer <key>" or as "X-Api-Key: <key>"
 * (either one; the schemes are declared in server.ts).
 */
export const API_KEY_SECURITY: { [scheme: string]: string[] }[] = [{ bearerKey: [] }, { xApiKey: [] }];

export const keyCreatedSchema = z.object({
  key: z
    .string()
    .describe(
      'The API key itself (lg_...): send it as "Authorization: Bearer <key>" or "X-Api-Key: <key>". Shown only in this answer; only its hash is stored',
    ),
  id: z.string().describe("The key's id, for listing and revoking"),
  name: z.string(),
  prefix: z.string().describe('The first characters of the key, to recognise it in lists'),
  scopes: z.array(z.enum(API_SCOPES)),
  createdAt: z.number().describe('ms since the epoch'),
});
