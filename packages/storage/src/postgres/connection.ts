// What the PostgreSQL role stores share: the pool and the query helpers (plain, named, one row, a transaction).
import type pg from 'pg';

export type Row = Record<string, unknown>;
export type Queryable = pg.Pool | pg.PoolClient;

export class PostgresConnection {
  constructor(
    readonly pool: pg.Pool,
    readonly schema: string,
  ) {}

  async tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async rows(sql: string, params: unknown[] = [], db: Queryable = this.pool): Promise<Row[]> {
    return (await db.query(sql, params)).rows as Row[];
  }

  /** A named statement: parsed and planned once per connection, not on every call. */
  async rowsNamed(name: string, text: string, values: unknown[], db: Queryable): Promise<Row[]> {
    return (await db.query({ name, text, values })).rows as Row[];
  }

  async one(sql: string, params: unknown[] = [], db: Queryable = this.pool): Promise<Row | null> {
    return (await this.rows(sql, params, db))[0] ?? null;
  }
}

/**
 * Base of the role stores (one per role interface in ../types.ts). A role's own methods are exactly
 * its interface: PostgresStorage exposes every method a role class defines, so helpers that are not
 * part of the contract are `#private` or module functions.
 */
export abstract class PostgresRole {
  constructor(protected readonly conn: PostgresConnection) {}

  protected get pool(): pg.Pool {
    return this.conn.pool;
  }

  protected get schema(): string {
    return this.conn.schema;
  }

  protected tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.conn.tx(fn);
  }

  protected rows(sql: string, params: unknown[] = [], db: Queryable = this.conn.pool): Promise<Row[]> {
    return this.conn.rows(sql, params, db);
  }

  protected rowsNamed(name: string, text: string, values: unknown[], db: Queryable): Promise<Row[]> {
    return this.conn.rowsNamed(name, text, values, db);
  }

  protected one(sql: string, params: unknown[] = [], db: Queryable = this.conn.pool): Promise<Row | null> {
    return this.conn.one(sql, params, db);
  }
}
