// Administration for a platform's own tenant: webhooks and their deliveries, API keys, maintenance.
import type { FastifyInstance } from 'fastify';
import { newId } from '@lifeguard/storage';
import type { ServiceContext } from '../context.ts';
import { auth } from '../http/auth.ts';
import { ApiError } from '../http/errors.ts';
import {
  API_KEY_SECURITY,
  deliveriesQuery,
  keyCreatedSchema,
  errorSchema,
  idParams,
  keyBody,
  retentionResult,
  webhookBody,
  WEBHOOK_EVENT_TYPES,
} from '../http/schemas.ts';
import {
  deliveryListSchema,
  keyListSchema,
  meSchema,
  snapshotSchema,
  webhookCreatedSchema,
  webhookListSchema,
} from '../http/responseSchemas.ts';
import { newWebhookSecret } from '../webhooks/worker.ts';
import { createKey } from '../auth/keys.ts';
import { named, type ZodTypeProvider } from '../http/zodRoutes.ts';

export async function adminRoutes(instance: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { ctx } = opts;
  const err = errorSchema;

  app.get(
    '/me',
    {
      config: { scope: 'any' },
      schema: {
        summary: 'The tenant and scopes of the calling key',
        tags: ['admin'],
        security: API_KEY_SECURITY,
        response: { 200: meSchema },
      },
    },
    async (request) => auth(request),
  );

  app.post(
    '/webhooks',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Register a webhook endpoint',
        description:
          `Event types: ${WEBHOOK_EVENT_TYPES.join(', ')} (or "*", "case.*"). Each delivery is a POST with a JSON body ` +
          '{id, type, tenantId, createdAt, data} and the header Lifeguard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>. ' +
          'The secret is returned only here.',
        tags: ['webhooks'],
        security: API_KEY_SECURITY,
        body: named(webhookBody, 'webhook'),
        response: {
          201: webhookCreatedSchema.describe('The endpoint, with its secret (shown only now)'),
          400: err,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const refused = await ctx.webhooks.destinations.check(body.url);
      if (refused) throw new ApiError(400, 'invalid_request', 'invalid webhook', [`url: ${refused}`]);
      const endpoint = await ctx.storage.createWebhook({
        id: newId('wh'),
        tenantId: auth(request).tenantId,
        url: body.url,
        secret: body.secret ?? newWebhookSecret(),
        events: body.events,
        enabled: true,
      });
      reply.status(201);
      return {
        id: endpoint.id,
        url: endpoint.url,
        events: endpoint.events,
        secret: endpoint.secret,
        createdAt: endpoint.createdAt,
      };
    },
  );

  app.get(
    '/webhooks',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'List webhook endpoints (without secrets)',
        tags: ['webhooks'],
        security: API_KEY_SECURITY,
        response: { 200: webhookListSchema },
      },
    },
    async (request) => {
      const hooks = await ctx.storage.listWebhooks(auth(request).tenantId);
      return { webhooks: hooks.map(({ secret: _s, tenantId: _t, ...rest }) => rest) };
    },
  );

  app.delete(
    '/webhooks/:id',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Remove a webhook endpoint; its pending deliveries are marked dead',
        tags: ['webhooks'],
        security: API_KEY_SECURITY,
        params: idParams,
        response: { 204: { type: 'null', description: 'Removed' }, 404: err },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await ctx.storage.deleteWebhook(auth(request).tenantId, id)))
        throw new ApiError(404, 'not_found', `no webhook ${id}`);
      reply.status(204);
    },
  );

  app.get(
    '/webhooks/deliveries',
    {
      config: { scope: 'admin' },
      schema: {
        summary:
          'Webhook deliveries, newest first; ?status=failing shows the ones being retried, ?status=dead the ones given up',
        tags: ['webhooks'],
        security: API_KEY_SECURITY,
        querystring: deliveriesQuery,
        response: { 200: deliveryListSchema, 400: err },
      },
    },
    async (request) => {
      const q = request.query;
      const deliveries = await ctx.storage.listDeliveries(
        auth(request).tenantId,
        q.status ? { status: q.status, limit: q.limit } : { limit: q.limit },
      );
      return { deliveries: deliveries.map(({ tenantId: _t, ...d }) => d) };
    },
  );

  app.post(
    '/keys',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Create an API key for this tenant; the key is shown only in this answer',
        tags: ['admin'],
        security: API_KEY_SECURITY,
        body: named(keyBody, 'key'),
        response: { 201: keyCreatedSchema, 400: err },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const { key, record } = await createKey(ctx.storage, auth(request).tenantId, body.name, body.scopes);
      reply.status(201);
      return {
        key,
        id: record.id,
        name: record.name,
        prefix: record.prefix,
        scopes: record.scopes,
        createdAt: record.createdAt,
      };
    },
  );

  app.get(
    '/keys',
    {
      config: { scope: 'admin' },
      schema: {
        summary: "This tenant's API keys (never the keys themselves)",
        tags: ['admin'],
        security: API_KEY_SECURITY,
        response: { 200: keyListSchema },
      },
    },
    async (request) => ({
      keys: (await ctx.storage.listApiKeys(auth(request).tenantId)).map(({ tenantId: _t, ...k }) => k),
    }),
  );

  app.delete(
    '/keys/:id',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Revoke an API key',
        tags: ['admin'],
        security: API_KEY_SECURITY,
        params: idParams,
        response: { 204: { type: 'null', description: 'Revoked' }, 404: err },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await ctx.storage.revokeApiKey(auth(request).tenantId, id, Date.now())))
        throw new ApiError(404, 'not_found', `no active key ${id}`);
      ctx.keyCache.forget(id);
      reply.status(204);
    },
  );

  app.post(
    '/maintenance/retention',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Run retention for this tenant now (it also runs hourly)',
        description:
          'Removes the copied message content of cases dismissed longer than --dismissed-case-days ago (one audit entry per case), ' +
          "then raw message text older than --retention-days in conversations no case holds, and the detector's excerpts of it.",
        tags: ['admin'],
        security: API_KEY_SECURITY,
        response: { 200: retentionResult },
      },
    },
    async (request) => ctx.retention.runTenant(auth(request).tenantId),
  );

  app.post(
    '/maintenance/snapshot',
    {
      config: { scope: 'admin' },
      schema: {
        summary: "Store a snapshot of this tenant's detector state now",
        tags: ['admin'],
        security: API_KEY_SECURITY,
        response: { 200: snapshotSchema },
      },
    },
    async (request) => ({ seq: await ctx.engines.snapshot(auth(request).tenantId) }),
  );
}
