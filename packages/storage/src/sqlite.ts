// Embedded SQLite store (better-sqlite3): no set-up, one file, the default for `lifeguard serve`.
//
// Durability: WAL journal with synchronous=FULL by default. A commit returns only after the WAL is
// fsynced, so an acknowledged event survives a process kill (SIGKILL) and also an OS crash or power
// loss. synchronous=NORMAL (option `synchronous: 'normal'`) still survives a process kill, because the
// WAL frames are written to the OS before commit returns, but the last commits may be lost if the
// machine itself goes down. better-sqlite3 is synchronous; each method is wrapped as a promise so
// the service code is the same for both stores.
//
// Each role of the Storage contract (types.ts) is its own class in sqlite/; this class opens the
// database, runs migrations and exposes every role's methods as its own.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { sqliteMigrations } from './migrations.ts';
import { WriterThread } from './sqliteWriter.ts';
import type { Storage } from './types.ts';
import { exposeRoles } from './exposeRoles.ts';
import { SqliteConnection, type Row } from './sqlite/connection.ts';
import { SqliteTenantStore } from './sqlite/tenants.ts';
import { SqliteEventStore } from './sqlite/events.ts';
import { SqliteAccountStore } from './sqlite/accounts.ts';
import { SqliteCaseStore } from './sqlite/cases.ts';
import { SqliteWebhookStore } from './sqlite/webhooks.ts';
import { SqliteSnapshotStore } from './sqlite/snapshots.ts';
import { SqliteRetentionStore } from './sqlite/retention.ts';
import { SqliteBankStore } from './sqlite/banks.ts';
import { SqliteStaffStore } from './sqlite/staff.ts';
import { SqliteReviewQueueStore } from './sqlite/reviewQueue.ts';
import { SqliteAuditLogStore } from './sqlite/auditLog.ts';
import { SqliteBanEvasionStore } from './sqlite/banEvasion.ts';
import { SqliteFamilyStore } from './sqlite/family.ts';
import { SqliteReportingStore } from './sqlite/reporting.ts';

export interface SqliteOptions {
  /** File path, or ':memory:' for tests that do not need a file. */
  path: string;
  /** 'full' (default): durable across power loss. 'normal': durable across process crashes only. */
  synchronous?: 'full' | 'normal';
  /**
   * 'thread' (default for files): every write runs in a worker thread, so commits never block the
   * caller's event loop; reads run here. 'inline': everything on this thread (':memory:' always is).
   */
  writer?: 'thread' | 'inline';
}

// The role methods are attached in the constructor (exposeRoles); this declaration gives them their types.
export interface SqliteStorage extends Storage, Pick<SqliteEventStore, 'indexConversations'> {}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the class is completed by exposeRoles at construction
export class SqliteStorage implements Storage {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  /** Set in 'thread' mode: write methods are forwarded to it. */
  private readonly writer: WriterThread | null;

  constructor(options: SqliteOptions) {
    const memory = options.path === ':memory:';
    if (!memory) mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.writer =
      !memory && (options.writer ?? 'thread') === 'thread'
        ? new WriterThread(options.path, options.synchronous ?? 'full')
        : null;
    const conn = new SqliteConnection(this.db, this.writer);
    exposeRoles(this, [
      new SqliteTenantStore(conn),
      new SqliteEventStore(conn),
      new SqliteAccountStore(conn),
      new SqliteCaseStore(conn),
      new SqliteWebhookStore(conn),
      new SqliteSnapshotStore(conn),
      new SqliteRetentionStore(conn),
      new SqliteBankStore(conn),
      new SqliteStaffStore(conn),
      new SqliteReviewQueueStore(conn),
      new SqliteAuditLogStore(conn),
      new SqliteBanEvasionStore(conn),
      new SqliteFamilyStore(conn),
      new SqliteReportingStore(conn),
    ]);
  }

  async migrate(): Promise<void> {
    if (this.writer) return this.writer.call('migrate', []);
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((r) => Number(r.version)),
    );
    for (const m of sqliteMigrations) {
      if (applied.has(m.version)) continue;
      this.db
        .transaction(() => {
          this.db.exec(m.sql);
          this.db
            .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
            .run(m.version, m.name, Date.now());
        })
        .immediate();
    }
  }

  async close(): Promise<void> {
    await this.writer?.close();
    if (this.db.open) this.db.close();
  }
}
