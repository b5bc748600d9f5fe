// A full disk answers 503 naming it, with Retry-After, and loses nothing already acknowledged. The store
// is real SQLite with its page limit set to what it already holds, so its next growth fails with SQLITE_FULL.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '@lifeguard/storage';
import { buildServer, createKey } from '../src/index.ts';

describe('a full disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-full-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answers 503 saying the disk is full, with Retry-After, and keeps what was acknowledged', async () => {
    const storage = new SqliteStorage({ path: join(dir, 'full.db'), writer: 'inline' });
    await storage.migrate();
    const { key } = await createKey(storage, 'acme', 'ingest', ['ingest']);
    const app = await buildServer({ storage, webhooks: false });
    await app.ready();
    const event = (id: string, text: string) => ({
      type: 'message',
      id,
      time: Date.now() - 60_000,
      conversationId: 'c',
      senderId: 'a',
      recipientIds: ['b'],
      text,
    });
    const send = (events: unknown[]) =>
      app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { authorization: `Bearer ${key}` },
        payload: { events },
      });
    try {
      assert.equal((await send([event('kept', 'hello')])).statusCode, 200, 'stored before the disk filled');
      const pages = storage.db.pragma('page_count', { simple: true }) as number;
      storage.db.pragma(`max_page_count = ${pages}`);
      const big = Array.from({ length: 200 }, (_, i) => event(`big-${i}`, 'x'.repeat(5_000)));
      const res = await send(big);
      assert.equal(res.statusCode, 503, res.body);
      assert.equal(res.json().code, 'unavailable');
      assert.match(res.json().error, /disk is full; nothing from this request was stored/);
      assert.equal(res.headers['retry-after'], '5', 'tells the client when to retry');
      storage.db.pragma('max_page_count = 1073741823');
      const again = await send([event('kept', 'hello'), event('big-0', 'x')]);
      assert.deepEqual(
        again.json().results.map((r: { status: string }) => r.status),
        ['duplicate', 'accepted'],
        'the acknowledged event kept, the refused batch not half-stored',
      );
    } finally {
      await app.close();
      await storage.close();
    }
  });
});
