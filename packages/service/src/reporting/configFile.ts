// The reporting configuration file for `lifeguard serve --reporting <file>` (JSON), checked with zod at
// start so a typo stops the service instead of a report failing weeks later. The NCMEC password may
// instead come from LIFEGUARD_NCMEC_PASSWORD, to keep it out of files.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { zodProblems } from '@lifeguard/core';
import type { ReportingConfig } from './config.ts';
import { EU_MEMBER_STATES } from './dsa/notification.ts';
import type { HttpsJsonConfig } from './httpsJson.ts';

const httpsTransport = z.strictObject({
  kind: z.literal('https'),
  url: z.url({ protocol: /^https?$/ }),
  /** The name of the environment variable holding the bearer token (never the token itself). */
  tokenEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name')
    .optional(),
  timeoutMs: z.number().int().min(1000).max(120_000).optional(),
});
const policeTransport = z.discriminatedUnion('kind', [
  httpsTransport,
  z.strictObject({ kind: z.literal('export'), dir: z.string().min(1) }),
]);
const recipient = z.strictObject({ name: z.string().min(1).max(200), transport: policeTransport });

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
      transport: z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('portal-export'), dir: z.string().min(1) }),
        httpsTransport,
      ]),
    })
    .optional(),
  dsa: z
    .strictObject({
      provider: z.strictObject({
        name: z.string().min(1).max(200),
        service: z.string().min(1).max(200),
        establishedIn: z.enum(EU_MEMBER_STATES),
        legalRepresentativeIn: z.enum(EU_MEMBER_STATES).optional(),
        contactName: z.string().min(1).max(200),
        contactEmail: z.email(),
        contactPhone: z.string().min(5).max(40).optional(),
      }),
      recipients: z
        .partialRecord(z.enum([...EU_MEMBER_STATES, 'EUROPOL']), recipient)
        .refine((r) => Object.keys(r).length > 0, 'name at least one police recipient'),
      targetMinutes: z
        .strictObject({ imminent: z.number().min(0).max(60), other: z.number().min(0).max(1440) })
        .optional(),
    })
    .optional(),
  platformCountries: z.array(country).min(1).optional(),
  // Police notifications (DSA Art. 18) have their own route and recipients, never a jurisdiction's default.
  jurisdictions: z.record(country, z.array(z.enum(['ncmec', 'nca']))).optional(),
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
      `invalid reporting configuration ${path}: ${zodProblems(parsed.error.issues).join('; ')}`,
    );
  const { ncmec, dsa: dsaFile, nca: ncaFile, ...base } = parsed.data;
  const rest = {
    ...base,
    ...(ncaFile
      ? {
          nca: {
            ...ncaFile,
            transport:
              ncaFile.transport.kind === 'https'
                ? resolveHttps(path, 'nca.transport', ncaFile.transport, env)
                : ncaFile.transport,
          },
        }
      : {}),
    ...(dsaFile ? { dsa: resolveDsa(path, dsaFile, env) } : {}),
  };
  if (!ncmec) return rest as Omit<ReportingConfig, 'evidenceKey'>;
  const password = ncmec.password ?? env.LIFEGUARD_NCMEC_PASSWORD;
  if (!password)
    throw new ReportingConfigError(
      `invalid reporting configuration ${path}: ncmec.password: set it or LIFEGUARD_NCMEC_PASSWORD`,
    );
  return { ...rest, ncmec: { ...ncmec, password } } as Omit<ReportingConfig, 'evidenceKey'>;
}

/** Police tokens come from the environment variables the file names, so no secret sits in the file. */
function resolveDsa(
  path: string,
  dsa: NonNullable<z.output<typeof reportingFileSchema>['dsa']>,
  env: NodeJS.ProcessEnv,
): NonNullable<ReportingConfig['dsa']> {
  const recipients: NonNullable<ReportingConfig['dsa']>['recipients'] = {};
  for (const [target, r] of Object.entries(dsa.recipients)) {
    if (!r) continue;
    if (r.transport.kind === 'export') {
      recipients[target as keyof typeof recipients] = { name: r.name, transport: r.transport };
      continue;
    }
    recipients[target as keyof typeof recipients] = {
      name: r.name,
      transport: resolveHttps(path, `dsa.recipients.${target}.transport`, r.transport, env),
    };
  }
  return { ...dsa, recipients } as NonNullable<ReportingConfig['dsa']>;
}

function resolveHttps(
  path: string,
  field: string,
  t: z.output<typeof httpsTransport>,
  env: NodeJS.ProcessEnv,
): HttpsJsonConfig {
  const { tokenEnv, ...rest } = t;
  const token = tokenEnv ? env[tokenEnv] : undefined;
  if (tokenEnv && !token)
    throw new ReportingConfigError(
      `invalid reporting configuration ${path}: ${field}.tokenEnv: ${tokenEnv} is not set`,
    );
  return { ...rest, ...(token ? { token } : {}) };
}
