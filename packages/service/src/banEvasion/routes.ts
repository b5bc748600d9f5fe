// Ban-evasion endpoints under /v1: identifiers of existing accounts, the synchronous sign-up decision,
// bans made outside the console, and an account's links (what the console's case view shows).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { toMillis } from '@lifeguard/core';
import type { ServiceContext } from '../context.ts';
import { auth } from '../http/auth.ts';
import { ApiError } from '../http/errors.ts';
import { API_KEY_SECURITY, errorSchema } from '../http/schemas.ts';
import { IdentifierError } from './banEvasion.ts';
import {
  accountParams,
  banBody,
  banResult,
  identifiersBody,
  linkedResult,
  liftBody,
  signupBody,
  signupResult,
} from './schemas.ts';
import { named, type ZodTypeProvider } from '../http/zodRoutes.ts';

/** An identifier the schema let through but normalisation cannot use (e.g. an email without a domain). */
function identifier400<T>(prefix: string, what: string, fn: () => Promise<T>): Promise<T> {
  return fn().catch((err: unknown) => {
    if (err instanceof IdentifierError)
      throw new ApiError(400, 'invalid_request', `invalid ${what}`, [
        prefix ? `${prefix}.${err.message}` : err.message,
      ]);
    throw err;
  });
}

export async function banEvasionRoutes(instance: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { ctx } = opts;
  const err = errorSchema;
  const errors = { 400: err, 401: err, 403: err };

  app.put(
    '/accounts/:id/identifiers',
    {
      config: { scope: 'ingest' },
      schema: {
        summary: "Record an existing account's identifiers (for ban-evasion checks)",
        description:
          'Each field present replaces what is stored for that kind (an empty list or null removes it); absent fields are kept. ' +
          'Emails, phone numbers, device ids and payment and IP fingerprints are normalised and stored only as keyed hashes (HMAC-SHA-256, per-tenant secret); ' +
          'usernames as their skeleton; photos as PDQ hashes. See docs/ban-evasion.md.',
        tags: ['ingestion'],
        security: API_KEY_SECURITY,
        params: accountParams,
        body: named(identifiersBody, 'identifiers'),
        response: {
          200: z
            .object({ accountId: z.string(), recorded: z.array(z.string()).describe('The kinds recorded') })
            .describe('The kinds recorded'),
          ...errors,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      await identifier400('', 'identifiers', () => ctx.banEvasion.recordIdentifiers(auth(request).tenantId, id, body));
      return { accountId: id, recorded: Object.keys(body).filter((k) => body[k as keyof typeof body] !== undefined) };
    },
  );

  app.post(
    '/decisions/signup',
    {
      config: { scope: 'decide' },
      schema: {
        summary: 'Sign-up check: is this new account linked to an account disabled for child safety?',
        description:
          'Links by device id, email, phone or payment fingerprint block by default; by IP fingerprint, similar username or near-identical profile photo they flag ' +
          "(configurable in the policy file, section banEvasion). Only active bans with a child-safety reason count. Each link is explained; the banned account's " +
          "identifiers are never returned. The new account's identifiers are recorded.",
        tags: ['decisions'],
        security: API_KEY_SECURITY,
        body: named(signupBody, 'sign-up decision request'),
        response: { 200: signupResult, ...errors },
      },
    },
    async (request) => {
      const body = request.body;
      const result = await identifier400('identifiers', 'sign-up decision request', () =>
        ctx.banEvasion.checkSignup(auth(request).tenantId, body.accountId, body.identifiers),
      );
      return { accountId: body.accountId, ...result };
    },
  );

  app.post(
    '/accounts/:id/bans',
    {
      config: { scope: 'cases:write' },
      schema: {
        summary: 'Record that the platform disabled an account (bans made outside the console)',
        tags: ['cases'],
        security: API_KEY_SECURITY,
        params: accountParams,
        body: named(banBody, 'ban'),
        response: { 201: banResult, ...errors },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const body = request.body;
      const a = auth(request);
      const ban = await ctx.banEvasion.recordBan(a.tenantId, id, {
        reason: body.reason,
        caseId: body.caseId ?? null,
        actor: body.actor ?? a.keyName,
        at: body.at === undefined ? Date.now() : toMillis(body.at),
      });
      reply.status(201);
      return { ban, childSafety: ctx.banEvasion.isChildSafetyReason(ban.reason) };
    },
  );

  app.delete(
    '/accounts/:id/bans',
    {
      config: { scope: 'cases:write' },
      schema: {
        body: named(liftBody, 'ban lift'),
        summary: "Lift an account's active bans (e.g. an appeal upheld); new accounts no longer link to it",
        tags: ['cases'],
        security: API_KEY_SECURITY,
        params: accountParams,
        response: {
          200: z
            .object({ accountId: z.string(), lifted: z.number().int().describe('How many bans were lifted') })
            .describe('How many bans were lifted'),
          404: err,
          ...errors,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      const a = auth(request);
      const lifted = await ctx.banEvasion.liftBan(a.tenantId, id, {
        actor: body?.actor ?? a.keyName,
        note: body?.note ?? null,
      });
      if (lifted === 0) throw new ApiError(404, 'not_found', `account ${id} has no active ban`);
      return { accountId: id, lifted };
    },
  );

  app.get(
    '/accounts/:id/links',
    {
      config: { scope: 'cases:read' },
      schema: {
        summary: "An account's bans and the accounts linked to it by shared identifiers, with explanations",
        tags: ['cases'],
        security: API_KEY_SECURITY,
        params: accountParams,
        response: { 200: linkedResult, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { tenantId } = auth(request);
      return {
        accountId: id,
        bans: await ctx.banEvasion.bans(tenantId, id),
        linkedAccounts: await ctx.banEvasion.linkedAccounts(tenantId, id),
      };
    },
  );
}
