// The storage contract for EventStore (src/types.ts), as tests; both stores run it (sqlite.test.ts, postgres.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage } from '../../src/index.ts';
import { type StoreFixture, T0, message, contact, account, openWithTwoTenants } from './fixtures.ts';

export function eventsContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`storage contract, events: ${name}`, { skip }, () => {
    let s: Storage;
    let tenant = '';
    let other = '';
    openWithTwoTenants(open, (t) => {
      s = t.storage;
      tenant = t.tenant;
      other = t.other;
    });

    describe('events', () => {
      it('stores a batch and returns the events as they were sent, in seq order', async () => {
        const events = [
          message('e1', 'c1', 'u1', 'u2', 'hello there'),
          account('e2', 'u1', { age: 34, country: 'gb' }),
          contact('e3', 'friend_request', 'u1', 'u2'),
        ];
        const result = await s.appendEvents(tenant, events, T0 + 5);
        assert.deepEqual(result.statuses, ['accepted', 'accepted', 'accepted']);
        const seqs = result.seqs as number[];
        assert.ok(seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!, 'seqs increase in input order');
        const stored = await s.readEvents(tenant, 0, 10);
        assert.deepEqual(
          stored.map((e) => e.event),
          events,
        );
        assert.equal(stored[0]!.receivedAt, T0 + 5);
        assert.equal(stored[0]!.textPurged, false);
      });

      it('treats a repeated event id as a duplicate, within a batch and across batches, and keeps the first', async () => {
        const result = await s.appendEvents(
          tenant,
          [
            message('e1', 'c1', 'u1', 'u2', 'changed text'),
            message('e4', 'c1', 'u2', 'u1', 'hi'),
            message('e4', 'c1', 'u2', 'u1', 'hi again'),
          ],
          T0,
        );
        assert.deepEqual(result.statuses, ['duplicate', 'accepted', 'duplicate']);
        assert.equal(result.seqs[0], null);
        const [e1] = await s.getEventsByIds(tenant, ['e1']);
        assert.equal(e1!.event.type === 'message' && e1!.event.text, 'hello there');
        assert.equal(await s.countEvents(tenant), 4);
      });

      it('stores text that needs escaping exactly, and a lone surrogate in text does not fail the batch', async () => {
        const awkward = 'quote " backslash \\ tab\t newline\n braces {"a":[1]} emoji 🙂 accents é ß 中文';
        const events = [
          message('esc-1', 'c "1"', 'u\\1', 'u2', awkward),
          message('esc-2', 'c2', 'u1', 'u2', 'half a pair \ud83d here'),
          account('esc-3', 'u1', { age: 12, country: 'gb' }),
        ];
        const result = await s.appendEvents('escapes', events, T0);
        assert.deepEqual(result.statuses, ['accepted', 'accepted', 'accepted'], 'the whole batch is stored');
        const stored = await s.readEvents('escapes', 0, 10);
        assert.deepEqual(stored[0]!.event, events[0], 'the awkward message comes back unchanged');
        const half = stored[1]!.event.type === 'message' ? stored[1]!.event.text : '';
        assert.ok(
          half.startsWith('half a pair ') && half.endsWith(' here'),
          `the message with a lone surrogate is stored around it: ${JSON.stringify(half)}`,
        );
        assert.deepEqual(stored[2]!.event, events[2], 'an event without a conversation comes back unchanged');
      });

      it('keeps tenants apart: the same id is a new event for another tenant and invisible to the first', async () => {
        const result = await s.appendEvents(other, [message('e1', 'c1', 'x1', 'x2', 'other platform')], T0);
        assert.deepEqual(result.statuses, ['accepted']);
        assert.equal(await s.countEvents(other), 1);
        const mine = await s.getEventsByIds(tenant, ['e1']);
        assert.equal(mine.length, 1);
        assert.equal(mine[0]!.event.type === 'message' && mine[0]!.event.text, 'hello there');
        assert.ok(
          (await s.readEvents(tenant, 0, 100)).every(
            (e) => !(e.event.type === 'message' && e.event.text === 'other platform'),
          ),
          "the other tenant's event is invisible",
        );
      });

      it('reads events after a seq, bounded by a limit', async () => {
        const all = await s.readEvents(tenant, 0, 100);
        const after1 = await s.readEvents(tenant, all[0]!.seq, 2);
        assert.deepEqual(
          after1.map((e) => e.event.id),
          all.slice(1, 3).map((e) => e.event.id),
        );
        assert.equal(await s.maxSeq(tenant), all[all.length - 1]!.seq);
        assert.equal(await s.maxSeq('nobody'), 0);
      });

      it('returns the newest messages of a conversation before a time, oldest first', async () => {
        const events = [1, 2, 3, 4, 5].map((i) =>
          message(`cm${i}`, 'conv-window', 'a', 'b', `line ${i}`, T0 + i * 1000),
        );
        await s.appendEvents(tenant, events.reverse(), T0);
        const window = await s.conversationMessages(tenant, 'conv-window', T0 + 4000, 2);
        assert.deepEqual(
          window.map((e) => e.event.id),
          ['cm3', 'cm4'],
        );
      });
    });
  });
}
