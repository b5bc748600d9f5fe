// The ingestion pipeline's group commit: one request's failing batch must not fail the requests it was
// grouped with. The fault is injected into a real SQLite store (a batch holding the id "poison" fails).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LifeguardEvent } from '@lifeguard/core';
import type { Storage } from '@lifeguard/storage';
import { openTestSqlite } from '@lifeguard/storage/testing';
import { EngineHost } from '../src/engine/engineHost.ts';
import { IngestPipeline } from '../src/ingest/pipeline.ts';

const quiet = { error() {}, warn() {}, info() {}, debug() {} };
const message = (id: string): LifeguardEvent => ({
  type: 'message', id, time: Date.now() - 60_000, conversationId: `c-${id}`, senderId: 'a', recipientIds: ['b'], text: 'hello',
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
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled'], 'only the poisoned request fails');
    assert.deepEqual((results[2] as PromiseFulfilledResult<{ statuses: string[] }>).value.statuses, ['accepted', 'accepted'], 'its neighbours are stored');
    assert.equal(groupsWritten, 4, 'one grouped attempt, then one write per request');
    const stored = await real.appendEvents('acme', [message('good-1'), message('good-3')], Date.now());
    assert.deepEqual(stored.statuses, ['duplicate', 'duplicate'], 'the good events are in the store');
  });
});
