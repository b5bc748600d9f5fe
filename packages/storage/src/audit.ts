// The audit log's tamper evidence. Each entry's hash covers the previous entry's hash and the entry
// itself, per tenant, so changing or removing an entry breaks every hash after it. The tables also
// refuse UPDATE and DELETE (triggers in migration 5); the chain catches edits made around them.
import { createHash } from 'node:crypto';
import type { AuditEntry, NewAuditEntry, Storage } from './types.ts';

export const AUDIT_GENESIS = '0'.repeat(64);

export function auditHash(prevHash: string, tenantId: string, seq: number, e: NewAuditEntry): string {
  const body = JSON.stringify([prevHash, tenantId, seq, e.at, e.actor, e.action, e.caseId, e.targetId, e.details]);
  return createHash('sha256').update(body).digest('hex');
}

/** The id the log is filtered by: a staff user id, or `system:<name>`. */
export function auditActorId(e: NewAuditEntry): string {
  return 'id' in e.actor ? e.actor.id : `system:${e.actor.system}`;
}

export type AuditChainResult =
  | { ok: true; entries: number; head: string }
  | { ok: false; seq: number; problem: string };

/** Recomputes the tenant's chain from the first entry. */
export async function verifyAuditChain(storage: Storage, tenantId: string): Promise<AuditChainResult> {
  let prev = AUDIT_GENESIS;
  let expectedSeq = 1;
  for (;;) {
    const page: AuditEntry[] = await storage.readAudit(tenantId, expectedSeq - 1, 1000);
    for (const e of page) {
      if (e.seq !== expectedSeq)
        return { ok: false, seq: expectedSeq, problem: `entry ${expectedSeq} is missing (next is ${e.seq})` };
      if (e.prevHash !== prev)
        return { ok: false, seq: e.seq, problem: `entry ${e.seq} does not follow entry ${e.seq - 1}` };
      const { seq: _s, prevHash: _p, hash, ...entry } = e;
      if (auditHash(prev, tenantId, e.seq, entry) !== hash)
        return { ok: false, seq: e.seq, problem: `entry ${e.seq} was changed after it was written` };
      prev = hash;
      expectedSeq++;
    }
    if (page.length < 1000) return { ok: true, entries: expectedSeq - 1, head: prev };
  }
}
