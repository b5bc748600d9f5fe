// POST /v1/events: a batch of events. Valid events are stored (idempotent by id), invalid ones are
// named with every bad field. 200: all stored or duplicates; 207: some rejected, the rest stored;
// 400: nothing stored. Any 2xx means the accepted events are durably stored.
import type { FastifyInstance } from 'fastify';
import { parseEvent, toMillis, type LifeguardEvent } from '@lifeguard/core';
import type { ServiceContext } from '../context.ts';
import type { AppendResult } from '@lifeguard/storage';
import { IngestBusyError } from '../ingest/pipeline.ts';
import { auth } from '../http/auth.ts';
import { ApiError, storeUnavailable } from '../http/errors.ts';
import { API_KEY_SECURITY, errorSchema, ingestBodySchema, ingestResultSchema } from '../http/schemas.ts';
import { named, type ZodTypeProvider } from '../http/zodRoutes.ts';

interface EventResult {
  index: number;
  id: string | null;
  status: 'accepted' | 'duplicate' | 'rejected';
  problems?: string[];
}

export async function ingestRoutes(instance: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { ctx } = opts;
  const envelope = ingestBodySchema(ctx.limits.maxBatchEvents);

  app.post(
    '/events',
    {
      config: { scope: 'ingest' },
      schema: {
        summary: 'Ingest a batch of events',
        description:
          `Up to ${ctx.limits.maxBatchEvents} events (accounts, messages, contact events; user reports are contact events with action "report"). ` +
          'Idempotent by event id. 200: every event stored or already stored; 207: some rejected (named in results), the rest stored; 400: nothing stored. ' +
          'A 2xx answer means the accepted events are durably stored. 429: too many events from this client or tenant are waiting to be stored; nothing was stored, retry after Retry-After seconds.',
        tags: ['ingestion'],
        security: API_KEY_SECURITY,
        body: named(envelope, 'batch'),
        response: {
          200: ingestResultSchema,
          207: ingestResultSchema,
          400: errorSchema,
          429: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { tenantId } = auth(request);
      const body = request.body;
      const results: EventResult[] = new Array(body.events.length);
      const valid: LifeguardEvent[] = [];
      const validIndex: number[] = [];
      const latest = Date.now() + ctx.limits.maxFutureSkewMs;
      body.events.forEach((raw, index) => {
        const rawId = (raw as { id?: unknown } | null)?.id;
        const id = typeof rawId === 'string' ? rawId : null;
        const parsed = parseEvent(raw, `events[${index}]`);
        if (!parsed.ok) {
          results[index] = { index, id, status: 'rejected', problems: parsed.error.problems };
          return;
        }
        // Old and out-of-order times are fine; far-future ones would win every later merge.
        if (toMillis(parsed.event.time) > latest) {
          results[index] = {
            index,
            id,
            status: 'rejected',
            problems: [
              `events[${index}].time: is more than ${Math.round(ctx.limits.maxFutureSkewMs / 3_600_000)} hours in the future`,
            ],
          };
          return;
        }
        valid.push(parsed.event);
        validIndex.push(index);
      });

      if (valid.length === 0) {
        throw new ApiError(
          400,
          'invalid_request',
          'no event in the batch is valid; nothing was stored',
          results.flatMap((r) => r.problems ?? []),
        );
      }
      let stored: AppendResult;
      try {
        stored = await ctx.pipeline.submit(tenantId, valid, auth(request).keyId);
      } catch (err) {
        if (err instanceof IngestBusyError)
          throw new ApiError(
            429,
            'rate_limited',
            `${err.message}; nothing from this request was stored`,
            undefined,
            err.retryAfterSeconds,
          );
        request.log.error({ err }, 'storing events failed');
        throw storeUnavailable(err);
      }
      validIndex.forEach((index, k) => {
        results[index] = { index, id: valid[k]!.id, status: stored.statuses[k]! };
      });
      const count = (s: EventResult['status']) => results.filter((r) => r.status === s).length;
      const rejected = count('rejected');
      reply.status(rejected > 0 ? 207 : 200);
      return { accepted: count('accepted'), duplicates: count('duplicate'), rejected, results };
    },
  );
}
