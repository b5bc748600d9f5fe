// Evidence preservation: freezes a case's evidence as a signed canonical package (when the case opens
// and again when a report is filed), places legal holds, and builds the export that answers a
// law-enforcement request. Reading or exporting content is the specialist's alone, and logged.
import type { RiskModel } from '@lifeguard/core';
import {
  FREEZE_ACTION,
  HOLD_ACTION,
  type AuditActor,
  type EvidencePackageRecord,
  type LegalHold,
  type Storage,
} from '@lifeguard/storage';
import { buildPackage, canonicalJson, PACKAGE_FORMAT, sha256Hex } from './evidencePackage.ts';
import type { EvidenceSigner } from './signingKey.ts';
import { verifyEvidence, type VerifyResult } from './evidenceVerify.ts';

export const DAY_MS = 86_400_000;
/** 18 U.S.C. 2258A(h) and SI 2026/268 reg 8: one year from the report. */
export const HOLD_DAYS = 365;
/** One placement or extension adds at most this many days. */
export const MAX_HOLD_STEP_DAYS = 365;
/** No hold reaches further ahead than this (the NCA's reference period, 5 years); longer needs a new decision later. */
export const MAX_HOLD_AHEAD_DAYS = 5 * 365;
export const HOLD_EXTEND_ACTION = 'evidence.hold_extended';

export class HoldError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export interface EvidenceExport {
  format: 'lifeguard-evidence-export/1';
  exportedAt: string;
  tenantId: string;
  caseId: string;
  packages: (Omit<EvidencePackageRecord, 'package' | 'tenantId'> & { content: unknown })[];
  publicKeys: Record<string, string>;
  holds: LegalHold[];
  reports: {
    id: string;
    authority: string;
    priority: number;
    status: string;
    externalId: string | null;
    filedAt: number | null;
  }[];
  audit: { seq: number; at: number; action: string; actor: AuditActor; hash: string }[];
  verification: VerifyResult;
  howToVerify: string;
}

export class EvidenceVault {
  constructor(
    private readonly storage: Storage,
    readonly signer: EvidenceSigner,
    private readonly engine: { software: string; model: RiskModel },
  ) {}

  async freeze(
    tenantId: string,
    caseId: string,
    reason: string,
    actor: AuditActor,
    now = Date.now(),
  ): Promise<EvidencePackageRecord> {
    const c = await this.storage.getCase(tenantId, caseId);
    if (!c) throw new Error(`no case ${caseId}`);
    const [identifiers, history, actions, reports] = await Promise.all([
      this.storage.accountIdentifiers(tenantId, c.accusedId),
      this.storage.caseHistory(tenantId, caseId),
      this.storage.enforcementActions(tenantId, [c.accusedId]),
      this.storage.listAuthorityReports(tenantId, { caseId, limit: 100 }),
    ]);
    const content = canonicalJson(
      buildPackage({
        tenantId,
        caseRecord: c,
        reason,
        frozenAt: now,
        identifiers,
        history,
        actions,
        reports,
        engine: this.engine,
      }),
    );
    const digest = sha256Hex(content);
    return this.storage.freezeEvidence(tenantId, {
      caseId,
      createdAt: now,
      reason,
      package: content,
      digest,
      signature: this.signer.sign(tenantId, caseId, digest),
      keyId: this.signer.keyId,
      audit: { at: now, actor, action: FREEZE_ACTION, caseId, targetId: null, details: { reason } },
    });
  }

  async hold(
    tenantId: string,
    caseId: string,
    reason: string,
    actor: AuditActor & { id: string },
    days = HOLD_DAYS,
    now = Date.now(),
  ): Promise<LegalHold> {
    return this.storage.placeLegalHold(
      tenantId,
      { caseId, reason, placedBy: actor.id, placedAt: now, until: now + days * DAY_MS },
      { at: now, actor, action: HOLD_ACTION, caseId, targetId: null, details: { reason, until: now + days * DAY_MS } },
    );
  }

  /**
   * Extends a case's preservation by `days` from the end of its latest hold (or from now, when every
   * hold has lapsed) as a new hold row
   * naming the one it extends: holds are never edited, so the audit log and the hold list both show
   * who extended what, when and why. Bounded: at most MAX_HOLD_STEP_DAYS per step and
   * MAX_HOLD_AHEAD_DAYS ahead of now.
   */
  async extendHold(
    tenantId: string,
    caseId: string,
    holdId: string,
    days: number,
    reason: string,
    actor: AuditActor & { id: string },
    now = Date.now(),
  ): Promise<LegalHold> {
    if (!Number.isInteger(days) || days < 1 || days > MAX_HOLD_STEP_DAYS)
      throw new RangeError(`days: must be a whole number from 1 to ${MAX_HOLD_STEP_DAYS}`);
    const held = await this.storage.legalHolds(tenantId, caseId);
    const hold = held.find((h) => h.id === holdId);
    if (!hold) throw new HoldError(404, `case ${caseId} has no legal hold ${holdId}`);
    const packages = await this.storage.evidencePackages(tenantId, caseId);
    if (packages.length > 0 && packages.every((p) => p.package === null))
      throw new HoldError(
        409,
        `the evidence of case ${hold.caseId} was already removed by retention; there is nothing left to hold`,
      );
    const from = Math.max(now, ...held.map((h) => h.until));
    const until = from + days * DAY_MS;
    if (until > now + MAX_HOLD_AHEAD_DAYS * DAY_MS)
      throw new HoldError(
        409,
        `days: the case would be held until ${new Date(until).toISOString().slice(0, 10)}, beyond the limit of ${MAX_HOLD_AHEAD_DAYS} days from today; extend it again nearer the time`,
      );
    return this.storage.placeLegalHold(
      tenantId,
      { caseId: hold.caseId, reason: `extends ${holdId}: ${reason}`, placedBy: actor.id, placedAt: now, until },
      {
        at: now,
        actor,
        action: HOLD_EXTEND_ACTION,
        caseId: hold.caseId,
        targetId: null,
        details: { extends: holdId, reason, days, previousUntil: from, until },
      },
    );
  }

  verify(tenantId: string, caseId?: string): Promise<VerifyResult> {
    return verifyEvidence(this.storage, this.signer, tenantId, caseId ? { caseId } : {});
  }

  /** Everything preserved about one case, with its own verification; the read is audited. */
  async exportCase(tenantId: string, caseId: string, actor: AuditActor, now = Date.now()): Promise<EvidenceExport> {
    const packages = await this.storage.evidencePackages(tenantId, caseId);
    if (packages.length === 0) throw new Error(`case ${caseId} has no preserved evidence`);
    const [holds, reports, verification] = await Promise.all([
      this.storage.legalHolds(tenantId, caseId),
      this.storage.listAuthorityReports(tenantId, { caseId, limit: 100 }),
      this.verify(tenantId, caseId),
    ]);
    await this.storage.appendAudit(tenantId, {
      at: now,
      actor,
      action: 'evidence.export',
      caseId,
      targetId: null,
      details: { packages: packages.length, ok: verification.ok },
    });
    const audit = await this.storage.listAudit(tenantId, { caseId, limit: 1000 });
    return {
      format: 'lifeguard-evidence-export/1',
      exportedAt: new Date(now).toISOString(),
      tenantId,
      caseId,
      packages: packages.map(({ package: content, tenantId: _t, ...rest }) => ({
        ...rest,
        content: content === null ? null : (JSON.parse(content) as unknown),
      })),
      publicKeys: this.signer.publicKeyPems(),
      holds,
      reports: reports.map((r) => ({
        id: r.id,
        authority: r.authority,
        priority: r.priority,
        status: r.status,
        externalId: r.externalId,
        filedAt: r.filedAt,
      })),
      audit: audit.reverse().map((e) => ({ seq: e.seq, at: e.at, action: e.action, actor: e.actor, hash: e.hash })),
      verification,
      howToVerify: `Each package's content, written as RFC 8785 canonical JSON, has the SHA-256 "digest"; "signature" is Ed25519 (key "keyId" in publicKeys) over the UTF-8 text "${PACKAGE_FORMAT}\\n<tenantId>\\n<caseId>\\n<digest>".`,
    };
  }
}
