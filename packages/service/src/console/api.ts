// The console's JSON API under /console/api: cookie sessions, not API keys. Every route checks the
// session, the CSRF token on state-changing requests and the role, here on the server; the UI only
// hides what a role cannot do. Another tenant's case ids answer 404, as unknown ids do.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ConflictError, STAFF_ROLES, type NewAuditEntry, type StaffUser } from '@lifeguard/storage';
import type { ServiceContext } from '../context.ts';
import { parseOr400 } from '../http/errors.ts';
import { ConsoleError, caseNotFound, forbidden, unauthenticated } from './errors.ts';
import { dummyHash, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { SigninLimiter } from './signinLimiter.ts';
import {
  ABSOLUTE_MS,
  checkCsrf,
  checkOrigin,
  clearSessionCookie,
  loadSession,
  newToken,
  publicUser,
  readCookie,
  requireRole,
  SESSION_COOKIE,
  setSessionCookie,
  sha256,
  staff,
} from './session.ts';
import { queueItem, sortKeyOf } from './queueItem.ts';
import { buildCaseView, findMedia } from './caseView.ts';
import { CLAIM_MS, decide, isClosed, mayWork } from './decisions.ts';
import { reportingConsoleRoutes } from '../reporting/consoleRoutes.ts'; // reports and evidence

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Console routes that answer without a session (sign-in, session check). */
    consolePublic?: boolean;
  }
}

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
const queueQuery = z.strictObject({
  view: z.enum(['open', 'mine', 'escalated', 'appeals', 'closed']).default('open'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
const idParams = z.strictObject({ id: z.string().min(1).max(200) });
const mediaParams = z.strictObject({ id: z.string().min(1).max(200), mediaId: z.string().min(1).max(300) });
const noteBody = z.strictObject({ note: z.string().trim().min(1).max(4000) });
const auditQuery = z.strictObject({
  caseId: z.string().max(200).optional(),
  actorId: z.string().max(200).optional(),
  action: z.string().max(60).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().regex(/^\d+$/, 'not a cursor returned by this API').optional(),
});
export const staffCreateBody = z.strictObject({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(100),
  role: z.enum(STAFF_ROLES),
  password: z.string(),
});
const staffPatchBody = z.strictObject({
  role: z.enum(STAFF_ROLES).optional(),
  disabled: z.boolean().optional(),
  name: z.string().trim().min(1).max(100).optional(),
  /** A new password set by an admin; ends the user's sessions. */
  password: z.string().optional(),
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

const actorOf = (u: StaffUser) => ({ id: u.id, name: u.name, role: u.role });

export async function consoleApi(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const storage = ctx.storage;
  /** Failures per tenant, email and client address (every email, real or not, alike). */
  const pairFailures = new SigninLimiter(LOCK);
  /** Failures for tenant and email pairs with no account, so they lock exactly like real ones and reveal nothing. */
  const unknownFailures = new SigninLimiter(ACCOUNT_LOCK);

  /**
   * The open/escalated/appeals counts per tenant, kept for a few seconds: counting is a scan of each view
   * (~100 ms at 60,000 open cases), the queue page itself an index range. Changes made here clear it.
   */
  const sharedCounts = new Map<string, { at: number; counts: { open: number; escalated: number; appeals: number } }>();
  const COUNTS_TTL_MS = 5_000;
  async function queueCounts(tenantId: string, userId: string, now: number) {
    const cached = sharedCounts.get(tenantId);
    if (cached && now - cached.at < COUNTS_TTL_MS)
      return { ...cached.counts, mine: (await storage.queueCounts(tenantId, userId, now, true)).mine };
    const all = await storage.queueCounts(tenantId, userId, now);
    if (sharedCounts.size > 1000) sharedCounts.clear();
    sharedCounts.set(tenantId, { at: now, counts: { open: all.open, escalated: all.escalated, appeals: all.appeals } });
    return all;
  }
  app.addHook('onResponse', async (request) => {
    if (request.method !== 'GET' && request.staff) sharedCounts.delete(request.staff.user.tenantId);
  });

  const audit = (tenantId: string, entry: Omit<NewAuditEntry, 'at'> & { at?: number }) =>
    storage.appendAudit(tenantId, { at: Date.now(), ...entry });

  app.decorateRequest('staff', null);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    checkOrigin(request);
    if (request.routeOptions.config?.consolePublic) return;
    const s = await loadSession(storage, request);
    if (!s) throw unauthenticated();
    request.staff = s;
    checkCsrf(request, s.session);
  });

  /** The case, scoped to the user's tenant: unknown and foreign ids look the same. */
  async function queueCaseOr404(request: FastifyRequest, id: string) {
    const q = await storage.getQueueCase(staff(request).user.tenantId, id);
    if (!q) throw caseNotFound(id);
    return q;
  }

  // Session ---------------------------------------------------------------------------------------

  /** The service's one tenant, or null when it hosts several ('' when none: no account matches it). */
  async function onlyTenant(): Promise<string | null> {
    const tenants = await storage.listTenants();
    return tenants.length > 1 ? null : (tenants[0]?.id ?? '');
  }

  app.post('/session', { config: { consolePublic: true }, schema: { hide: true } }, async (request, reply) => {
    const body = parseOr400(signinBody, request.body, 'sign-in');
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
    // One scrypt on every path (a real hash, or the dummy for an unknown email or tenant), before any
    // lock is looked at, and every failure answers at the same floor: timing tells nothing about the email.
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
  });

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

  // Queue -----------------------------------------------------------------------------------------

  app.get('/queue', { schema: { hide: true } }, async (request) => {
    const { user } = staff(request);
    const q = parseOr400(queueQuery, request.query, 'query');
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

  // Cases -----------------------------------------------------------------------------------------

  app.post('/cases/:id/claim', { schema: { hide: true } }, async (request) => {
    const { user } = staff(request);
    const { id } = parseOr400(idParams, request.params, 'path');
    const q = await queueCaseOr404(request, id);
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

  app.delete('/cases/:id/claim', { schema: { hide: true } }, async (request, reply) => {
    const { user } = staff(request);
    const { id } = parseOr400(idParams, request.params, 'path');
    await queueCaseOr404(request, id);
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

  app.get('/cases/:id', { schema: { hide: true } }, async (request) => {
    const { user } = staff(request);
    const { id } = parseOr400(idParams, request.params, 'path');
    await queueCaseOr404(request, id);
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

  app.post('/cases/:id/media/:mediaId/reveal', { schema: { hide: true } }, async (request) => {
    const { user } = staff(request);
    const { id, mediaId } = parseOr400(mediaParams, request.params, 'path');
    await queueCaseOr404(request, id);
    const c = (await storage.getCase(user.tenantId, id))!;
    const media = findMedia(c.evidence as never, mediaId);
    if (!media) throw new ConsoleError(404, 'not_found', `no media ${mediaId} in case ${id}`);
    await audit(user.tenantId, {
      actor: actorOf(user),
      action: 'media.reveal',
      caseId: id,
      targetId: mediaId,
      details: { kind: media.kind },
    });
    return { ref: media.ref, kind: media.kind };
  });

  app.post('/cases/:id/notes', { schema: { hide: true } }, async (request) => {
    const { user } = staff(request);
    const { id } = parseOr400(idParams, request.params, 'path');
    const body = parseOr400(noteBody, request.body, 'note');
    await queueCaseOr404(request, id);
    return {
      audit: await audit(user.tenantId, {
        actor: actorOf(user),
        action: 'case.note',
        caseId: id,
        targetId: null,
        details: { note: body.note },
      }),
    };
  });

  app.post('/cases/:id/decisions', { schema: { hide: true } }, async (request) => {
    const { user } = staff(request);
    const { id } = parseOr400(idParams, request.params, 'path');
    await queueCaseOr404(request, id);
    const { audit: entry } = await decide(ctx, user.tenantId, id, user, request.body);
    const q = (await storage.getQueueCase(user.tenantId, id))!;
    return { case: { ...queueItem(q, Date.now()), version: q.version }, audit: entry };
  });

  // Audit log -------------------------------------------------------------------------------------

  app.get('/audit', { schema: { hide: true } }, async (request) => {
    const { user } = requireRole(request, 'specialist', 'read the audit log');
    const q = parseOr400(auditQuery, request.query, 'query');
    const entries = await storage.listAudit(user.tenantId, {
      limit: q.limit,
      ...(q.caseId ? { caseId: q.caseId } : {}),
      ...(q.actorId ? { actorId: q.actorId } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.cursor ? { beforeSeq: Number(q.cursor) } : {}),
    });
    return { entries, nextCursor: entries.length === q.limit ? String(entries.at(-1)!.seq) : null };
  });

  // Staff (admin) ---------------------------------------------------------------------------------

  app.get('/staff', { schema: { hide: true } }, async (request) => {
    const { user } = requireRole(request, 'admin', 'manage staff');
    return {
      staff: (await storage.listStaffUsers(user.tenantId)).map((u) => ({
        ...publicUser(u),
        disabled: u.disabled,
        createdAt: u.createdAt,
      })),
    };
  });

  app.post('/staff', { schema: { hide: true } }, async (request, reply) => {
    const { user } = requireRole(request, 'admin', 'manage staff');
    const body = parseOr400(staffCreateBody, request.body, 'staff account');
    const created = await createStaff(ctx, user.tenantId, body, actorOf(user));
    return reply.status(201).send({ user: { ...publicUser(created), disabled: created.disabled } });
  });

  app.patch('/staff/:id', { schema: { hide: true } }, async (request) => {
    const { user } = requireRole(request, 'admin', 'manage staff');
    const { id } = parseOr400(idParams, request.params, 'path');
    const patch = parseOr400(staffPatchBody, request.body, 'staff change');
    if (id === user.id && (patch.disabled || (patch.role && patch.role !== 'admin'))) {
      throw new ConsoleError(409, 'conflict', 'you cannot disable or demote yourself; ask another admin');
    }
    const { password, ...rest } = patch;
    if (password !== undefined) {
      const problem = passwordProblem(password);
      if (problem) throw new ConsoleError(400, 'invalid_request', 'invalid staff change', {}, [problem]);
    }
    const updated = await storage.updateStaffUser(
      user.tenantId,
      id,
      { ...rest, ...(password !== undefined ? { passwordHash: await hashPassword(password) } : {}) },
      Date.now(),
    );
    if (!updated) throw new ConsoleError(404, 'not_found', `no staff account ${id}`);
    // The audit entry says that the password changed, never what to.
    await audit(user.tenantId, {
      actor: actorOf(user),
      action: 'staff.update',
      caseId: null,
      targetId: id,
      details: { ...rest, ...(password !== undefined ? { passwordReset: true } : {}) },
    });
    return { user: { ...publicUser(updated), disabled: updated.disabled } };
  });

  // Reports and evidence: inside this plugin, so the session, CSRF and Origin checks above apply.
  await app.register(reportingConsoleRoutes, { ctx });
}

/** Creates a staff account (API and `lifeguard staff add`), with its audit entry. */
export async function createStaff(
  ctx: Pick<ServiceContext, 'storage'>,
  tenantId: string,
  input: { email: string; name: string; role: StaffUser['role']; password: string },
  actor: NewAuditEntry['actor'],
): Promise<StaffUser> {
  const problem = passwordProblem(input.password);
  if (problem) throw new ConsoleError(400, 'invalid_request', 'invalid staff account', {}, [problem]);
  if (!(await ctx.storage.getTenant(tenantId))) throw new ConsoleError(404, 'not_found', `no tenant ${tenantId}`);
  const now = Date.now();
  let created: StaffUser;
  try {
    created = await ctx.storage.createStaffUser({
      tenantId,
      email: input.email,
      name: input.name,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      at: now,
    });
  } catch (err) {
    if (err instanceof ConflictError) throw new ConsoleError(409, 'conflict', err.message);
    throw err;
  }
  await ctx.storage.appendAudit(tenantId, {
    at: now,
    actor,
    action: 'staff.create',
    caseId: null,
    targetId: created.id,
    details: { email: created.email, role: created.role },
  });
  return created;
}

export { isClosed };
