// The audit log for specialists and admins (GET /console/api/audit), newest first, with a cursor.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../context.ts';
import { requireRole } from './session.ts';
import type { ZodTypeProvider } from '../http/zodRoutes.ts';

const auditQuery = z.strictObject({
  caseId: z.string().max(200).optional(),
  actorId: z.string().max(200).optional(),
  action: z.string().max(60).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().regex(/^\d+$/, 'not a cursor returned by this API').optional(),
});

export async function auditRoutes(instance: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const storage = opts.ctx.storage;

  app.get('/audit', { schema: { querystring: auditQuery, hide: true } }, async (request) => {
    const { user } = requireRole(request, 'specialist', 'read the audit log');
    const q = request.query;
    const entries = await storage.listAudit(user.tenantId, {
      limit: q.limit,
      ...(q.caseId ? { caseId: q.caseId } : {}),
      ...(q.actorId ? { actorId: q.actorId } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.cursor ? { beforeSeq: Number(q.cursor) } : {}),
    });
    return { entries, nextCursor: entries.length === q.limit ? String(entries.at(-1)!.seq) : null };
  });
}
