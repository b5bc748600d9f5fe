import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../src/index.ts';
import { openTestSqlite } from '../src/testing.ts';
import { storageContract } from './contract/index.ts';
import { message } from './contract/fixtures.ts';

// The default: writes in the writer thread, reads on this thread.
storageContract('SQLite (temp file, writer thread)', openTestSqlite);

// Everything on one thread, as in ':memory:' databases and inside the writer thread itself.
storageContract('SQLite (temp file, inline writes)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-sqlite-'));
  const storage = new SqliteStorage({ path: join(dir, 'test.db'), writer: 'inline' });
  await storage.migrate();
  return {
    storage,
    async cleanup() {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite deferred conversation index', () => {
  it("finds a conversation's messages both in the index and in the not-yet-indexed tail, newest last", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeguard-sqlite-'));
    const storage = new SqliteStorage({ path: join(dir, 'test.db'), writer: 'inline' });
    try {
      await storage.migrate();
      const t = Date.UTC(2025, 0, 1);
      const m = (i: number, conversationId = 'conv') =>
        message(`m${i}`, conversationId, 'a', 'b', `line ${i}`, t + i * 1000);
      await storage.appendEvents('acme', [m(1), m(2), m(3, 'other')], t); // the first append also indexes
      assert.equal(storage.indexConversations(), 0, 'nothing new to index');
      await storage.appendEvents('acme', [m(4), m(5)], t); // within a second: stays in the tail
      const all = await storage.conversationMessages('acme', 'conv', t + 10_000, 10);
      assert.deepEqual(
        all.map((e) => e.event.id),
        ['m1', 'm2', 'm4', 'm5'],
      );
      const window = await storage.conversationMessages('acme', 'conv', t + 4_000, 2);
      assert.deepEqual(
        window.map((e) => e.event.id),
        ['m2', 'm4'],
      );
      assert.equal(storage.indexConversations(), 2);
      assert.deepEqual(
        (await storage.conversationMessages('acme', 'conv', t + 10_000, 10)).map((e) => e.event.id),
        ['m1', 'm2', 'm4', 'm5'],
        'no duplicates once indexed',
      );
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
