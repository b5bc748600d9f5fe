// A case in the console: claim and release, the case view, revealing one media item, notes and decisions.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../context.ts';
import { ConsoleError, caseNotFound, forbidden } from './errors.ts';
import { staff } from './session.ts';
import { queueItem } from './queueItem.ts';
import { buildCaseView, findMatchedMedia, findMedia } from './caseView.ts';
import { CLAIM_MS, decide, mayWork } from './decisions.ts';
import { actorOf, auditNow, idParams, queueCaseOr404 } from './staffActions.ts';
import { named, type ZodTypeProvider } from '../http/zodRoutes.ts';

const mediaParams = z.strictObject({ id: z.string().min(1).max(200), mediaId: z.string().min(1).max(300) });
const noteBody = z.strictObject({ note: z.string().trim().min(1).max(4000) });

export async function caseRoutes(instance: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { ctx } = opts;
  const storage = ctx.storage;
  const audit = auditNow(storage);

  app.post('/cases/:id/claim', { schema: { params: idParams, hide: true } }, async (request) => {
    const { user } = staff(request);
    const { id } = request.params;
    const q = await queueCaseOr404(storage, request, id);
    if (!mayWork(q, user)) throw forbidden('work escalated cases (specialists and admins do)');
    const now = Date.now();
    const outcome = await storage.claimCase(user.tenantId, id, { id: user.id, name: user.name }, now, now + CLAIM_MS);
    switch (outcome.outcome) {
      case 'claimed':
        await audit(user.tenantId, {
          actor: actorOf(user),
          action: 'case.claim',
          caseId: id,
          targetId: null,
          details: {},
        });
        return queueItem((await storage.getQueueCase(user.tenantId, id))!, now);
      case 'held':
        throw new ConsoleError(409, 'claimed', `${outcome.claimedBy.name} is working on this case`, {
          claimedBy: outcome.claimedBy,
        });
      case 'same_reviewer':
        throw new ConsoleError(
          403,
          'same_reviewer',
          'this appeal is against your own decision; another moderator must review it',
        );
      case 'closed':
        throw new ConsoleError(409, 'conflict', `case ${id} is closed`);
      default:
        throw caseNotFound(id);
    }
  });

  app.delete('/cases/:id/claim', { schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { user } = staff(request);
    const { id } = request.params;
    await queueCaseOr404(storage, request, id);
    if (await storage.releaseClaim(user.tenantId, id, user.id)) {
      await audit(user.tenantId, {
        actor: actorOf(user),
        action: 'case.release',
        caseId: id,
        targetId: null,
        details: {},
      });
    }
    return reply.status(204).send();
  });

  app.get('/cases/:id', { schema: { params: idParams, hide: true } }, async (request) => {
    const { user } = staff(request);
    const { id } = request.params;
    await queueCaseOr404(storage, request, id);
    // Folds in messages still waiting to join the case's evidence.
    const c = await ctx.cases.get(user.tenantId, id);
    const now = Date.now();
    const [q] = await Promise.all([
      storage.getQueueCase(user.tenantId, id),
      audit(user.tenantId, { actor: actorOf(user), action: 'case.read', caseId: id, targetId: null, details: {} }),
    ]);
    if (q!.queue.claimedBy?.id === user.id && (q!.queue.claimExpiresAt ?? 0) > now) {
      await storage.claimCase(user.tenantId, id, { id: user.id, name: user.name }, now, now + CLAIM_MS); // activity renews the claim
    }
    const history = await storage.listAudit(user.tenantId, { caseId: id, limit: 200 });
    return buildCaseView(ctx, c, (await storage.getQueueCase(user.tenantId, id))!, user, history, now);
  });

  app.post('/cases/:id/media/:mediaId/reveal', { schema: { params: mediaParams, hide: true } }, async (request) => {
    const { user } = staff(request);
    const { id, mediaId } = request.params;
    await queueCaseOr404(storage, request, id);
    const c = (await storage.getCase(user.tenantId, id))!;
    const matched = findMatchedMedia(c.evidence as never, mediaId);
    const media = matched ?? findMedia(c.evidence as never, mediaId);
    if (!media) throw new ConsoleError(404, 'not_found', `no media ${mediaId} in case ${id}`);
    if (matched && matched.ref === null && matched.messageId !== null) {
      // A matched upload whose message the case did not copy: the platform's reference is on the stored event.
      const [stored] = await storage.getEventsByIds(user.tenantId, [matched.messageId]);
      if (stored?.event.type === 'message')
        media.ref = stored.event.attachments?.find((a) => a.kind === matched.kind)?.ref ?? null;
    }
    await audit(user.tenantId, {
      actor: actorOf(user),
      action: 'media.reveal',
      caseId: id,
      targetId: mediaId,
      details: matched ? { kind: media.kind, knownMediaMatch: true } : { kind: media.kind },
    });
    return { ref: media.ref, kind: media.kind };
  });

  app.post(
    '/cases/:id/notes',
    { schema: { params: idParams, body: named(noteBody, 'note'), hide: true } },
    async (request) => {
      const { user } = staff(request);
      const { id } = request.params;
      const body = request.body;
      await queueCaseOr404(storage, request, id);
      return {
        audit: await audit(user.tenantId, {
          actor: actorOf(user),
          action: 'case.note',
          caseId: id,
          targetId: null,
          details: { note: body.note },
        }),
      };
    },
  );

  // The decision is validated by decide() after the case is found, so another tenant's case answers
  // 404 whatever the body holds, exactly as a case that does not exist.
  app.post('/cases/:id/decisions', { schema: { params: idParams, hide: true } }, async (request) => {
    const { user } = staff(request);
    const { id } = request.params;
    await queueCaseOr404(storage, request, id);
    const { audit: entry } = await decide(ctx, user.tenantId, id, user, request.body);
    const q = (await storage.getQueueCase(user.tenantId, id))!;
    return { case: { ...queueItem(q, Date.now()), version: q.version }, audit: entry };
  });
}
