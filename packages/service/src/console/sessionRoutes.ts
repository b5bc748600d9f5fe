// Console sign-in, session check and sign-out (POST, GET and DELETE /console/api/session).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../context.ts';
import { ConsoleError, unauthenticated } from './errors.ts';
import { dummyHash, verifyPassword } from './passwords.ts';
import { SigninLimiter } from './signinLimiter.ts';
import {
  ABSOLUTE_MS,
  clearSessionCookie,
  loadSession,
  newToken,
  publicUser,
  readCookie,
  SESSION_COOKIE,
  setSessionCookie,
  sha256,
  staff,
} from './session.ts';
import { actorOf, auditNow } from './staffActions.ts';
import { named, type ZodTypeProvider } from '../http/zodRoutes.ts';

/** Sign-in failures from one client address for one email: that pair is locked, no one else. */
export const LOCK = { maxFailures: 5, lockMs: 15 * 60_000 };
/**
 * Failures for one email from any addresses: a flood this large locks the account for everyone (the
 * guard against guessing from many addresses); a few failures from one address never lock out its owner.
 */
export const ACCOUNT_LOCK = { maxFailures: 50, lockMs: 15 * 60_000 };
/**
 * Every failed sign-in answers no sooner than this after it arrived: with one scrypt on every path, the
 * answer's time then says nothing about whether the email exists or is locked (the audit write and
 * the store's lookups for a real account hide under it).
 */
export const SIGNIN_FAILURE_FLOOR_MS = 400;

const signinBody = z.strictObject({
  /** The staff member's tenant: needed when the service hosts more than one (emails are unique per tenant). */
  tenant: z.string().trim().min(1).max(200).optional(),
  email: z.string().min(3).max(320),
  password: z.string().min(1).max(1024),
});

export async function sessionRoutes(instance: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const storage = opts.ctx.storage;
  const audit = auditNow(storage);
  /** Failures per tenant, email and client address (every email, real or not, alike). */
  const pairFailures = new SigninLimiter(LOCK);
  /** Failures for tenant and email pairs with no account, so they lock exactly like real ones and reveal nothing. */
  const unknownFailures = new SigninLimiter(ACCOUNT_LOCK);

  /** The service's one tenant, or null when it hosts several ('' when none: no account matches it). */
  async function onlyTenant(): Promise<string | null> {
    const tenants = await storage.listTenants();
    return tenants.length > 1 ? null : (tenants[0]?.id ?? '');
  }

  app.post(
    '/session',
    { config: { consolePublic: true }, schema: { body: named(signinBody, 'sign-in'), hide: true } },
    async (request, reply) => {
      const body = request.body;
      const email = body.email.trim().toLowerCase();
      const now = Date.now();
      const tenantId = body.tenant ?? (await onlyTenant());
      // The same email may be staff in several tenants. Without a tenant, guessing which one was meant
      // would make the answer (or its time) depend on other tenants' staff, so the tenant is asked for
      // instead, whatever the email: the answer says only that this service hosts several tenants.
      if (tenantId === null)
        throw new ConsoleError(400, 'tenant_required', 'this service hosts several tenants: give your tenant id', {}, [
          'tenant: required when the service hosts more than one tenant',
        ]);
      const account = `${tenantId}\n${email}`;
      const pair = `${account}\n${request.ip}`;
      const creds = await storage.staffCredentials(tenantId, email);
      // One scrypt on every path (a real hash, or the dummy for an unknown email), before any lock is
      // looked at, and every failure answers at the same floor: timing tells nothing about the email.
      const passwordOk = await verifyPassword(body.password, creds?.passwordHash ?? (await dummyHash()));
      const fail = async (err: ConsoleError): Promise<never> => {
        const wait = now + SIGNIN_FAILURE_FLOOR_MS - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        throw err;
      };
      const refused = new ConsoleError(401, 'invalid_credentials', 'wrong email or password');
      const locked = (until: number) =>
        new ConsoleError(429, 'locked', `too many failed sign-ins; try again after ${new Date(until).toISOString()}`);
      const accountLock = creds
        ? creds.lockedUntil !== null && creds.lockedUntil > now
          ? creds.lockedUntil
          : null
        : unknownFailures.lockedUntil(account, now);
      const lockedUntil = Math.max(pairFailures.lockedUntil(pair, now) ?? 0, accountLock ?? 0);
      if (lockedUntil > 0) {
        if (creds)
          await audit(creds.tenantId, {
            actor: actorOf(creds),
            action: 'session.signin_failed',
            caseId: null,
            targetId: creds.id,
            details: { reason: 'locked' },
          });
        return fail(locked(lockedUntil));
      }
      if (!creds) {
        pairFailures.fail(pair, now);
        unknownFailures.fail(account, now);
        return fail(refused);
      }
      const actor = actorOf(creds);
      if (!passwordOk || creds.disabled) {
        pairFailures.fail(pair, now);
        await storage.recordSignin(creds.id, false, now, ACCOUNT_LOCK);
        await audit(creds.tenantId, {
          actor,
          action: 'session.signin_failed',
          caseId: null,
          targetId: creds.id,
          details: { reason: creds.disabled ? 'disabled' : 'password' },
        });
        return fail(refused);
      }
      pairFailures.succeed(pair);
      await storage.recordSignin(creds.id, true, now, ACCOUNT_LOCK);
      const token = newToken();
      const csrfToken = newToken(24);
      await storage.createStaffSession({
        tokenHash: sha256(token),
        userId: creds.id,
        tenantId: creds.tenantId,
        csrfToken,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: now + ABSOLUTE_MS,
      });
      await audit(creds.tenantId, { actor, action: 'session.signin', caseId: null, targetId: creds.id, details: {} });
      setSessionCookie(request, reply, token);
      return { user: publicUser(creds), csrfToken };
    },
  );

  app.get('/session', { config: { consolePublic: true }, schema: { hide: true } }, async (request) => {
    const s = await loadSession(storage, request);
    if (!s) throw unauthenticated();
    return { user: publicUser(s.user), csrfToken: s.session.csrfToken };
  });

  app.delete('/session', { schema: { hide: true } }, async (request, reply) => {
    const s = staff(request);
    await storage.deleteStaffSession(sha256(readCookie(request.headers.cookie, SESSION_COOKIE)!));
    await audit(s.user.tenantId, {
      actor: actorOf(s.user),
      action: 'session.signout',
      caseId: null,
      targetId: s.user.id,
      details: {},
    });
    clearSessionCookie(request, reply);
    return reply.status(204).send();
  });
}
