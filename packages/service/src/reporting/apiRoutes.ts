// Reports and evidence on the platform API (/v1, API keys with the admin scope): evidence verification,
// which returns findings and counts, never content. Evidence content is read and exported only by a
// specialist signed in to the console (consoleRoutes.ts) or with the CLI on the database host.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../context.ts';
import { auth } from '../http/auth.ts';
import { parseOr400 } from '../http/errors.ts';

const verifyBody = z.strictObject({ caseId: z.string().min(1).max(200).optional() }).default({});

export async function reportingApiRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  app.post('/evidence/verify', {
    config: { scope: 'admin' },
    schema: {
      summary: 'Verify preserved evidence',
      description: 'Recomputes every frozen evidence package\'s SHA-256, checks its signature and that the audit log records it, and re-walks the audit hash chain. ' +
        'Answers {ok, packages, purged, auditEntries, problems[{kind, message, caseId?, version?, seq?}], problemCount, ms}; kinds: package_edited, package_swapped, ' +
        'package_missing, signature_mismatch, unknown_key, audit_gap, audit_edited, not_in_audit.',
      tags: ['admin'],
      security: [{ apiKey: [] }],
    },
  }, async (request) => {
    const body = parseOr400(verifyBody, request.body ?? {}, 'verify request');
    const { tenantId } = auth(request);
    const result = await ctx.reporting.vault.verify(tenantId, body.caseId);
    await ctx.storage.appendAudit(tenantId, { at: Date.now(), actor: { system: `api-key:${auth(request).keyId}` }, action: 'evidence.verify', caseId: body.caseId ?? null, targetId: null, details: { ok: result.ok, problems: result.problemCount } });
    return result;
  });
}
