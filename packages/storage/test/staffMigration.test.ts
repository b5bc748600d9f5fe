// Migration 13 on a store that already has staff: staff emails were unique across the service and
// become unique per tenant. Existing accounts, their passwords and lock state must come through intact.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ConflictError, PostgresStorage, SqliteStorage, type Storage } from '../src/index.ts';
import { postgresMigrations, sqliteMigrations, type Migration } from '../src/migrations.ts';
import { dropSchema, postgresSkip, TEST_PG_URL, testSchemaName } from '../src/testing.ts';

const AT = Date.UTC(2025, 0, 1);
const BEFORE = (m: Migration) => m.version < 13;

/** Two tenants with one account each, as a store before migration 13 holds them; one account is locked. */
const SEED = [
  "INSERT INTO tenants (id, name, created_at) VALUES ('acme', 'Acme', 1), ('globex', 'Globex', 1)",
  `INSERT INTO staff_users (id, tenant_id, email, name, role, password_hash, disabled, failed_signins, locked_until, created_at, updated_at)
   VALUES ('staff_a', 'acme', 'ada@example.org', 'Ada', 'admin', 'hash-a', 0, 0, NULL, 1, 1),
          ('staff_g', 'globex', 'gus@example.org', 'Gus', 'moderator', 'hash-g', 0, 5, ${AT + 60_000}, 1, 1)`,
];

async function checkMigrated(s: Storage): Promise<void> {
  await s.migrate();
  const ada = await s.staffCredentials('acme', 'ada@example.org');
  assert.equal(ada?.id, 'staff_a', 'the existing account is kept under its id');
  assert.equal(ada?.passwordHash, 'hash-a', 'its password hash is kept');
  const gus = await s.staffCredentials('globex', 'gus@example.org');
  assert.equal(gus?.lockedUntil, AT + 60_000, 'a lock in force survives the migration');
  assert.equal(gus?.failedSignins, 5, 'the failure count survives the migration');
  assert.equal(await s.staffCredentials('globex', 'ada@example.org'), null, 'no account appears in another tenant');
  // After the migration the same email may be used by another tenant, never twice in one.
  const again = await s.createStaffUser({
    tenantId: 'globex',
    email: 'Ada@example.org',
    name: 'Ada at Globex',
    role: 'moderator',
    passwordHash: 'hash-a2',
    at: AT,
  });
  assert.equal((await s.staffCredentials('globex', 'ada@example.org'))?.id, again.id, 'found in its own tenant');
  await assert.rejects(
    s.createStaffUser({
      tenantId: 'acme',
      email: 'ADA@example.org',
      name: 'x',
      role: 'admin',
      passwordHash: 'h',
      at: AT,
    }),
    ConflictError,
  );
  assert.equal((await s.staffCredentials('acme', 'ada@example.org'))?.passwordHash, 'hash-a', 'the first is untouched');
}

describe('migration 13 (staff emails per tenant) on SQLite', () => {
  it('keeps existing accounts and allows an email once per tenant', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeguard-staff-migration-'));
    const path = join(dir, 'old.db');
    try {
      const db = new Database(path);
      db.exec(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
      );
      for (const m of sqliteMigrations.filter(BEFORE)) {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
      }
      for (const sql of SEED) db.exec(sql);
      db.close();
      const storage = new SqliteStorage({ path });
      try {
        await checkMigrated(storage);
      } finally {
        await storage.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migration 13 (staff emails per tenant) on PostgreSQL', { skip: await postgresSkip() }, () => {
  it('keeps existing accounts and allows an email once per tenant', async () => {
    const schema = testSchemaName();
    const client = new pg.Client({ connectionString: TEST_PG_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`SET search_path = ${schema}`);
      await client.query(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      for (const m of postgresMigrations.filter(BEFORE)) {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.name]);
      }
      for (const sql of SEED) await client.query(sql);
    } finally {
      await client.end();
    }
    const storage = new PostgresStorage({ connectionString: TEST_PG_URL, schema });
    try {
      await checkMigrated(storage);
    } finally {
      await storage.close();
      await dropSchema(schema);
    }
  });
});
