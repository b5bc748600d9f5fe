// POST /v1/appeals: the platform forwards an actioned user's appeal. It reopens the actioned case in the
// appeals queue; whoever made the appealed decision may not review it.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CaseRecord } from '@lifeguard/storage';
import type { ServiceContext } from '../context.ts';
import { auth } from '../http/auth.ts';
import { ApiError } from '../http/errors.ts';
import { API_KEY_SECURITY, errorSchema } from '../http/schemas.ts';
import { caseSummary } from '../cases/caseManager.ts';
import { named, type ZodTypeProvider } from '../http/zodRoutes.ts';

export const appealBody = z.strictObject({
  accountId: z.string().min(1).max(200).describe('The actioned account that appeals'),
  caseId: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe("The case the appeal is about; default: the account's most recent actioned case"),
  text: z.string().trim().min(1).max(4000).describe("The user's appeal, in their words"),
});

const appealResult = z.object({
  caseId: z.string(),
  status: z.string(),
  appeal: z.literal(true),
  version: z.number().int(),
});

export async function appealRoutes(instance: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { ctx } = opts;
  app.post(
    '/appeals',
    {
      config: { scope: 'cases:write' },
      schema: {
        summary: "Forward an actioned account's appeal",
        description:
          "Reopens the actioned case in the console's appeals queue. The moderator who made the appealed decision cannot claim it. 404 when the account has no actioned case.",
        tags: ['cases'],
        security: API_KEY_SECURITY,
        body: named(appealBody, 'appeal'),
        response: {
          200: appealResult,
          400: errorSchema,
          404: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (request) => {
      const body = request.body;
      const a = auth(request);
      let target: CaseRecord | null = null;
      if (body.caseId) {
        const c = await ctx.storage.getCase(a.tenantId, body.caseId);
        if (c && c.accusedId === body.accountId && c.status === 'actioned') target = c;
      } else {
        target =
          (await ctx.storage.listCases(a.tenantId, { accusedId: body.accountId, status: 'actioned', limit: 1 }))[0] ??
          null;
      }
      if (!target)
        throw new ApiError(
          404,
          'not_found',
          `no actioned case for account ${body.accountId}${body.caseId ? ` with id ${body.caseId}` : ''}`,
        );
      const now = Date.now();
      const reopened: CaseRecord = { ...target, status: 'open', updatedAt: now, version: target.version + 1 };
      await ctx.storage.appealCase(a.tenantId, {
        caseRecord: reopened,
        expectedVersion: target.version,
        history: {
          at: now,
          actor: a.keyName,
          action: 'transition',
          fromStatus: 'actioned',
          toStatus: 'open',
          note: `appeal by ${body.accountId}`,
        },
        notify: [
          {
            type: 'case.transitioned',
            payload: { ...caseSummary(reopened, 'appeal'), from: 'actioned', to: 'open', actor: a.keyName },
          },
        ],
        audit: {
          at: now,
          actor: { system: a.keyName },
          action: 'case.appeal',
          caseId: target.id,
          targetId: body.accountId,
          details: { text: body.text },
        },
      });
      return { caseId: target.id, status: 'open', appeal: true as const, version: reopened.version };
    },
  );
}
