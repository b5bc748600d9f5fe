// PostgreSQL store, engine snapshots (only the newest is kept). The contract is SnapshotStore in ../types.ts; the
// contract tests are test/contract/.
import type { EngineSnapshotRecord, SnapshotStore } from '../types.ts';
import { PostgresRole } from './connection.ts';

export class PostgresSnapshotStore extends PostgresRole implements SnapshotStore {
  async saveSnapshot(tenantId: string, s: EngineSnapshotRecord): Promise<void> {
    await this.tx(async (client) => {
      await client.query(
        `INSERT INTO engine_snapshots (tenant_id, seq, created_at, data) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, seq) DO UPDATE SET created_at = excluded.created_at, data = excluded.data`,
        [tenantId, s.seq, s.createdAt, s.data],
      );
      // Keep only the newest (see Storage.saveSnapshot).
      await client.query('DELETE FROM engine_snapshots WHERE tenant_id = $1 AND seq < $2', [tenantId, s.seq]);
    });
  }

  async latestSnapshot(tenantId: string): Promise<EngineSnapshotRecord | null> {
    const r = await this.one('SELECT * FROM engine_snapshots WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1', [
      tenantId,
    ]);
    return r ? { seq: Number(r.seq), createdAt: Number(r.created_at), data: String(r.data) } : null;
  }
}
