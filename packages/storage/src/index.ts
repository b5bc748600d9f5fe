// @lifeguard/storage: the service's persistence behind one interface, on SQLite or PostgreSQL.
export * from './types.ts';
export { SqliteStorage, type SqliteOptions } from './sqlite.ts';
export { PostgresStorage, type PostgresOptions } from './postgres.ts';
export { sqliteMigrations, postgresMigrations, type Migration } from './migrations.ts';
export { newId } from './rows.ts';
export { StorageHashBankStore } from './hashBankStore.ts';
import { SqliteStorage } from './sqlite.ts';
import { PostgresStorage } from './postgres.ts';
import type { Storage } from './types.ts';

export interface OpenStorageOptions {
  /** `postgres://...` / `postgresql://...` for PostgreSQL; anything else is a SQLite file path. */
  database: string;
  sqliteSynchronous?: 'full' | 'normal';
  postgresSchema?: string;
}

/**
 * Opens a store from a URL or path and applies pending migrations. A PostgreSQL URL may name the
 * schema to use: postgres://user@host/db?schema=lifeguard (default: public).
 */
export async function openStorage(options: OpenStorageOptions): Promise<Storage> {
  let storage: Storage;
  if (/^postgres(ql)?:\/\//.test(options.database)) {
    const url = new URL(options.database);
    const schema = options.postgresSchema ?? url.searchParams.get('schema') ?? undefined;
    url.searchParams.delete('schema');
    storage = new PostgresStorage({ connectionString: url.toString(), ...(schema ? { schema } : {}) });
  } else {
    storage = new SqliteStorage({ path: options.database, synchronous: options.sqliteSynchronous ?? 'full' });
  }
  try {
    await storage.migrate();
  } catch (err) {
    await storage.close().catch(() => {});
    throw err;
  }
  return storage;
}
// Moderator console
export {
  caseQueueFacts,
  urgencyAt,
  urgencyKey,
  URGENCY_PER_HOUR,
  URGENCY_WEIGHTS,
  type CaseQueueFacts,
} from './caseQueue.ts';
export { AUDIT_GENESIS, auditHash, verifyAuditChain, type AuditChainResult } from './audit.ts';
// Dismissed-case retention
export {
  EVIDENCE_PURGED_ACTION,
  purgeEvidenceContent,
  reasonWithoutQuotes,
  RETENTION_ACTOR,
  type EvidencePurgeCounts,
} from './caseRetention.ts';
// Reports and evidence
export { FREEZE_ACTION, HOLD_ACTION } from './reportingRows.ts';
