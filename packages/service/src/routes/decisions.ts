// Synchronous decisions the platform asks for before it acts. Each answer carries reasons it can show
// and nudges for the child. Hold and block decisions are also sent to webhooks ("decision.made").
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../context.ts';
import type { z } from 'zod';
import { parseEvent, toMillis, type LifeguardEvent } from '@lifeguard/core';
import { hasScope } from '../auth/keys.ts';
import { auth } from '../http/auth.ts';
import { ApiError, storeUnavailable } from '../http/errors.ts';
import type { AppendResult } from '@lifeguard/storage';
import { IngestBusyError } from '../ingest/pipeline.ts';
import {
  contactDecisionBody,
  decisionResultSchema,
  API_KEY_SECURITY,
  errorSchema,
  messageDecisionBody,
  messageDecisionResultSchema,
  visibilityDecisionBody,
  visibilityResultSchema,
} from '../http/schemas.ts';
import type { DecisionResult } from '../decisions/rules.ts';
import { named, type ZodTypeProvider } from '../http/zodRoutes.ts';

export async function decisionRoutes(instance: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { ctx } = opts;
  const errors = {
    400: errorSchema,
    401: errorSchema,
    403: errorSchema,
  };

  /** Tells subscribed webhooks about holds and blocks; never delays or fails the decision itself. */
  const notify = (
    request: FastifyRequest,
    kind: string,
    subject: Record<string, unknown>,
    result: DecisionResult & { modelId?: string },
  ) => {
    const { tenantId } = auth(request);
    recordWarnings(request, tenantId, subject, result);
    if (result.decision !== 'hold' && result.decision !== 'block') return;
    const payload = {
      kind,
      ...subject,
      decision: result.decision,
      reasons: result.reasons,
      profile: result.profile,
      modelId: result.modelId ?? ctx.engines.modelIdFor(tenantId),
      at: Date.now(),
    };
    ctx.storage
      .enqueueWebhookEvent(tenantId, { type: 'decision.made', payload }, Date.now())
      .catch((err) => request.log.error({ err }, 'could not queue decision webhook'));
  };

  /** The kinds of prompts shown (codes only), for the Family Centre view (family-centre); never delays the answer. */
  const recordWarnings = (
    request: FastifyRequest,
    tenantId: string,
    subject: Record<string, unknown>,
    result: DecisionResult,
  ) => {
    if (result.nudges.length === 0) return;
    const senderId = String(subject.senderId);
    const recipientId = String(subject.recipientId);
    const at = Date.now();
    const warnings = result.nudges.map((n) =>
      n.audience === 'recipient'
        ? { userId: recipientId, kind: n.code, counterpartId: senderId, at }
        : { userId: senderId, kind: n.code, counterpartId: recipientId, at },
    );
    ctx.family
      .recordWarnings(tenantId, warnings)
      .catch((err) => request.log.error({ err }, 'could not record safety warnings'));
  };

  app.post(
    '/decisions/contact',
    {
      config: { scope: 'decide' },
      schema: {
        summary: 'May this sender message (or send a friend request to) this recipient?',
        description:
          "Uses the connection graph, declared and disclosed ages, the detector's risk on the sender and the jurisdiction's policy profile. " +
          'decision: allow, allow_with_warning (deliver and show the nudges), hold (queue for review), block.',
        tags: ['decisions'],
        security: API_KEY_SECURITY,
        body: named(contactDecisionBody, 'contact decision request'),
        response: { 200: decisionResultSchema, ...errors },
      },
    },
    async (request) => {
      const body = request.body;
      const result = await ctx.decider.contact(auth(request).tenantId, body);
      notify(
        request,
        'contact',
        { senderId: body.senderId, recipientId: body.recipientId, contactKind: body.kind },
        result,
      );
      return result;
    },
  );

  app.post(
    '/decisions/message',
    {
      config: { scope: 'decide' },
      schema: {
        summary: 'Should this message be delivered, and with which nudges?',
        description:
          "Applies the contact rules, then reads the text for risk signals (photo requests, secrecy, moving platform, gifts, threats) and the conversation's risk so far. " +
          'With record {id, time} (and conversationId) the message is also stored as an event in the same call (the key needs the ingest scope too); ' +
          'otherwise it is not stored: send it to POST /v1/events as well.',
        tags: ['decisions'],
        security: API_KEY_SECURITY,
        body: named(messageDecisionBody, 'message decision request'),
        response: { 200: messageDecisionResultSchema, ...errors },
      },
    },
    async (request) => {
      const body = request.body;
      const { tenantId, keyId, scopes } = auth(request);
      const record = body.record ? recordedEvent(body, hasScope(scopes, 'ingest')) : null;
      if (record && toMillis(record.time) > Date.now() + ctx.limits.maxFutureSkewMs) {
        throw new ApiError(400, 'invalid_request', 'invalid message decision request', [
          `record.time: is more than ${Math.round(ctx.limits.maxFutureSkewMs / 3_600_000)} hours in the future`,
        ]);
      }
      // Decided on what came before this message, as a separate decision then event would be.
      const result = await ctx.decider.message(tenantId, body);
      notify(
        request,
        'message',
        { senderId: body.senderId, recipientId: body.recipientId, conversationId: body.conversationId ?? null },
        result,
      );
      if (!record) return result;
      let stored: AppendResult;
      try {
        stored = await ctx.pipeline.submit(tenantId, [record], keyId);
      } catch (err) {
        if (err instanceof IngestBusyError)
          throw new ApiError(
            429,
            'rate_limited',
            `decided (${result.decision}), but the message was not stored: ${err.message}`,
            undefined,
            err.retryAfterSeconds,
          );
        throw storeUnavailable(err);
      }
      return {
        ...result,
        recorded: stored.statuses[0] === 'duplicate' ? ('duplicate' as const) : ('accepted' as const),
      };
    },
  );

  app.post(
    '/decisions/visibility',
    {
      config: { scope: 'decide' },
      schema: {
        summary: 'May these accounts be suggested to the viewer as friends, or appear in lists the viewer sees?',
        description:
          'Child accounts are not suggested to, or listed for, accounts they are not connected to (where the profile says so); accounts the detector holds risk on are not shown to children.',
        tags: ['decisions'],
        security: API_KEY_SECURITY,
        body: named(visibilityDecisionBody, 'visibility decision request'),
        response: { 200: visibilityResultSchema, ...errors },
      },
    },
    async (request) => {
      const body = request.body;
      return ctx.decider.visibility(auth(request).tenantId, body);
    },
  );
}

/** The message event `record` asks to store, checked before anything is decided. */
function recordedEvent(body: z.output<typeof messageDecisionBody>, mayIngest: boolean): LifeguardEvent {
  if (!mayIngest)
    throw new ApiError(403, 'forbidden', 'record needs an API key with the "ingest" scope as well as "decide"');
  if (!body.conversationId)
    throw new ApiError(400, 'invalid_request', 'invalid message decision request', [
      'conversationId: required with record (the event belongs to a conversation)',
    ]);
  const parsed = parseEvent({
    type: 'message',
    id: body.record!.id,
    time: body.record!.time,
    conversationId: body.conversationId,
    senderId: body.senderId,
    recipientIds: [body.recipientId],
    text: body.text,
    ...(body.attachments ? { attachments: body.attachments } : {}),
  });
  if (!parsed.ok)
    throw new ApiError(
      400,
      'invalid_request',
      'invalid message decision request',
      parsed.error.problems.map((p) => `record.${p}`),
    );
  return parsed.event;
}
