// What the SQLite role stores share: the database handle, its prepared-statement cache and, in
// 'thread' mode, the writer thread that every write is forwarded to (see ../sqliteWriter.ts).
import type Database from 'better-sqlite3';
import type { WriterThread } from '../sqliteWriter.ts';

export type Row = Record<string, unknown>;

export class SqliteConnection {
  private readonly stmts = new Map<string, Database.Statement>();

  constructor(
    readonly db: Database.Database,
    /** Set in 'thread' mode: write methods are forwarded to it. */
    readonly writer: WriterThread | null,
  ) {}

  /** Prepared statements are cached by their SQL text. */
  q(sql: string): Database.Statement {
    let stmt = this.stmts.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.stmts.set(sql, stmt);
    }
    return stmt;
  }
}

/**
 * Base of the role stores (one per role interface in ../types.ts). A role's own methods are exactly
 * its interface: SqliteStorage exposes every method a role class defines, so helpers that are not
 * part of the contract are `#private` or module functions.
 */
export abstract class SqliteRole {
  constructor(protected readonly conn: SqliteConnection) {}

  protected get db(): Database.Database {
    return this.conn.db;
  }

  protected get writer(): WriterThread | null {
    return this.conn.writer;
  }

  protected q(sql: string): Database.Statement {
    return this.conn.q(sql);
  }
}
