// Stores for tests (this package's and the service's): a temp SQLite file, or a fresh PostgreSQL
// schema per run on the local server (CI has one on 127.0.0.1:5432).
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresStorage } from './postgres.ts';
import { SqliteStorage } from './sqlite.ts';
import type { Storage } from './types.ts';
import { environmentSkip } from './testEnvironment.ts';

export { environmentSkip, REQUIRE_ALL } from './testEnvironment.ts';

export const TEST_PG_URL = process.env.LIFEGUARD_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Null when the server answers; otherwise why it cannot be used (the tests then skip and say so). */
export async function postgresUnavailable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return (
      `PostgreSQL unreachable at ${TEST_PG_URL} (${(err as Error).message}). Install and start it ` +
      '(Debian/Ubuntu: `apt-get install -y postgresql`, with a database "test" the user postgres can reach without ' +
      'a password) or point LIFEGUARD_TEST_PG at one to run these tests'
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** The skip option for PostgreSQL suites: undefined when the server answers (see environmentSkip). */
export async function postgresSkip(): Promise<string | undefined> {
  return environmentSkip('PostgreSQL', await postgresUnavailable());
}

export function testSchemaName(): string {
  return `lg_test_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export async function openTestPostgres(): Promise<{ storage: PostgresStorage; cleanup(): Promise<void> }> {
  const schema = testSchemaName();
  const storage = new PostgresStorage({ connectionString: TEST_PG_URL, schema });
  await storage.migrate();
  return {
    storage,
    async cleanup() {
      await storage.close();
      await dropSchema(schema);
    },
  };
}

export interface TestStore {
  storage: Storage;
  cleanup(): Promise<void>;
}

export async function openTestSqlite(): Promise<TestStore & { path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-sqlite-'));
  const path = join(dir, 'test.db');
  const storage = new SqliteStorage({ path });
  await storage.migrate();
  return {
    storage,
    path,
    async cleanup() {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestStoreKind = 'sqlite' | 'postgres';

export function openTestStore(kind: TestStoreKind): Promise<TestStore> {
  return kind === 'sqlite' ? openTestSqlite() : openTestPostgres();
}
