// Staff accounts, for admins (GET, POST /console/api/staff; PATCH /console/api/staff/:id), and
// createStaff, which `lifeguard staff add` shares.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ConflictError, STAFF_ROLES, type NewAuditEntry, type StaffUser } from '@lifeguard/storage';
import type { ServiceContext } from '../context.ts';
import { ConsoleError } from './errors.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { publicUser, requireRole } from './session.ts';
import { actorOf, auditNow, idParams } from './staffActions.ts';
import { named, type ZodTypeProvider } from '../http/zodRoutes.ts';

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

export async function staffRoutes(instance: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { ctx } = opts;
  const storage = ctx.storage;
  const audit = auditNow(storage);

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

  app.post(
    '/staff',
    { schema: { body: named(staffCreateBody, 'staff account'), hide: true } },
    async (request, reply) => {
      const { user } = requireRole(request, 'admin', 'manage staff');
      const body = request.body;
      const created = await createStaff(ctx, user.tenantId, body, actorOf(user));
      return reply.status(201).send({ user: { ...publicUser(created), disabled: created.disabled } });
    },
  );

  app.patch(
    '/staff/:id',
    { schema: { params: idParams, body: named(staffPatchBody, 'staff change'), hide: true } },
    async (request) => {
      const { user } = requireRole(request, 'admin', 'manage staff');
      const { id } = request.params;
      const patch = request.body;
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
    },
  );
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
