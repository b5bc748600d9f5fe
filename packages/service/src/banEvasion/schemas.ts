// Request and response shapes of the ban-evasion endpoints. Every input is bounded: lengths of each
// value and how many values of each kind one account may carry.
import { z } from 'zod';
import { idSchema, timeSchema } from '@lifeguard/core';
import { BAN_LINK_KINDS } from '../policy/policy.ts';

const id = idSchema;
const opaque = (what: string) =>
  z.string().trim().min(1, 'must not be blank').max(256, 'must be at most 256 characters').describe(what);
const list = <T extends z.ZodType>(item: T, max: number, what: string) =>
  z.array(item).max(max, `must hold at most ${max} values`).describe(what);

export const IDENTIFIER_LIMITS = { deviceIds: 20, paymentFingerprints: 20, ipFingerprints: 50, photoPdq: 10 } as const;

export const identifiersBody = z
  .strictObject({
    email: z
      .string()
      .max(320, 'must be at most 320 characters')
      .nullable()
      .optional()
      .describe('Normalised (case, +tags, Gmail dots, googlemail) and stored only as a keyed hash; null removes it'),
    phone: z
      .string()
      .max(40, 'must be at most 40 characters')
      .nullable()
      .optional()
      .describe(
        "Any common format; national numbers get the policy's default calling code. Stored only as a keyed hash",
      ),
    username: z
      .string()
      .max(64, 'must be at most 64 characters')
      .nullable()
      .optional()
      .describe(
        'Public name; stored as its skeleton (look-alike letters, leetspeak, end digits folded) for similarity',
      ),
    deviceIds: list(
      opaque('device id'),
      IDENTIFIER_LIMITS.deviceIds,
      'Device ids seen on the account; stored only as keyed hashes',
    ).optional(),
    paymentFingerprints: list(
      opaque('payment fingerprint'),
      IDENTIFIER_LIMITS.paymentFingerprints,
      'Payment-method fingerprints (never card numbers); stored only as keyed hashes',
    ).optional(),
    ipFingerprints: list(
      opaque('IP address or network fingerprint'),
      IDENTIFIER_LIMITS.ipFingerprints,
      'IP addresses or fingerprints; stored only as keyed hashes; a link by IP alone only flags',
    ).optional(),
    photoPdq: list(
      z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be a PDQ hash: 64 hex characters'),
      IDENTIFIER_LIMITS.photoPdq,
      'Profile photos as PDQ hashes (hex)',
    ).optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message:
      'must name at least one identifier (email, phone, username, deviceIds, paymentFingerprints, ipFingerprints, photoPdq)',
  });

export const signupBody = z.strictObject({
  accountId: id.describe('The new account'),
  identifiers: identifiersBody,
});

export const banBody = z.strictObject({
  reason: z
    .string()
    .regex(/^[a-z0-9_]{1,40}$/, 'must be lower-case letters, digits or _ (at most 40), e.g. "grooming"')
    .describe("Only the policy's child-safety reasons (grooming, sextortion, known_image, ...) link new accounts"),
  caseId: id.nullable().optional(),
  actor: z
    .string()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .optional()
    .describe("Who disabled the account (default: the API key's name)"),
  at: timeSchema.optional().describe('When the account was disabled (default: now)'),
});

export const liftBody = z
  .strictObject({
    actor: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    note: z.string().max(2000, 'must be at most 2000 characters').optional(),
  })
  .optional();

export const accountParams = z.strictObject({ id });

const linkKind = z.enum(BAN_LINK_KINDS);

export const signupResult = z.object({
  accountId: z.string(),
  decision: z
    .enum(['allow', 'flag', 'block'])
    .describe('block: refuse or hold the sign-up; flag: allow it and queue for review'),
  links: z.array(
    z.object({
      bannedAccountId: z.string(),
      kind: linkKind,
      strength: z.number().describe('1 for an identical identifier; the similarity for usernames and photos'),
      action: z.enum(['block', 'flag']),
      explanation: z.string(),
    }),
  ),
  reasons: z.array(z.string()),
});

export const banRecordSchema = z.object({
  id: z.string(),
  userId: z.string(),
  reason: z.string(),
  caseId: z.string().nullable(),
  actor: z.string(),
  at: z.number(),
  liftedAt: z.number().nullable(),
  liftedBy: z.string().nullable(),
  liftNote: z.string().nullable(),
});

export const banResult = z.object({
  ban: banRecordSchema,
  childSafety: z
    .boolean()
    .describe("Whether this ban links new accounts (its reason is one of the policy's child-safety reasons)"),
});

export const linkedResult = z.object({
  accountId: z.string(),
  bans: z.array(banRecordSchema),
  linkedAccounts: z.array(
    z.object({
      userId: z.string(),
      banned: z.boolean(),
      links: z.array(z.object({ kind: linkKind, explanation: z.string() })),
    }),
  ),
});
