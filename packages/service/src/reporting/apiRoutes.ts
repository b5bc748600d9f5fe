// Reports and evidence on the platform API (/v1, API keys with the admin scope): evidence verification,
// which returns findings and counts, never content. Evidence content is read and exported only by a
// specialist signed in to the console (consoleRoutes.ts) or with the CLI on the database host.
import { API_KEY_SECURITY, errorSchema } from '../http/schemas.ts';
import { statisticsSchema, verifyResultSchema } from '../http/responseSchemas.ts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../context.ts';
import { auth } from '../http/auth.ts';
import { ApiError } from '../http/errors.ts';
import { BUCKETS, loadStatistics, statisticsCsv } from './statistics.ts';
import { named, type ZodTypeProvider } from '../http/zodRoutes.ts';

const DAY = 86_400_000;
export const statisticsQuery = z.strictObject({
  from: z.iso.date({ message: 'must be a date, e.g. 2026-01-01' }).optional(),
  to: z.iso.date({ message: 'must be a date, e.g. 2026-12-31' }).optional(),
  bucket: z.enum(BUCKETS).default('month'),
});

/** The period asked for: [from, to + 1 day), at most ten years; default the last 365 days. */
export function statisticsRange(q: z.output<typeof statisticsQuery>, now = Date.now()): { from: number; to: number } {
  const to = q.to ? Date.parse(`${q.to}T00:00:00Z`) + DAY : now;
  const from = q.from ? Date.parse(`${q.from}T00:00:00Z`) : to - 365 * DAY;
  if (from >= to) throw new ApiError(400, 'invalid_request', 'invalid statistics query', ['from: must be before to']);
  if (to - from > 3653 * DAY)
    throw new ApiError(400, 'invalid_request', 'invalid statistics query', ['from: at most ten years before to']);
  return { from, to };
}

const verifyBody = z.strictObject({ caseId: z.string().min(1).max(200).optional() }).default({});

export async function reportingApiRoutes(instance: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { ctx } = opts;
  app.post(
    '/evidence/verify',
    {
      config: { scope: 'admin' },
      schema: {
        body: named(verifyBody, 'verify request'),
        summary: 'Verify preserved evidence',
        description:
          "Recomputes every frozen evidence package's SHA-256, checks its signature and that the audit log records it, and re-walks the audit hash chain. " +
          'Answers {ok, packages, purged, auditEntries, problems[{kind, message, caseId?, version?, seq?}], problemCount, ms}; kinds: package_edited, package_swapped, ' +
          'package_missing, signature_mismatch, unknown_key, audit_gap, audit_edited, not_in_audit.',
        tags: ['admin'],
        security: API_KEY_SECURITY,
        response: { 200: verifyResultSchema, 400: errorSchema },
      },
    },
    async (request) => {
      const body = request.body;
      const { tenantId } = auth(request);
      const result = await ctx.reporting.vault.verify(tenantId, body.caseId);
      await ctx.storage.appendAudit(tenantId, {
        at: Date.now(),
        actor: { system: `api-key:${auth(request).keyId}` },
        action: 'evidence.verify',
        caseId: body.caseId ?? null,
        targetId: null,
        details: { ok: result.ok, problems: result.problemCount },
      });
      return result;
    },
  );

  const statsSchema = {
    tags: ['admin'],
    security: API_KEY_SECURITY,
    querystring: statisticsQuery,
  };
  app.get(
    '/statistics',
    {
      config: { scope: 'cases:read' },
      schema: {
        ...statsSchema,
        summary: 'Transparency statistics',
        response: { 200: statisticsSchema, 400: errorSchema },
        description:
          'Per period and jurisdiction: detections by kind, cases opened, actions by rung, reports by authority and priority, time from detection to action and to report (median, p90), appeals, overturned decisions, false-flag rate. Counts only; computed from stored data.',
      },
    },
    async (request) => {
      const q = request.query;
      const { from, to } = statisticsRange(q);
      return loadStatistics(ctx.storage, auth(request).tenantId, from, to, q.bucket);
    },
  );
  app.get(
    '/statistics.csv',
    {
      config: { scope: 'cases:read' },
      schema: {
        ...statsSchema,
        summary: 'Transparency statistics as CSV',
        response: {
          200: {
            description: 'One number a line: period,jurisdiction,metric,key,value',
            content: { 'text/csv': { schema: z.string() } },
          },
          400: errorSchema,
        },
        description: 'The same numbers, one per line: period,jurisdiction,metric,key,value.',
      },
    },
    async (request, reply) => {
      const q = request.query;
      const { from, to } = statisticsRange(q);
      const stats = await loadStatistics(ctx.storage, auth(request).tenantId, from, to, q.bucket);
      reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="lifeguard-statistics-${stats.from.slice(0, 10)}-${stats.to.slice(0, 10)}.csv"`,
        );
      return statisticsCsv(stats);
    },
  );
}
