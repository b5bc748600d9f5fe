// The canonical evidence package: what a case held at one moment, as RFC 8785 canonical JSON, so the
// same content always gives the same bytes and the same SHA-256 on any machine. Pure: no I/O.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { DEFAULT_WORDING, type RiskModel, type WordingModel } from '@lifeguard/core';
import type {
  AccountIdentifier,
  AuthorityReportRecord,
  CaseHistoryEntry,
  CaseRecord,
  EnforcementActionRecord,
} from '@lifeguard/storage';

// canonicalize is CommonJS whose typings declare an ES default export; require() gives the function itself.
const canonicalize = createRequire(import.meta.url)('canonicalize') as (value: unknown) => string | undefined;

export const PACKAGE_FORMAT = 'lifeguard-evidence/1';

export interface PackageInput {
  tenantId: string;
  caseRecord: CaseRecord;
  reason: string;
  frozenAt: number;
  /** The accused's stored identifiers (keyed hashes, never raw values; see ban evasion). */
  identifiers: AccountIdentifier[];
  history: CaseHistoryEntry[];
  actions: EnforcementActionRecord[];
  reports: AuthorityReportRecord[];
  /** The wording model is the engine's built-in one unless named. */
  engine: { software: string; model: RiskModel; wording?: WordingModel };
}

/** The first 16 hex digits of the SHA-256 of a value's canonical JSON: same content, same id. */
function contentId(value: unknown): string {
  return sha256Hex(canonicalJson(value)).slice(0, 16);
}

/** Names the detector's weights: the same model always gives the same id. */
export function modelId(model: RiskModel): string {
  return contentId({ version: model.version, features: model.features, weights: model.weights, bias: model.bias });
}

/** Names an offender-wording model by its terms: the same model always gives the same id. */
export function wordingModelId(model: WordingModel): string {
  return contentId({ version: model.version, bias: model.bias, terms: model.terms });
}

function wordingRecord(model: WordingModel): Record<string, unknown> {
  return { name: model.id ?? null, id: wordingModelId(model), trainedOn: model.trainedOn ?? null };
}

export function buildPackage(p: PackageInput): Record<string, unknown> {
  const c = p.caseRecord;
  return {
    format: PACKAGE_FORMAT,
    tenantId: p.tenantId,
    caseId: c.id,
    frozenAt: new Date(p.frozenAt).toISOString(),
    reason: p.reason,
    case: {
      accusedId: c.accusedId,
      status: c.status,
      level: c.level,
      score: c.score,
      openedAt: c.openedAt,
      updatedAt: c.updatedAt,
      version: c.version,
      conversationIds: c.conversationIds,
    },
    // Messages with their text, the detector's reports (explanations, spans) and participants, as the case holds them.
    evidence: c.evidence ?? null,
    identifiers: [...p.identifiers].sort((a, b) => a.kind.localeCompare(b.kind) || a.value.localeCompare(b.value)),
    engine: {
      software: p.engine.software,
      model: {
        version: p.engine.model.version,
        id: modelId(p.engine.model),
        trainedOn: p.engine.model.trainedOn ?? null,
      },
      // The learned wording model is part of every score (docs/architecture.md, scoring).
      wording: wordingRecord(p.engine.wording ?? DEFAULT_WORDING),
    },
    history: p.history,
    decisions: p.actions,
    reports: p.reports.map((r) => ({
      id: r.id,
      authority: r.authority,
      priority: r.priority,
      status: r.status,
      externalId: r.externalId,
      createdAt: r.createdAt,
      filedAt: r.filedAt,
    })),
  };
}

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('evidence package cannot be serialised');
  return text;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
