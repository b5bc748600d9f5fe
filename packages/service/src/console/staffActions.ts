// What the console's routes share: the acting staff member as an audit actor, an audit entry stamped
// now, and a case looked up within the user's tenant (another tenant's id answers as an unknown one).
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { NewAuditEntry, Storage, StaffUser } from '@lifeguard/storage';
import { caseNotFound } from './errors.ts';
import { staff } from './session.ts';

export const idParams = z.strictObject({ id: z.string().min(1).max(200) });

export const actorOf = (u: StaffUser) => ({ id: u.id, name: u.name, role: u.role });

/** Appends an audit entry at the current time unless the entry names one. */
export const auditNow = (storage: Storage) => (tenantId: string, entry: Omit<NewAuditEntry, 'at'> & { at?: number }) =>
  storage.appendAudit(tenantId, { at: Date.now(), ...entry });

/** The case, scoped to the user's tenant: unknown and foreign ids look the same. */
export async function queueCaseOr404(storage: Storage, request: FastifyRequest, id: string) {
  const q = await storage.getQueueCase(staff(request).user.tenantId, id);
  if (!q) throw caseNotFound(id);
  return q;
}
