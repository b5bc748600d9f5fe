// The event schema: the one contract shared by the service, the CLI and on-device mode.
// Zod is the single source: runtime validation, TypeScript types and the JSON Schema in docs/.
import { z } from 'zod';
import { problemPath, zodProblems } from './problems.ts';
import { quickEvent } from './eventFastPath.ts';

/** Limits that keep one hostile event from exhausting memory. */
export const LIMITS = {
  idLength: 256,
  textLength: 20_000,
  recipients: 256,
  reasonLength: 2_000,
} as const;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why a string cannot be stored as sent, or null: PostgreSQL refuses U+0000 in text, and an unpaired
 * UTF-16 surrogate has no UTF-8 form (two ids differing only there would become one). Refused in every
 * store alike, so SQLite and PostgreSQL accept the same events.
 */
export function unstorableReason(s: string): string | null {
  if (s.includes('\u0000')) return 'contains U+0000 (NUL), which is not accepted';
  if (LONE_SURROGATE.test(s)) return 'contains an unpaired UTF-16 surrogate, which is not valid Unicode';
  return null;
}

/** A string schema that refuses what unstorableReason names. */
export function storable<S extends z.ZodString>(schema: S): S {
  return schema
    .refine((s) => !s.includes('\u0000'), 'contains U+0000 (NUL), which is not accepted')
    .refine((s) => !LONE_SURROGATE.test(s), 'contains an unpaired UTF-16 surrogate, which is not valid Unicode') as S;
}

/** One id rule for events and every API path and body. */
export const idSchema = storable(
  z.string().min(1, 'must not be empty').max(LIMITS.idLength, `must be at most ${LIMITS.idLength} characters`),
);
const id = idSchema;

/** ISO 8601 date-time string or milliseconds since the Unix epoch. */
export const timeSchema = z.union(
  [
    z.number().int().nonnegative('must not be before 1970-01-01T00:00:00Z (0 or more)').max(8.64e15),
    // An offset is required: without one the time would be read in whatever zone the server runs in.
    // Years before 1970 are refused like negative epoch numbers (year 0000 is no event time).
    z.iso
      .datetime({
        offset: true,
        error: 'must be milliseconds since the epoch or an ISO 8601 date-time with an offset (Z or +hh:mm)',
      })
      .refine((s) => !(Date.parse(s) < 0), 'must not be before 1970-01-01T00:00:00Z'),
  ],
  {
    error:
      'must be milliseconds since the epoch (0 or more) or an ISO 8601 date-time with an offset (Z or +hh:mm), not before 1970',
  },
);

export const ageBandSchema = z.enum(['under13', '13-15', '16-17', 'adult', 'unknown']);
export type AgeBand = z.infer<typeof ageBandSchema>;

export const accountEventSchema = z.strictObject({
  type: z.literal('account'),
  id,
  time: timeSchema,
  userId: id,
  /** Declared age in years, if the platform knows it. */
  age: z.number().int().min(0).max(130).optional(),
  /** Age band where the exact age is not known or not shared. */
  ageBand: ageBandSchema.optional(),
  /** When the account was created (defaults to the event's time). */
  createdAt: timeSchema.optional(),
  /** ISO country code, used to choose a jurisdiction's safety policy. */
  country: storable(z.string().length(2)).optional(),
  /** BCP 47 language tag for the text shown to this account (e.g. "de", "pt-BR"); unknown tags fall back. */
  locale: z
    .string()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, 'must be a BCP 47 language tag such as "de" or "pt-BR"')
    .optional(),
});

export const messageEventSchema = z.strictObject({
  type: z.literal('message'),
  id,
  time: timeSchema,
  conversationId: id,
  senderId: id,
  recipientIds: z.array(id).max(LIMITS.recipients).default([]),
  text: storable(z.string().max(LIMITS.textLength, `must be at most ${LIMITS.textLength} characters`)),
  /** Attachments are referenced, never embedded: the engine sees that an image was sent. */
  attachments: z
    .array(z.strictObject({ kind: z.enum(['image', 'video', 'audio', 'file']), ref: id.optional() }))
    .max(32)
    .optional(),
});

export const contactActionSchema = z.enum(['friend_request', 'friend_accept', 'unfriend', 'block', 'report']);
export type ContactAction = z.infer<typeof contactActionSchema>;

export const contactEventSchema = z.strictObject({
  type: z.literal('contact'),
  id,
  time: timeSchema,
  action: contactActionSchema,
  /** Who did it (the one who blocks, reports or sends the request). */
  actorId: id,
  /** Who it was done to. */
  targetId: id,
  reason: storable(z.string().max(LIMITS.reasonLength)).optional(),
  conversationId: id.optional(),
});

export const eventSchema = z.discriminatedUnion('type', [accountEventSchema, messageEventSchema, contactEventSchema]);

export type AccountEvent = z.infer<typeof accountEventSchema>;
export type MessageEvent = z.infer<typeof messageEventSchema>;
export type ContactEvent = z.infer<typeof contactEventSchema>;
export type LifeguardEvent = z.infer<typeof eventSchema>;
/** What callers may pass before defaults are applied (recipientIds optional). */
export type LifeguardEventInput = z.input<typeof eventSchema>;

export const EVENT_TYPES = ['account', 'message', 'contact'] as const;

export class EventValidationError extends Error {
  constructor(
    message: string,
    /** Each problem as `path: reason`, e.g. `text: must be at most 20000 characters`. */
    readonly problems: string[],
  ) {
    super(message);
    this.name = 'EventValidationError';
  }
}

export type ParseResult = { ok: true; event: LifeguardEvent } | { ok: false; error: EventValidationError };

/**
 * Validates one decoded JSON value as an event, naming every bad field. `at` is where the event sits in
 * a larger input (e.g. `events[3]`), so problems name the whole path (`events[3].attachments[0].kind`).
 * Never throws.
 */
export function parseEvent(value: unknown, at = ''): ParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail([`${problemPath([], at)}: expected a JSON object`]);
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    return fail([
      `${problemPath(['type'], at)}: unknown event type ${JSON.stringify(type ?? null)}; expected one of ${EVENT_TYPES.join(', ')}`,
    ]);
  }
  const quick = quickEvent(value);
  if (quick) return { ok: true, event: quick };
  const result = eventSchema.safeParse(value);
  if (result.success) return { ok: true, event: result.data };
  return fail(zodProblems(result.error.issues, at));
}

function fail(problems: string[]): ParseResult {
  return { ok: false, error: new EventValidationError(`invalid event: ${problems.join('; ')}`, problems) };
}

/** Converts an event time to milliseconds since the epoch. */
export function toMillis(time: string | number): number {
  return typeof time === 'number' ? time : Date.parse(time);
}

/** JSON Schema of the event contract, for docs/ and for HTTP validation. */
export function eventJsonSchema(): unknown {
  return z.toJSONSchema(eventSchema, { target: 'draft-2020-12', io: 'input' });
}
