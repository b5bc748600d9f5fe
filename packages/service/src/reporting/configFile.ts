// The reporting configuration file for `lifeguard serve --reporting <file>` (JSON), checked with zod at
// start so a typo stops the service instead of a report failing weeks later. The NCMEC password may
// instead come from LIFEGUARD_NCMEC_PASSWORD, to keep it out of files.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AUTHORITIES } from '@lifeguard/storage';
import { issuesToProblems } from '../http/errors.ts';
import type { ReportingConfig } from './config.ts';

const country = z.string().regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166 country code');

export const reportingFileSchema = z.strictObject({
  reporter: z
    .strictObject({
      companyName: z.string().min(1).max(200),
      email: z.email(),
      firstName: z.string().min(1).max(100).optional(),
      lastName: z.string().min(1).max(100).optional(),
      phone: z.string().min(5).max(40).optional(),
      termsOfServiceUrl: z.url().optional(),
      legalUrl: z.url().optional(),
      service: z.string().min(1).max(200),
    })
    .optional(),
  ncmec: z
    .strictObject({
      environment: z.enum(['test', 'production']).default('test'),
      baseUrl: z.url().optional(),
      username: z.string().min(1),
      password: z.string().min(1).optional(),
      timeoutMs: z.number().int().min(1000).max(600_000).optional(),
    })
    .optional(),
  nca: z
    .strictObject({
      registrationId: z.string().min(1).max(100),
      organisation: z.string().min(1).max(200),
      contactName: z.string().min(1).max(200),
      contactEmail: z.email(),
      contactPhone: z.string().min(5).max(40).optional(),
      serviceName: z.string().min(1).max(200),
      serviceUrl: z.url(),
      transport: z.strictObject({ kind: z.literal('portal-export'), dir: z.string().min(1) }),
    })
    .optional(),
  platformCountries: z.array(country).min(1).optional(),
  jurisdictions: z.record(country, z.array(z.enum(AUTHORITIES))).optional(),
  ncaWhenReportedToNcmec: z.enum(['covered', 'file']).optional(),
  priorityTargetHours: z
    .strictObject({ 1: z.number().min(0).max(720), 2: z.number().min(0).max(720), 3: z.number().min(0).max(720) })
    .optional(),
});

export class ReportingConfigError extends Error {}

export function loadReportingFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Omit<ReportingConfig, 'evidenceKey'> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ReportingConfigError(`cannot read the reporting configuration ${path}: ${(err as Error).message}`);
  }
  const parsed = reportingFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new ReportingConfigError(
      `invalid reporting configuration ${path}: ${issuesToProblems(parsed.error.issues).join('; ')}`,
    );
  const { ncmec, ...rest } = parsed.data;
  if (!ncmec) return rest as Omit<ReportingConfig, 'evidenceKey'>;
  const password = ncmec.password ?? env.LIFEGUARD_NCMEC_PASSWORD;
  if (!password)
    throw new ReportingConfigError(
      `invalid reporting configuration ${path}: ncmec.password: set it or LIFEGUARD_NCMEC_PASSWORD`,
    );
  return { ...rest, ncmec: { ...ncmec, password } } as Omit<ReportingConfig, 'evidenceKey'>;
}
