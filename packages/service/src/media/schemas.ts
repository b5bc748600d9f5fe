// Request shapes for known-image matching and hash banks (zod, as the rest of the API).
import { z } from 'zod';

const id = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');
const hex = (digits: number, what: string) =>
  z
    .string()
    .regex(new RegExp(`^[0-9a-fA-F]{${digits}}$`), `must be ${digits} hex digits (${what})`)
    .transform((h) => h.toLowerCase());

/** Who uploaded the image and where; query string for raw image bodies. */
export const uploadIdsQuery = z.strictObject({
  userId: id.describe('The uploader: a match opens (or updates) a case against this account'),
  conversationId: id.optional(),
  messageId: id.optional().describe('Makes the request idempotent: a retry for the same message records nothing new'),
});

/** Hashes computed by the platform (on device or in its own backend), with the same ids. */
export const hashMatchBody = z
  .strictObject({
    pdq: hex(64, 'a PDQ hash').optional(),
    quality: z
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe('PDQ quality from the hasher; below the minimum only MD5/SHA-256 are matched'),
    md5: hex(32, 'an MD5 of the file').optional(),
    sha256: hex(64, 'a SHA-256 of the file').optional(),
    userId: id.optional(),
    conversationId: id.optional(),
    messageId: id.optional(),
  })
  .refine((b) => b.pdq !== undefined || b.md5 !== undefined || b.sha256 !== undefined, {
    message: 'send at least one of pdq, md5, sha256',
    path: ['pdq'],
  });

export const bankNameParams = z.strictObject({ name: z.string().min(1).max(64) });
export const bankHashParams = z.strictObject({ name: z.string().min(1).max(64), hash: z.string().min(1).max(80) });

export const createBankBody = z.strictObject({
  name: z.string().describe('1-64 letters, digits, ".", "_" or "-", starting with a letter or digit'),
  enabled: z.boolean().default(true),
});

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const importQuery = z.strictObject({
  kind: z.enum(['pdq', 'sha256']).default('pdq').describe('What a bare 64-digit hash is (32 digits is always MD5)'),
  skipInvalid: flag
    .default(false)
    .describe('Import the good lines even if some are malformed (default: import nothing)'),
});

export const removeHashQuery = z.strictObject({
  kind: z.enum(['pdq', 'md5', 'sha256']).optional().describe('Default: MD5 for 32 digits, PDQ then SHA-256 for 64'),
});
