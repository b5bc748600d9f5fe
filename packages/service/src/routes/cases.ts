// Cases for human review, and the detector's current view of a conversation or account.
// Reading a case's evidence is logged (who, which case), because it holds children's messages.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CaseRecord } from '@lifeguard/storage';
import type { ServiceContext } from '../context.ts';
import { auth } from '../http/auth.ts';
import { ApiError } from '../http/errors.ts';
import {
  caseDetailResult,
  caseIdParams,
  caseListQuery,
  caseListResult,
  API_KEY_SECURITY,
  errorSchema,
  noteBody,
  transitionBody,
  idParams,
} from '../http/schemas.ts';
import { accountRiskSchema, conversationRiskSchema } from '../http/responseSchemas.ts';
import { named, type ZodTypeProvider } from '../http/zodRoutes.ts';

function summary(c: CaseRecord) {
  const { evidence: _evidence, tenantId: _tenant, ...rest } = c;
  return rest;
}

function encodeCursor(c: CaseRecord): string {
  return Buffer.from(JSON.stringify({ u: c.updatedAt, i: c.id })).toString('base64url');
}

const cursorSchema = z.object({ u: z.number().int(), i: z.string() });

function decodeCursor(cursor: string): { updatedAt: number; id: string } {
  try {
    const parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { updatedAt: parsed.u, id: parsed.i };
  } catch {
    throw new ApiError(400, 'invalid_request', 'invalid cursor', ['cursor: not a cursor returned by this API']);
  }
}

export async function caseRoutes(instance: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { ctx } = opts;
  const err = errorSchema;

  app.get(
    '/cases',
    {
      config: { scope: 'cases:read' },
      schema: {
        summary: 'List cases, most recently updated first',
        tags: ['cases'],
        security: API_KEY_SECURITY,
        querystring: caseListQuery,
        response: { 200: caseListResult, 400: err },
      },
    },
    async (request) => {
      const q = request.query;
      const cases = await ctx.storage.listCases(auth(request).tenantId, {
        limit: q.limit,
        ...(q.status ? { status: q.status } : {}),
        ...(q.accusedId ? { accusedId: q.accusedId } : {}),
        ...(q.cursor ? { before: decodeCursor(q.cursor) } : {}),
      });
      return {
        cases: cases.map(summary),
        nextCursor: cases.length === q.limit ? encodeCursor(cases[cases.length - 1]!) : null,
      };
    },
  );

  app.get(
    '/cases/:id',
    {
      config: { scope: 'cases:read' },
      schema: {
        summary: 'A case with its evidence and history',
        tags: ['cases'],
        security: API_KEY_SECURITY,
        params: caseIdParams,
        response: { 200: caseDetailResult, 404: err },
      },
    },
    async (request) => {
      const { id } = request.params;
      const a = auth(request);
      const found = await ctx.cases.get(a.tenantId, id);
      request.log.info(
        { audit: 'case.evidence.read', tenantId: a.tenantId, keyId: a.keyId, keyName: a.keyName, caseId: id },
        'case evidence read',
      );
      const history = await ctx.storage.caseHistory(a.tenantId, id);
      const { tenantId: _tenant, ...rest } = found;
      const modelId = (found.evidence as { modelId?: unknown } | null)?.modelId;
      return {
        case: {
          ...rest,
          evidence: rest.evidence as Record<string, unknown>, // the case manager stores an object
          modelId: typeof modelId === 'string' ? modelId : null,
        },
        history: history.map(({ caseId: _c, ...h }) => h),
      };
    },
  );

  app.post(
    '/cases/:id/transitions',
    {
      config: { scope: 'cases:write' },
      schema: {
        summary: 'Move a case through its life cycle',
        description:
          'open -> in_review | dismissed | escalated; in_review -> actioned | dismissed | escalated | open; escalated -> actioned | dismissed | in_review; ' +
          'actioned, dismissed -> open (reopen). Escalation is always a human decision and needs a note.',
        tags: ['cases'],
        security: API_KEY_SECURITY,
        params: caseIdParams,
        body: named(transitionBody, 'transition'),
        response: { 200: caseListResult.shape.cases.element, 400: err, 404: err, 409: err },
      },
    },
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      const a = auth(request);
      const updated = await ctx.cases.transition(
        a.tenantId,
        id,
        body.to,
        body.reviewer ?? a.keyName,
        body.note ?? null,
        body.expectedVersion,
      );
      return summary(updated);
    },
  );

  app.post(
    '/cases/:id/notes',
    {
      config: { scope: 'cases:write' },
      schema: {
        summary: 'Add a reviewer note to the case history',
        tags: ['cases'],
        security: API_KEY_SECURITY,
        params: caseIdParams,
        body: named(noteBody, 'note'),
        response: { 200: caseListResult.shape.cases.element, 404: err },
      },
    },
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      const a = auth(request);
      return summary(await ctx.cases.addNote(a.tenantId, id, body.reviewer ?? a.keyName, body.note));
    },
  );

  app.get(
    '/conversations/:id/risk',
    {
      config: { scope: 'cases:read' },
      schema: {
        summary: "The detector's current report on a conversation",
        tags: ['risk'],
        security: API_KEY_SECURITY,
        params: idParams,
        response: { 200: conversationRiskSchema, 404: err },
      },
    },
    async (request) => {
      const { id } = request.params;
      const tenantId = auth(request).tenantId;
      const report = (await ctx.engines.engine(tenantId)).conversationReport(id);
      if (!report) throw new ApiError(404, 'not_found', `no messages seen in conversation ${id}`);
      return { ...report, modelId: report.modelId ?? ctx.engines.modelIdFor(tenantId) };
    },
  );

  app.get(
    '/accounts/:id/risk',
    {
      config: { scope: 'cases:read' },
      schema: {
        summary: "The detector's current report on an account",
        tags: ['risk'],
        security: API_KEY_SECURITY,
        params: idParams,
        response: { 200: accountRiskSchema, 404: err },
      },
    },
    async (request) => {
      const { id } = request.params;
      const tenantId = auth(request).tenantId;
      const report = (await ctx.engines.engine(tenantId)).actorReport(id);
      if (!report) throw new ApiError(404, 'not_found', `no activity seen from account ${id}`);
      return { ...report, modelId: report.modelId ?? ctx.engines.modelIdFor(tenantId) };
    },
  );
}
