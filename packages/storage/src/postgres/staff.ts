// PostgreSQL store, moderator console (migration 5): staff accounts, sign-in and sessions. The contract is StaffStore
// in ../types.ts; the contract tests are test/contract/.
import { newId } from '../rows.ts';
import {
  ConflictError,
  type NewStaffUser,
  type StaffCredentials,
  type StaffSessionRecord,
  type StaffUser,
  type StaffUserPatch,
  type StaffStore,
} from '../types.ts';
import { mapSessionWithUser, mapStaffCredentials, mapStaffUser, pgSql, SESSION_WITH_USER_SQL } from '../consoleRows.ts';
import { PostgresRole } from './connection.ts';

export class PostgresStaffStore extends PostgresRole implements StaffStore {
  async createStaffUser(u: NewStaffUser): Promise<StaffUser> {
    const id = newId('staff');
    const email = u.email.trim().toLowerCase();
    try {
      await this.pool.query(
        pgSql(`INSERT INTO staff_users (id, tenant_id, email, name, role, password_hash, disabled, failed_signins, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`),
        [id, u.tenantId, email, u.name, u.role, u.passwordHash, u.at, u.at],
      );
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw new ConflictError(`a staff account with email ${email} already exists`);
      throw err;
    }
    return {
      id,
      tenantId: u.tenantId,
      email,
      name: u.name,
      role: u.role,
      disabled: false,
      createdAt: u.at,
      updatedAt: u.at,
    };
  }

  async staffCredentials(email: string): Promise<StaffCredentials | null> {
    const r = await this.one('SELECT * FROM staff_users WHERE email = $1', [email.trim().toLowerCase()]);
    return r ? mapStaffCredentials(r) : null;
  }

  async getStaffUser(tenantId: string, userId: string): Promise<StaffUser | null> {
    const r = await this.one('SELECT * FROM staff_users WHERE tenant_id = $1 AND id = $2', [tenantId, userId]);
    return r ? mapStaffUser(r) : null;
  }

  async listStaffUsers(tenantId: string): Promise<StaffUser[]> {
    return (await this.rows('SELECT * FROM staff_users WHERE tenant_id = $1 ORDER BY email', [tenantId])).map(
      mapStaffUser,
    );
  }

  async updateStaffUser(
    tenantId: string,
    userId: string,
    patch: StaffUserPatch,
    at: number,
  ): Promise<StaffUser | null> {
    return this.tx(async (client) => {
      const current = await this.one(
        'SELECT * FROM staff_users WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
        [tenantId, userId],
        client,
      );
      if (!current) return null;
      const next = mapStaffCredentials(current);
      const r = await this.one(
        'UPDATE staff_users SET name = $1, role = $2, disabled = $3, password_hash = $4, updated_at = $5 WHERE id = $6 RETURNING *',
        [
          patch.name ?? next.name,
          patch.role ?? next.role,
          (patch.disabled ?? next.disabled) ? 1 : 0,
          patch.passwordHash ?? next.passwordHash,
          at,
          userId,
        ],
        client,
      );
      if (patch.disabled || patch.passwordHash)
        await client.query('DELETE FROM staff_sessions WHERE user_id = $1', [userId]);
      return mapStaffUser(r!);
    });
  }

  async recordSignin(
    userId: string,
    ok: boolean,
    at: number,
    lock: { maxFailures: number; lockMs: number },
  ): Promise<number | null> {
    if (ok) {
      await this.pool.query('UPDATE staff_users SET failed_signins = 0, locked_until = NULL WHERE id = $1', [userId]);
      return null;
    }
    const r = await this.one(
      `UPDATE staff_users SET failed_signins = failed_signins + 1,
        locked_until = CASE WHEN failed_signins + 1 >= $1 THEN $2 ELSE locked_until END
      WHERE id = $3 RETURNING locked_until`,
      [lock.maxFailures, at + lock.lockMs, userId],
    );
    return r?.locked_until == null ? null : Number(r.locked_until);
  }

  async createStaffSession(s: StaffSessionRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO staff_sessions (token_hash, user_id, tenant_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [s.tokenHash, s.userId, s.tenantId, s.csrfToken, s.createdAt, s.lastSeenAt, s.expiresAt],
    );
  }

  async findStaffSession(tokenHash: string): Promise<{ session: StaffSessionRecord; user: StaffUser } | null> {
    const r = await this.one(pgSql(SESSION_WITH_USER_SQL), [tokenHash]);
    return r ? mapSessionWithUser(r) : null;
  }

  async touchStaffSession(tokenHash: string, at: number): Promise<void> {
    await this.pool.query('UPDATE staff_sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $1', [
      at,
      tokenHash,
    ]);
  }

  async deleteStaffSession(tokenHash: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM staff_sessions WHERE token_hash = $1', [tokenHash])).rowCount ?? 0) > 0;
  }
}
