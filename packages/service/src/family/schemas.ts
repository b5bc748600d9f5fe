// Family Centre and safety-by-design request shapes (zod: validation and OpenAPI).
import { z } from 'zod';
import { LIMITS } from '@lifeguard/core';
import { SAFETY_DEFAULTS } from '../policy/policy.ts';

const id = z.string().min(1, 'must not be empty').max(LIMITS.idLength, `must be at most ${LIMITS.idLength} characters`);
const country = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'must be a two-letter ISO 3166-1 country code')
  .transform((c) => c.toUpperCase());

export const linkBody = z.strictObject({
  parentId: id.describe('The parent or carer (an adult account)'),
  teenId: id.describe('The child account'),
  basis: z
    .enum(['consent', 'platform_age_rule'])
    .default('consent')
    .describe(
      "consent: the teen must accept. platform_age_rule: a child under the profile's platformLinksUnder age, linked under the platform's own age rules (active at once)",
    ),
});
export const linkParams = z.strictObject({ id });
export const linksQuery = z.strictObject({ userId: id });
export const teenBody = z.strictObject({ teenId: id });
export const endBody = z.strictObject({
  userId: id.describe('Who ends it: the parent, or the teen where the policy allows'),
});
export const viewQuery = z.strictObject({
  viewerId: id,
  names: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('true: add `data.names`, the display names reported with PUT /v1/family/names'),
});
export const reportBody = z.strictObject({ reporterId: id, accountId: id });

const colour = z.string().regex(/^#[0-9a-fA-F]{3,8}$/, 'must be a hex colour such as #1a73e8');
export const themeSchema = z
  .strictObject({
    accent: colour.optional(),
    background: colour.optional(),
    text: colour.optional(),
    muted: colour.optional(),
    radius: z
      .string()
      .regex(/^\d{1,2}px$/, 'must be a pixel length such as 8px')
      .optional(),
    font: z
      .string()
      .regex(
        /^[A-Za-z0-9 ,'-]{1,100}$/,
        'must be a font family list (letters, digits, spaces, commas, quotes, hyphens)',
      )
      .optional(),
  })
  .describe('Theme for the embedded page, applied as CSS custom properties');
export const pageTokenBody = z.strictObject({
  viewerId: id,
  theme: themeSchema.optional(),
  ttlSeconds: z.number().int().min(60).max(3600).default(900),
});

export const settingsBody = z.strictObject({
  settings: z
    .partialRecord(z.enum(SAFETY_DEFAULTS), z.boolean())
    .refine((s) => Object.keys(s).length > 0, 'must report at least one setting')
    .describe('true: the protective default is on (e.g. profile_private: true)'),
});
export const userParams = z.strictObject({ userId: id });

export const defaultsBody = z.strictObject({
  userId: id,
  age: z.number().int().min(0).max(130).optional(),
  ageBand: z.enum(['under13', '13-15', '16-17', 'adult', 'unknown']).optional(),
  country: country.optional(),
  locale: z.string().max(35).optional(),
});
export const groupInviteBody = z.strictObject({
  inviterId: id,
  inviteeId: id,
  groupId: id.optional(),
  inviteeConsented: z.boolean().describe('The child has accepted this invitation'),
});
export const locationShareBody = z.strictObject({
  userId: id.describe('The account whose location would be shared'),
  viewerIds: z.array(id).min(1, 'must name at least one account').max(500, 'must name at most 500 accounts'),
});

export const namesBody = z.strictObject({
  names: z
    .array(
      z.strictObject({
        userId: id,
        name: z
          .string()
          .trim()
          .min(1, 'must not be empty (send null to remove a name)')
          .max(100, 'must be at most 100 characters')
          .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
          .nullable()
          .describe('The name the platform shows for the account; null removes it'),
      }),
    )
    .min(1, 'must name at least one account')
    .max(1000, 'must name at most 1000 accounts per request')
    .superRefine((names, ctx) => {
      const seen = new Set<string>();
      for (const [i, n] of names.entries()) {
        if (seen.has(n.userId))
          ctx.addIssue({ code: 'custom', path: [i, 'userId'], message: `"${n.userId}" is named twice in one request` });
        seen.add(n.userId);
      }
    }),
});
