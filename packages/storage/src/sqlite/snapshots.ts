// SQLite store, engine snapshots (only the newest is kept). The contract is SnapshotStore in ../types.ts; the
// contract tests are test/contract/.
import type { EngineSnapshotRecord, SnapshotStore } from '../types.ts';
import { SqliteRole, type Row } from './connection.ts';

export class SqliteSnapshotStore extends SqliteRole implements SnapshotStore {
  async saveSnapshot(tenantId: string, s: EngineSnapshotRecord): Promise<void> {
    if (this.writer) return this.writer.call('saveSnapshot', [tenantId, s]);
    this.db
      .transaction(() => {
        this.q('INSERT OR REPLACE INTO engine_snapshots (tenant_id, seq, created_at, data) VALUES (?, ?, ?, ?)').run(
          tenantId,
          s.seq,
          s.createdAt,
          s.data,
        );
        // Keep only the newest (see Storage.saveSnapshot).
        this.q('DELETE FROM engine_snapshots WHERE tenant_id = ? AND seq < ?').run(tenantId, s.seq);
      })
      .immediate();
  }

  async latestSnapshot(tenantId: string): Promise<EngineSnapshotRecord | null> {
    const r = this.q('SELECT * FROM engine_snapshots WHERE tenant_id = ? ORDER BY seq DESC LIMIT 1').get(tenantId) as
      | Row
      | undefined;
    return r ? { seq: Number(r.seq), createdAt: Number(r.created_at), data: String(r.data) } : null;
  }
}
