// The detector's state survives restarts: rebuilt by replay after a crash, from a snapshot after a clean
// stop, and from snapshot + replay when events arrived after the snapshot. Alerts replayed after a crash
// never open a second case.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { openTestStore, postgresSkip, type TestStore, type TestStoreKind } from '@lifeguard/storage/testing';
import { buildServer, createKey } from '../src/index.ts';
import { messageEvents, setupEvents, STRANGER_CHAT, STRANGER_CONVERSATION } from '../src/demo/scenario.ts';

function restartSuite(kind: TestStoreKind, skip?: string) {
  describe(`restarts on ${kind}`, { skip }, () => {
    let store: TestStore;
    let key = '';
    const apps: FastifyInstance[] = [];
    const start = async () => {
      const app = await buildServer({ storage: store.storage, webhooks: false });
      await app.ready();
      apps.push(app);
      return app;
    };
    const get = (app: FastifyInstance, url: string) =>
      app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
    const post = (app: FastifyInstance, url: string, payload: object) =>
      app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${key}` } });
    const t = Date.now() - 3_600_000;
    let scoreBefore = 0;

    before(async () => {
      store = await openTestStore(kind);
      key = (await createKey(store.storage, 'acme', 'admin', ['admin'])).key;
    });
    after(async () => {
      for (const app of apps) await app.close().catch(() => {});
      await store?.cleanup();
    });

    it('rebuilds the detector by replaying stored events after a crash, without a second case', async () => {
      const first = await start();
      const events = [
        ...setupEvents(t),
        { type: 'contact', id: 'acc', time: t + 5, action: 'friend_accept', actorId: 'maya', targetId: 'rick' },
        ...messageEvents(STRANGER_CHAT.slice(0, 4), STRANGER_CONVERSATION, 's', t + 1000),
      ];
      assert.equal((await post(first, '/v1/events', { events })).statusCode, 200);
      scoreBefore = (await get(first, `/v1/conversations/${STRANGER_CONVERSATION}/risk`)).json().score;
      assert.ok(scoreBefore > 0.5, 'the conversation scores high before the crash');
      assert.equal(await store.storage.latestSnapshot('acme'), null, 'no snapshot yet: the "crash" leaves only events');
      // A second server on the same store, as after a crash of the first (which is never closed cleanly here).
      const second = await start();
      const report = (await get(second, `/v1/conversations/${STRANGER_CONVERSATION}/risk`)).json();
      assert.equal(report.score, scoreBefore);
      assert.equal(report.messageCount, 4);
      const cases = (await get(second, '/v1/cases')).json().cases;
      assert.equal(cases.length, 1, 'replayed alerts are recognised');
    });

    it('restores from the snapshot a clean stop writes, then replays what came after it', async () => {
      const second = apps[1]!;
      await second.close();
      const snapshot = await store.storage.latestSnapshot('acme');
      assert.ok(snapshot, 'a clean stop stores a snapshot');
      assert.equal(snapshot!.seq, await store.storage.maxSeq('acme'));
      const third = await start();
      assert.equal((await get(third, `/v1/conversations/${STRANGER_CONVERSATION}/risk`)).json().score, scoreBefore);
      const more = messageEvents(STRANGER_CHAT.slice(4), STRANGER_CONVERSATION, 's-more', t + 10_000);
      assert.equal((await post(third, '/v1/events', { events: more })).statusCode, 200);
      const live = (await get(third, `/v1/conversations/${STRANGER_CONVERSATION}/risk`)).json();
      const fourth = await start();
      const restored = (await get(fourth, `/v1/conversations/${STRANGER_CONVERSATION}/risk`)).json();
      assert.equal(restored.messageCount, STRANGER_CHAT.length);
      assert.equal(restored.score, live.score);
      assert.equal((await get(fourth, '/v1/cases')).json().cases.length, 1);
    });
  });
}

restartSuite('sqlite');
restartSuite('postgres', await postgresSkip());
