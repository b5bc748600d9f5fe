// The ingestion pipeline's group commit: one request's failing batch must not fail the requests it was
// grouped with (the fault is injected into a real SQLite store: a batch holding the id "poison" fails);
// fairness between clients; back-pressure; and pipelining (the next group is committed while the engine
// is fed the last one).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LifeguardEvent } from '@lifeguard/core';
import type { Storage } from '@lifeguard/storage';
import { openTestSqlite } from '@lifeguard/storage/testing';
import type { StoredEvent } from '@lifeguard/storage';
import { EngineHost } from '../src/engine/engineHost.ts';
import { IngestBusyError, IngestPipeline } from '../src/ingest/pipeline.ts';

const quiet = { error() {}, warn() {}, info() {}, debug() {} };
const message = (id: string): LifeguardEvent => ({
  type: 'message',
  id,
  time: Date.now() - 60_000,
  conversationId: `c-${id}`,
  senderId: 'a',
  recipientIds: ['b'],
  text: 'hello',
});

describe('ingestion pipeline', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups) await c();
  });

  it('writes each grouped batch on its own when the group fails, so only the failing request fails', async () => {
    const store = await openTestSqlite();
    cleanups.push(store.cleanup);
    const real = store.storage;
    let groupsWritten = 0;
    const faulty = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === 'appendEvents') {
          return async (tenantId: string, events: LifeguardEvent[], at: number) => {
            groupsWritten++;
            if (events.some((e) => e.id === 'poison')) throw new Error('injected store failure');
            return target.appendEvents(tenantId, events, at);
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Storage;
    const pipeline = new IngestPipeline(faulty, new EngineHost(faulty, {}, quiet as never), {}, quiet);
    // Submitted in one turn of the event loop, so the three are grouped into one transaction first.
    const results = await Promise.allSettled([
      pipeline.submit('acme', [message('good-1')]),
      pipeline.submit('acme', [message('poison')]),
      pipeline.submit('acme', [message('good-2'), message('good-3')]),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
      'only the poisoned request fails',
    );
    assert.deepEqual(
      (results[2] as PromiseFulfilledResult<{ statuses: string[] }>).value.statuses,
      ['accepted', 'accepted'],
      'its neighbours are stored',
    );
    assert.equal(groupsWritten, 4, 'one grouped attempt, then one write per request');
    const stored = await real.appendEvents('acme', [message('good-1'), message('good-3')], Date.now());
    assert.deepEqual(stored.statuses, ['duplicate', 'duplicate'], 'the good events are in the store');
  });

  it('takes batches from each client in turn, so one client sending many does not push another behind all of them', async () => {
    const store = await openTestSqlite();
    cleanups.push(store.cleanup);
    // One batch per commit, to see the order the queue serves them in.
    const pipeline = new IngestPipeline(
      store.storage,
      new EngineHost(store.storage, {}, quiet as never),
      { maxGroupEvents: 1 },
      quiet,
    );
    const done: string[] = [];
    const send = (client: string, id: string) =>
      pipeline.submit('acme', [message(id)], client).then(() => done.push(id));
    await Promise.all([
      send('bulk', 'bulk-1'),
      send('bulk', 'bulk-2'),
      send('bulk', 'bulk-3'),
      send('bulk', 'bulk-4'),
      send('chat', 'chat-1'),
    ]);
    assert.deepEqual(
      done.slice(0, 2),
      ['bulk-1', 'chat-1'],
      `the second client is served second, not fifth: ${done.join(', ')}`,
    );
  });

  it("refuses at once, with a time to retry, a batch that would overfill the tenant's queue or one client's half of it", async () => {
    const store = await openTestSqlite();
    cleanups.push(store.cleanup);
    const pipeline = new IngestPipeline(
      store.storage,
      new EngineHost(store.storage, {}, quiet as never),
      { maxQueuedEvents: 40 },
      quiet,
    );
    const batch = (prefix: string) => Array.from({ length: 10 }, (_, i) => message(`${prefix}-${i}`));
    const accepted = [pipeline.submit('acme', batch('a1'), 'a'), pipeline.submit('acme', batch('a2'), 'a')];
    await assert.rejects(
      pipeline.submit('acme', batch('a3'), 'a'),
      (err: unknown) => {
        assert.ok(err instanceof IngestBusyError, `an IngestBusyError: ${err}`);
        assert.match(err.message, /this client has too many events waiting/);
        assert.ok(err.retryAfterSeconds >= 1 && err.retryAfterSeconds <= 30, `retry after ${err.retryAfterSeconds} s`);
        return true;
      },
      'the client past half the queue is refused',
    );
    accepted.push(pipeline.submit('acme', batch('b1'), 'b'));
    accepted.push(pipeline.submit('acme', batch('c1'), 'c'));
    await assert.rejects(
      pipeline.submit('acme', batch('d1'), 'd'),
      /this tenant has too many events waiting/,
      'the full tenant queue refuses a new client too',
    );
    const results = await Promise.all(accepted);
    assert.ok(
      results.every((r) => r.statuses.every((x) => x === 'accepted')),
      'everything admitted is stored',
    );
    assert.equal(
      (await pipeline.submit('acme', batch('a3'), 'a')).statuses.length,
      10,
      'accepted again once the queue drained',
    );
  });
  it('commits the next group while the engine is fed the last one, feeds in commit order and answers after feeding', async () => {
    const store = await openTestSqlite();
    cleanups.push(store.cleanup);
    const trace: string[] = [];
    const observed = new Proxy(store.storage, {
      get(target, prop, receiver) {
        if (prop === 'appendEvents') {
          return async (tenantId: string, events: LifeguardEvent[], at: number) => {
            trace.push(`commit ${events.map((e) => e.id).join(',')}`);
            return target.appendEvents(tenantId, events, at);
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Storage;
    // The first feed is held until the test lets it go, standing for a slow detection pass.
    let releaseFirstFeed = () => {};
    const firstFeedHeld = new Promise<void>((resolve) => {
      releaseFirstFeed = resolve;
    });
    let firstFeedStarted = () => {};
    const firstFeedStarts = new Promise<void>((resolve) => {
      firstFeedStarted = resolve;
    });
    class SlowEngineHost extends EngineHost {
      override async feed(tenantId: string, events: StoredEvent[]): Promise<void> {
        const ids = events.map((e) => e.event.id).join(',');
        trace.push(`feed ${ids} starts`);
        if (ids === 'first') {
          firstFeedStarted();
          await firstFeedHeld;
        }
        await super.feed(tenantId, events);
        trace.push(`feed ${ids} ends`);
      }
    }
    const pipeline = new IngestPipeline(observed, new SlowEngineHost(observed, {}, quiet as never), {}, quiet);
    const first = pipeline.submit('acme', [message('first')]).then(() => trace.push('answer first'));
    await firstFeedStarts;
    const second = pipeline.submit('acme', [message('second')]).then(() => trace.push('answer second'));
    // Wait until the second group is committed, which must not need the first feed to finish.
    for (let i = 0; i < 200 && !trace.includes('commit second'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(
      trace.includes('commit second') && !trace.includes('feed first ends'),
      `the second group is committed while the first is still being fed: ${trace.join(' | ')}`,
    );
    releaseFirstFeed();
    await Promise.all([first, second]);
    assert.deepEqual(
      trace,
      [
        'commit first',
        'feed first starts',
        'commit second',
        'feed first ends',
        'answer first',
        'feed second starts',
        'feed second ends',
        'answer second',
      ],
      'feeding follows commit order, and each request is answered only after its events were fed',
    );
  });
});
