// The storage contract for SnapshotStore (src/types.ts), as tests; both stores run it (sqlite.test.ts, postgres.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage } from '../../src/index.ts';
import { type StoreFixture, T0, openWithTwoTenants } from './fixtures.ts';

export function snapshotsContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`storage contract, snapshots: ${name}`, { skip }, () => {
    let s: Storage;
    let tenant = '';
    let other = '';
    openWithTwoTenants(open, (t) => {
      s = t.storage;
      tenant = t.tenant;
      other = t.other;
    });

    describe('snapshots', () => {
      it('returns the newest snapshot', async () => {
        for (const seq of [10, 20, 30])
          await s.saveSnapshot(tenant, { seq, createdAt: T0 + seq, data: JSON.stringify({ seq }) });
        assert.deepEqual(await s.latestSnapshot(tenant), { seq: 30, createdAt: T0 + 30, data: '{"seq":30}' });
        assert.equal(await s.latestSnapshot(other), null);
      });
    });
  });
}
