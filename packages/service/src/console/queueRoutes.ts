// The review queue (GET /console/api/queue) and taking the next case (POST /console/api/queue/next).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../context.ts';
import type { ZodTypeProvider } from '../http/zodRoutes.ts';
import { ConsoleError } from './errors.ts';
import { staff } from './session.ts';
import { queueItem, sortKeyOf } from './queueItem.ts';
import type { QueueCounts } from './queueCounts.ts';
import { CLAIM_MS } from './decisions.ts';
import { actorOf, auditNow } from './staffActions.ts';

const queueQuery = z.strictObject({
  view: z.enum(['open', 'mine', 'escalated', 'appeals', 'closed']).default('open'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

function encodeCursor(key: number, id: string): string {
  return Buffer.from(JSON.stringify([key, id])).toString('base64url');
}

function decodeCursor(cursor: string): { key: number; id: string } {
  try {
    const [key, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof key === 'number' && Number.isFinite(key) && typeof id === 'string') return { key, id };
  } catch {
    // fall through
  }
  throw new ConsoleError(400, 'invalid_request', 'invalid cursor', {}, ['cursor: not a cursor returned by this API']);
}

export async function queueRoutes(
  instance: FastifyInstance,
  opts: { ctx: ServiceContext; counts: QueueCounts },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const storage = opts.ctx.storage;
  const audit = auditNow(storage);
  const queueCounts = (tenantId: string, userId: string, now: number) => opts.counts.get(tenantId, userId, now);

  app.get('/queue', { schema: { querystring: queueQuery, hide: true } }, async (request) => {
    const { user } = staff(request);
    const q = request.query;
    const now = Date.now();
    const [page, counts] = await Promise.all([
      storage.queueCases(user.tenantId, {
        view: q.view,
        userId: user.id,
        now,
        limit: q.limit,
        ...(q.cursor ? { after: decodeCursor(q.cursor) } : {}),
      }),
      queueCounts(user.tenantId, user.id, now),
    ]);
    const last = page.cases.at(-1);
    return {
      items: page.cases.map((c) => queueItem(c, now)),
      nextCursor:
        last && page.cases.length === q.limit && page.lastKey !== null ? encodeCursor(page.lastKey, last.id) : null,
      counts,
    };
  });

  app.post('/queue/next', { schema: { hide: true } }, async (request, reply) => {
    const { user } = staff(request);
    const views =
      user.role === 'moderator' ? (['appeals', 'open'] as const) : (['escalated', 'appeals', 'open'] as const);
    const now = Date.now();
    const candidates = (
      await Promise.all(
        views.map((view) =>
          storage.queueCases(user.tenantId, { view, userId: user.id, now, limit: 5, claimableOnly: true }),
        ),
      )
    )
      .flatMap((p) => p.cases)
      .sort((a, b) => sortKeyOf(b) - sortKeyOf(a));
    for (const c of candidates) {
      const outcome = await storage.claimCase(
        user.tenantId,
        c.id,
        { id: user.id, name: user.name },
        now,
        now + CLAIM_MS,
      );
      if (outcome.outcome !== 'claimed') continue; // someone else was quicker: try the next one
      await audit(user.tenantId, {
        actor: actorOf(user),
        action: 'case.claim',
        caseId: c.id,
        targetId: null,
        details: { via: 'next' },
      });
      return { case: queueItem((await storage.getQueueCase(user.tenantId, c.id))!, now) };
    }
    return reply.status(204).send();
  });
}
