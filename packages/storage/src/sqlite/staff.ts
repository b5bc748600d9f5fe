// SQLite store, moderator console (migration 5): staff accounts, sign-in and sessions. The contract is StaffStore in
// ../types.ts; the contract tests are test/contract/.
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
import { mapSessionWithUser, mapStaffCredentials, mapStaffUser, SESSION_WITH_USER_SQL } from '../consoleRows.ts';
import { SqliteRole, type Row } from './connection.ts';

export class SqliteStaffStore extends SqliteRole implements StaffStore {
  async createStaffUser(u: NewStaffUser): Promise<StaffUser> {
    if (this.writer) return this.writer.call('createStaffUser', [u]);
    const id = newId('staff');
    const email = u.email.trim().toLowerCase();
    try {
      this.q(`INSERT INTO staff_users (id, tenant_id, email, name, role, password_hash, disabled, failed_signins, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`).run(id, u.tenantId, email, u.name, u.role, u.passwordHash, u.at, u.at);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
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
    const r = this.q('SELECT * FROM staff_users WHERE email = ?').get(email.trim().toLowerCase()) as Row | undefined;
    return r ? mapStaffCredentials(r) : null;
  }

  async getStaffUser(tenantId: string, userId: string): Promise<StaffUser | null> {
    const r = this.q('SELECT * FROM staff_users WHERE tenant_id = ? AND id = ?').get(tenantId, userId) as
      | Row
      | undefined;
    return r ? mapStaffUser(r) : null;
  }

  async listStaffUsers(tenantId: string): Promise<StaffUser[]> {
    return (this.q('SELECT * FROM staff_users WHERE tenant_id = ? ORDER BY email').all(tenantId) as Row[]).map(
      mapStaffUser,
    );
  }

  async updateStaffUser(
    tenantId: string,
    userId: string,
    patch: StaffUserPatch,
    at: number,
  ): Promise<StaffUser | null> {
    if (this.writer) return this.writer.call('updateStaffUser', [tenantId, userId, patch, at]);
    return this.db
      .transaction(() => {
        const current = this.q('SELECT * FROM staff_users WHERE tenant_id = ? AND id = ?').get(tenantId, userId) as
          | Row
          | undefined;
        if (!current) return null;
        const next = mapStaffCredentials(current);
        this.q(
          'UPDATE staff_users SET name = ?, role = ?, disabled = ?, password_hash = ?, updated_at = ? WHERE id = ?',
        ).run(
          patch.name ?? next.name,
          patch.role ?? next.role,
          (patch.disabled ?? next.disabled) ? 1 : 0,
          patch.passwordHash ?? next.passwordHash,
          at,
          userId,
        );
        if (patch.disabled || patch.passwordHash) this.q('DELETE FROM staff_sessions WHERE user_id = ?').run(userId);
        return mapStaffUser(this.q('SELECT * FROM staff_users WHERE id = ?').get(userId) as Row);
      })
      .immediate();
  }

  async recordSignin(
    userId: string,
    ok: boolean,
    at: number,
    lock: { maxFailures: number; lockMs: number },
  ): Promise<number | null> {
    if (this.writer) return this.writer.call('recordSignin', [userId, ok, at, lock]);
    if (ok) {
      this.q('UPDATE staff_users SET failed_signins = 0, locked_until = NULL WHERE id = ?').run(userId);
      return null;
    }
    const r = this.q(`UPDATE staff_users SET failed_signins = failed_signins + 1,
        locked_until = CASE WHEN failed_signins + 1 >= ? THEN ? ELSE locked_until END
      WHERE id = ? RETURNING locked_until`).get(lock.maxFailures, at + lock.lockMs, userId) as Row | undefined;
    return r?.locked_until == null ? null : Number(r.locked_until);
  }

  async createStaffSession(s: StaffSessionRecord): Promise<void> {
    if (this.writer) return this.writer.call('createStaffSession', [s]);
    this.q(
      'INSERT INTO staff_sessions (token_hash, user_id, tenant_id, csrf_token, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(s.tokenHash, s.userId, s.tenantId, s.csrfToken, s.createdAt, s.lastSeenAt, s.expiresAt);
  }

  async findStaffSession(tokenHash: string): Promise<{ session: StaffSessionRecord; user: StaffUser } | null> {
    const r = this.q(SESSION_WITH_USER_SQL).get(tokenHash) as Row | undefined;
    return r ? mapSessionWithUser(r) : null;
  }

  async touchStaffSession(tokenHash: string, at: number): Promise<void> {
    if (this.writer) return this.writer.call('touchStaffSession', [tokenHash, at]);
    this.q('UPDATE staff_sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?').run(
      at,
      tokenHash,
      at,
    );
  }

  async deleteStaffSession(tokenHash: string): Promise<boolean> {
    if (this.writer) return this.writer.call('deleteStaffSession', [tokenHash]);
    return this.q('DELETE FROM staff_sessions WHERE token_hash = ?').run(tokenHash).changes > 0;
  }
}
