// Synchronous decisions the platform asks for before it acts. Each answer carries reasons it can show
// and nudges for the child. Hold and block decisions are also sent to webhooks ("decision.made").
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../context.ts';
import { auth } from '../http/auth.ts';
import { parseOr400 } from '../http/errors.ts';
import {
  contactDecisionBody,
  decisionResultSchema,
  errorSchema,
  jsonSchema,
  messageDecisionBody,
  messageDecisionResultSchema,
  visibilityDecisionBody,
  visibilityResultSchema,
} from '../http/schemas.ts';
import type { DecisionResult } from '../decisions/rules.ts';

export async function decisionRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const errors = { 400: jsonSchema(errorSchema, 'output'), 401: jsonSchema(errorSchema, 'output'), 403: jsonSchema(errorSchema, 'output') };

  /** Tells subscribed webhooks about holds and blocks; never delays or fails the decision itself. */
  const notify = (request: FastifyRequest, kind: string, subject: Record<string, unknown>, result: DecisionResult & { modelId?: string }) => {
    if (result.decision !== 'hold' && result.decision !== 'block') return;
    const { tenantId } = auth(request);
    const payload = { kind, ...subject, decision: result.decision, reasons: result.reasons, profile: result.profile, modelId: result.modelId ?? ctx.engines.modelIdFor(tenantId), at: Date.now() };
    ctx.storage.enqueueWebhookEvent(tenantId, { type: 'decision.made', payload }, Date.now()).catch((err) => request.log.error({ err }, 'could not queue decision webhook'));
  };

  app.post('/decisions/contact', {
    config: { scope: 'decide' },
    schema: {
      summary: 'May this sender message (or send a friend request to) this recipient?',
      description: 'Uses the connection graph, declared and disclosed ages, the detector\'s risk on the sender and the jurisdiction\'s policy profile. ' +
        'decision: allow, allow_with_warning (deliver and show the nudges), hold (queue for review), block.',
      tags: ['decisions'],
      security: [{ apiKey: [] }],
      body: jsonSchema(contactDecisionBody),
      response: { 200: jsonSchema(decisionResultSchema, 'output'), ...errors },
    },
  }, async (request) => {
    const body = parseOr400(contactDecisionBody, request.body, 'contact decision request');
    const result = await ctx.decider.contact(auth(request).tenantId, body);
    notify(request, 'contact', { senderId: body.senderId, recipientId: body.recipientId, contactKind: body.kind }, result);
    return result;
  });

  app.post('/decisions/message', {
    config: { scope: 'decide' },
    schema: {
      summary: 'Should this message be delivered, and with which nudges?',
      description: 'Applies the contact rules, then reads the text for risk signals (photo requests, secrecy, moving platform, gifts, threats) and the conversation\'s risk so far. ' +
        'The message is not stored: send it to POST /v1/events as well.',
      tags: ['decisions'],
      security: [{ apiKey: [] }],
      body: jsonSchema(messageDecisionBody),
      response: { 200: jsonSchema(messageDecisionResultSchema, 'output'), ...errors },
    },
  }, async (request) => {
    const body = parseOr400(messageDecisionBody, request.body, 'message decision request');
    const result = await ctx.decider.message(auth(request).tenantId, body);
    notify(request, 'message', { senderId: body.senderId, recipientId: body.recipientId, conversationId: body.conversationId ?? null }, result);
    return result;
  });

  app.post('/decisions/visibility', {
    config: { scope: 'decide' },
    schema: {
      summary: 'May these accounts be suggested to the viewer as friends, or appear in lists the viewer sees?',
      description: 'Child accounts are not suggested to, or listed for, accounts they are not connected to (where the profile says so); accounts the detector holds risk on are not shown to children.',
      tags: ['decisions'],
      security: [{ apiKey: [] }],
      body: jsonSchema(visibilityDecisionBody),
      response: { 200: jsonSchema(visibilityResultSchema, 'output'), ...errors },
    },
  }, async (request) => {
    const body = parseOr400(visibilityDecisionBody, request.body, 'visibility decision request');
    return ctx.decider.visibility(auth(request).tenantId, body);
  });
}
