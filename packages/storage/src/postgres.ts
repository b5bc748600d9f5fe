// PostgreSQL store for production (pg Pool). Same interface and tests as the SQLite store.
// Durability: a commit returns after the WAL is flushed (PostgreSQL's default synchronous_commit=on),
// so an acknowledged event survives a crash of the service and of the database host.
//
// Each role of the Storage contract (types.ts) is its own class in postgres/; this class opens the
// pool, runs migrations and exposes every role's methods as its own.
import pg from 'pg';
import { postgresMigrations } from './migrations.ts';
import type { Storage } from './types.ts';
import { exposeRoles } from './exposeRoles.ts';
import { PostgresConnection, type Row } from './postgres/connection.ts';
import { PostgresTenantStore } from './postgres/tenants.ts';
import { PostgresEventStore } from './postgres/events.ts';
import { PostgresAccountStore } from './postgres/accounts.ts';
import { PostgresCaseStore } from './postgres/cases.ts';
import { PostgresWebhookStore } from './postgres/webhooks.ts';
import { PostgresSnapshotStore } from './postgres/snapshots.ts';
import { PostgresRetentionStore } from './postgres/retention.ts';
import { PostgresBankStore } from './postgres/banks.ts';
import { PostgresStaffStore } from './postgres/staff.ts';
import { PostgresReviewQueueStore } from './postgres/reviewQueue.ts';
import { PostgresAuditLogStore } from './postgres/auditLog.ts';
import { PostgresBanEvasionStore } from './postgres/banEvasion.ts';
import { PostgresFamilyStore } from './postgres/family.ts';
import { PostgresReportingStore } from './postgres/reporting.ts';

export interface PostgresOptions {
  connectionString: string;
  /** Schema to use (created if missing); lets tests and tenants of a shared server stay apart. Default: public. */
  schema?: string;
  maxConnections?: number;
}

// BIGINT columns hold millisecond times and seqs, all far below 2^53: parse them as numbers.
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === pg.types.builtins.INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

// The role methods are attached in the constructor (exposeRoles); this declaration gives them their types.
export interface PostgresStorage extends Storage {}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the class is completed by exposeRoles at construction
export class PostgresStorage implements Storage {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly schema: string;

  constructor(options: PostgresOptions) {
    this.schema = options.schema ?? 'public';
    if (!SCHEMA_NAME.test(this.schema))
      throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(this.schema)}`);
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      types: types as pg.CustomTypesConfig,
      options: `-c search_path=${this.schema}`,
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => {});
    const conn = new PostgresConnection(this.pool, this.schema);
    exposeRoles(this, [
      new PostgresTenantStore(conn),
      new PostgresEventStore(conn),
      new PostgresAccountStore(conn),
      new PostgresCaseStore(conn),
      new PostgresWebhookStore(conn),
      new PostgresSnapshotStore(conn),
      new PostgresRetentionStore(conn),
      new PostgresBankStore(conn),
      new PostgresStaffStore(conn),
      new PostgresReviewQueueStore(conn),
      new PostgresAuditLogStore(conn),
      new PostgresBanEvasionStore(conn),
      new PostgresFamilyStore(conn),
      new PostgresReportingStore(conn),
    ]);
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      // One migrator at a time across processes.
      await client.query('SELECT pg_advisory_lock(7419005)');
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const applied = new Set(
        (await client.query('SELECT version FROM schema_migrations')).rows.map((r: Row) => Number(r.version)),
      );
      for (const m of postgresMigrations) {
        if (applied.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            Date.now(),
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw err;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(7419005)').catch(() => {});
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
