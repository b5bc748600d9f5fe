import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../src/index.ts';
import { storageSuite } from './suite.ts';

storageSuite('SQLite (temp file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-sqlite-'));
  const storage = new SqliteStorage({ path: join(dir, 'test.db') });
  await storage.migrate();
  return {
    storage,
    async cleanup() {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
