// `lifeguard evidence verify`: recomputes every frozen package's digest, checks its signature, checks
// that the audit log still records exactly that digest for that case and version, and re-walks the
// audit hash chain. Any edit to a package, a swapped package, a deleted package or audit row, or a
// signature that does not match is reported by kind.
import { AUDIT_GENESIS, auditHash, FREEZE_ACTION, type Storage } from '@lifeguard/storage';
import { sha256Hex } from './evidencePackage.ts';
import type { EvidenceSigner } from './signingKey.ts';

export type VerifyProblemKind =
  | 'package_edited'
  | 'package_swapped'
  | 'package_missing'
  | 'signature_mismatch'
  | 'unknown_key'
  | 'audit_gap'
  | 'audit_edited'
  | 'not_in_audit';

export interface VerifyProblem {
  kind: VerifyProblemKind;
  message: string;
  caseId?: string;
  version?: number;
  seq?: number;
}

export interface VerifyResult {
  ok: boolean;
  tenantId: string;
  packages: number;
  /** Packages whose content retention removed (digest and signature still checked). */
  purged: number;
  auditEntries: number;
  /** At most `maxProblems` listed; problemCount counts them all. */
  problems: VerifyProblem[];
  problemCount: number;
  ms: number;
}

const PAGE = 2000;

export async function verifyEvidence(
  storage: Storage,
  signer: EvidenceSigner,
  tenantId: string,
  options: { caseId?: string; maxProblems?: number } = {},
): Promise<VerifyResult> {
  const started = performance.now();
  const max = options.maxProblems ?? 100;
  const problems: VerifyProblem[] = [];
  let problemCount = 0;
  const report = (p: VerifyProblem) => {
    problemCount++;
    if (problems.length < max) problems.push(p);
  };

  // 1. The audit chain, and the digest each freeze entry recorded (case#version -> entry).
  const frozen = new Map<string, { seq: number; digest: string }>();
  let prev = AUDIT_GENESIS;
  let expected = 1;
  let chainBroken = false;
  for (;;) {
    const page = await storage.readAudit(tenantId, expected - 1, PAGE);
    for (const e of page) {
      if (!chainBroken) {
        if (e.seq !== expected) {
          report({
            kind: 'audit_gap',
            seq: expected,
            message: `audit entry ${expected} is missing (the next one is ${e.seq})`,
          });
          chainBroken = true;
        } else if (e.prevHash !== prev) {
          report({ kind: 'audit_gap', seq: e.seq, message: `audit entry ${e.seq} does not follow entry ${e.seq - 1}` });
          chainBroken = true;
        } else {
          const { seq: _s, prevHash: _p, hash, ...entry } = e;
          if (auditHash(prev, tenantId, e.seq, entry) !== hash) {
            report({
              kind: 'audit_edited',
              seq: e.seq,
              message: `audit entry ${e.seq} was changed after it was written`,
            });
            chainBroken = true;
          }
        }
      }
      if (e.action === FREEZE_ACTION && e.caseId && (!options.caseId || e.caseId === options.caseId)) {
        frozen.set(`${e.caseId}#${Number(e.details.version)}`, { seq: e.seq, digest: String(e.details.digest) });
      }
      prev = e.hash;
      expected = e.seq + 1;
    }
    if (page.length < PAGE) break;
  }

  // 2. Every package against its digest, its signature and its audit entry.
  let packages = 0;
  let purged = 0;
  let after: { caseId: string; version: number } | null = options.caseId
    ? { caseId: options.caseId, version: 0 }
    : null;
  for (;;) {
    const page = await storage.readEvidencePackages(tenantId, after, PAGE);
    for (const p of page) {
      if (options.caseId && p.caseId !== options.caseId) break;
      packages++;
      const where = { caseId: p.caseId, version: p.version };
      const label = `case ${p.caseId} package ${p.version}`;
      if (p.package === null) purged++;
      else {
        if (sha256Hex(p.package) !== p.digest)
          report({
            kind: 'package_edited',
            ...where,
            message: `${label}: its content no longer matches its digest (edited after it was frozen)`,
          });
        else {
          let inner: { tenantId?: unknown; caseId?: unknown } = {};
          try {
            inner = JSON.parse(p.package) as typeof inner;
          } catch {
            // a digest that matches unparsable content is still a package that was never ours
          }
          if (inner.caseId !== p.caseId || inner.tenantId !== tenantId)
            report({
              kind: 'package_swapped',
              ...where,
              message: `${label}: holds the package of ${String(inner.caseId)} (swapped)`,
            });
        }
      }
      const sig = signer.check(p.keyId, tenantId, p.caseId, p.digest, p.signature);
      if (sig === 'unknown_key')
        report({
          kind: 'unknown_key',
          ...where,
          message: `${label}: signed with key ${p.keyId}, which this deployment does not list`,
        });
      else if (sig === 'bad_signature')
        report({ kind: 'signature_mismatch', ...where, message: `${label}: the signature does not match the digest` });
      const key = `${p.caseId}#${p.version}`;
      const recorded = frozen.get(key);
      if (!recorded) report({ kind: 'not_in_audit', ...where, message: `${label}: no audit entry records it` });
      else {
        if (recorded.digest !== p.digest)
          report({
            kind: 'package_swapped',
            ...where,
            seq: recorded.seq,
            message: `${label}: the audit log recorded digest ${recorded.digest.slice(0, 12)}…, the stored package has ${p.digest.slice(0, 12)}…`,
          });
        frozen.delete(key);
      }
    }
    if (page.length < PAGE) break;
    const last = page[page.length - 1]!;
    if (options.caseId && last.caseId !== options.caseId) break;
    after = { caseId: last.caseId, version: last.version };
  }
  // 3. Audit entries whose package is gone.
  for (const [key, e] of frozen) {
    const [caseId, version] = key.split('#');
    report({
      kind: 'package_missing',
      caseId: caseId!,
      version: Number(version),
      seq: e.seq,
      message: `case ${caseId} package ${version}: recorded in audit entry ${e.seq} but no longer stored (deleted)`,
    });
  }
  return {
    ok: problemCount === 0,
    tenantId,
    packages,
    purged,
    auditEntries: expected - 1,
    problems,
    problemCount,
    ms: Math.round(performance.now() - started),
  };
}
