// The HTTP API's behaviour, run against both stores (api.sqlite.test.ts, api.postgres.test.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestStoreKind } from '@lifeguard/storage/testing';
import { startTestService, NOW, type TestService } from './helpers.ts';
import {
  messageEvents,
  setupEvents,
  STRANGER_CHAT,
  STRANGER_CONVERSATION,
  FRIENDS_CHAT,
  FRIENDS_CONVERSATION,
} from '../src/demo/scenario.ts';

const msg = (
  id: string,
  conversationId: string,
  senderId: string,
  recipientId: string,
  text: string,
  time = NOW(),
) => ({
  type: 'message',
  id,
  time,
  conversationId,
  senderId,
  recipientIds: [recipientId],
  text,
});

export function apiSuite(kind: TestStoreKind, skip?: string): void {
  describe(`HTTP API on ${kind}`, { skip }, () => {
    let s: TestService;
    before(async () => {
      s = await startTestService(kind, { bodyLimitBytes: 256 * 1024, maxBatchEvents: 200 });
    });
    after(async () => {
      await s?.close();
    });

    describe('authentication', () => {
      it('refuses a request without an API key and says how to send one', async () => {
        const res = await s.call('POST', '/v1/events', null, { events: [] });
        assert.equal(res.statusCode, 401);
        assert.equal(res.json().code, 'unauthorized');
        assert.match(res.json().error, /Authorization: Bearer/);
      });

      it('refuses an unknown key and a malformed Authorization header', async () => {
        assert.equal((await s.call('GET', '/v1/me', 'lg_not-a-real-key')).statusCode, 401);
        const res = await s.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: 'Basic abc' } });
        assert.equal(res.statusCode, 401);
      });

      it('refuses a key without the scope the route needs, naming the scope', async () => {
        const res = await s.call('GET', '/v1/cases', s.keys.ingest);
        assert.equal(res.statusCode, 403);
        assert.match(res.json().error, /"cases:read" scope/);
        assert.equal(
          (await s.call('POST', '/v1/decisions/contact', s.keys.reader, { senderId: 'a', recipientId: 'b' }))
            .statusCode,
          403,
        );
      });

      it('accepts the key in X-Api-Key too, and tells the caller its tenant and scopes', async () => {
        const res = await s.app.inject({ method: 'GET', url: '/v1/me', headers: { 'x-api-key': s.keys.decide } });
        assert.equal(res.statusCode, 200);
        assert.equal(res.json().tenantId, 'acme');
        assert.deepEqual(res.json().scopes, ['decide']);
      });

      it('creates a key through the API and refuses it at once after revocation', async () => {
        const created = await s.call('POST', '/v1/keys', s.keys.admin, { name: 'temporary', scopes: ['decide'] });
        assert.equal(created.statusCode, 201);
        const { key, id } = created.json();
        assert.match(key, /^lg_/);
        assert.equal((await s.call('GET', '/v1/me', key)).statusCode, 200);
        const listed = await s.call('GET', '/v1/keys', s.keys.admin);
        assert.ok(!listed.body.includes(key), 'the key itself is never listed');
        assert.equal((await s.call('DELETE', `/v1/keys/${id}`, s.keys.admin)).statusCode, 204);
        assert.equal((await s.call('GET', '/v1/me', key)).statusCode, 401);
        assert.equal(
          (await s.call('DELETE', `/v1/keys/${id}`, s.keys.otherAdmin)).statusCode,
          404,
          'another tenant cannot revoke it',
        );
      });
    });

    describe('ingestion: bad input', () => {
      it('rejects malformed JSON with the parser position', async () => {
        const res = await s.call('POST', '/v1/events', s.keys.ingest, '{"events": [{"type": "message",}]}');
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().code, 'malformed_json');
        assert.match(res.json().problems[0], /position \d+/);
      });

      it('rejects an empty body and a body that is not JSON', async () => {
        assert.equal((await s.call('POST', '/v1/events', s.keys.ingest, '')).statusCode, 400);
        const res = await s.app.inject({
          method: 'POST',
          url: '/v1/events',
          headers: { authorization: `Bearer ${s.keys.ingest}`, 'content-type': 'text/plain' },
          payload: 'hello',
        });
        assert.equal(res.statusCode, 415);
        assert.equal(res.json().code, 'unsupported_media_type');
      });

      it('names every field with a wrong type and stores nothing when no event is valid', async () => {
        const res = await s.ingest([
          {
            type: 'message',
            id: 'bad-1',
            time: 'yesterday',
            conversationId: 7,
            senderId: 'a',
            recipientIds: 'b',
            text: 'hi',
          },
        ]);
        assert.equal(res.statusCode, 400);
        const problems: string[] = res.json().problems;
        assert.ok(
          problems.some((p) => p.startsWith('events[0].time:')),
          problems.join('\n'),
        );
        assert.ok(
          problems.some((p) => p.startsWith('events[0].conversationId:')),
          problems.join('\n'),
        );
        assert.ok(
          problems.some((p) => p.startsWith('events[0].recipientIds:')),
          problems.join('\n'),
        );
        assert.equal((await s.storage.getEventsByIds('acme', ['bad-1'])).length, 0);
      });

      it('names unknown fields, in the envelope and in events', async () => {
        let res = await s.call('POST', '/v1/events', s.keys.ingest, {
          events: [msg('u-1', 'c', 'a', 'b', 'hi')],
          priority: 'high',
        });
        assert.equal(res.statusCode, 400);
        assert.deepEqual(res.json().problems, ['priority: unknown field']);
        res = await s.ingest([{ ...msg('u-2', 'c', 'a', 'b', 'hi'), mood: 'happy', colour: 'red' }]);
        assert.equal(res.statusCode, 400);
        assert.deepEqual(res.json().problems.sort(), [
          'events[0].colour: unknown field',
          'events[0].mood: unknown field',
        ]);
      });

      it('names an unknown event type and a body that is not an object', async () => {
        let res = await s.ingest([{ type: 'poke', id: 'p1', time: NOW() }]);
        assert.match(res.json().problems[0], /^events\[0\]\.type: unknown event type "poke"/);
        res = await s.call('POST', '/v1/events', s.keys.ingest, [msg('x', 'c', 'a', 'b', 'hi')]);
        assert.equal(res.statusCode, 400);
        assert.match(res.json().problems[0], /^\(root\): /);
      });

      it('refuses an oversized body with 413 and says what to do', async () => {
        const big = Array.from({ length: 20 }, (_, i) => msg(`big-${i}`, 'c', 'a', 'b', 'x'.repeat(15_000)));
        const res = await s.ingest(big);
        assert.equal(res.statusCode, 413);
        assert.equal(res.json().code, 'payload_too_large');
        assert.match(res.json().error, /smaller batches/);
        assert.equal((await s.storage.getEventsByIds('acme', ['big-0'])).length, 0);
      });

      it('refuses a batch with more events than allowed, naming the limit', async () => {
        const res = await s.ingest(Array.from({ length: 201 }, (_, i) => msg(`many-${i}`, 'c', 'a', 'b', 'hi')));
        assert.equal(res.statusCode, 400);
        assert.match(res.json().problems[0], /^events: must contain at most 200 events/);
      });

      it('stores the valid events of a mixed batch (207) and names the bad ones', async () => {
        const res = await s.ingest([
          msg('mix-1', 'c-mix', 'a', 'b', 'hello'),
          { ...msg('mix-2', 'c-mix', 'a', 'b', 'x'), text: 42 },
          msg('mix-3', 'c-mix', 'b', 'a', 'hi'),
        ]);
        assert.equal(res.statusCode, 207);
        const body = res.json();
        assert.deepEqual([body.accepted, body.duplicates, body.rejected], [2, 0, 1]);
        assert.deepEqual(
          body.results.map((r: { status: string }) => r.status),
          ['accepted', 'rejected', 'accepted'],
        );
        assert.deepEqual(body.results[1].problems, ['events[1].text: Invalid input: expected string, received number']);
        assert.deepEqual(
          (await s.storage.getEventsByIds('acme', ['mix-1', 'mix-2', 'mix-3'])).map((e) => e.event.id),
          ['mix-1', 'mix-3'],
        );
      });

      it('answers a repeated event id with "duplicate" and does not process it again', async () => {
        const first = await s.ingest([msg('dup-1', 'c-dup', 'a', 'b', 'how old are you?')]);
        assert.equal(first.json().accepted, 1);
        const before = await s.call('GET', '/v1/conversations/c-dup/risk', s.keys.reader);
        const again = await s.ingest([
          msg('dup-1', 'c-dup', 'a', 'b', 'how old are you?'),
          msg('dup-2', 'c-dup', 'b', 'a', 'why'),
          msg('dup-2', 'c-dup', 'b', 'a', 'why'),
        ]);
        assert.equal(again.statusCode, 200);
        assert.deepEqual(
          again.json().results.map((r: { status: string }) => r.status),
          ['duplicate', 'accepted', 'duplicate'],
        );
        const afterReport = await s.call('GET', '/v1/conversations/c-dup/risk', s.keys.reader);
        assert.equal(afterReport.json().messageCount, before.json().messageCount + 1, 'only the new message was read');
      });

      it('accepts out-of-order timestamps; the newest contact event decides the connection', async () => {
        const t = NOW();
        await s.ingest([
          { type: 'account', id: 'ooo-a', time: t, userId: 'ooo-kid', age: 12, country: 'GB' },
          { type: 'account', id: 'ooo-b', time: t, userId: 'ooo-adult', age: 40, country: 'GB' },
          {
            type: 'contact',
            id: 'ooo-unfriend',
            time: t + 5000,
            action: 'unfriend',
            actorId: 'ooo-kid',
            targetId: 'ooo-adult',
          },
        ]);
        const res = await s.ingest([
          {
            type: 'contact',
            id: 'ooo-accept',
            time: t + 1000,
            action: 'friend_accept',
            actorId: 'ooo-kid',
            targetId: 'ooo-adult',
          },
        ]);
        assert.equal(res.statusCode, 200);
        const decision = await s.call('POST', '/v1/decisions/contact', s.keys.decide, {
          senderId: 'ooo-adult',
          recipientId: 'ooo-kid',
        });
        assert.equal(decision.json().decision, 'block', 'the later unfriend still holds');
      });

      it('rejects an event dated far in the future', async () => {
        const res = await s.ingest([msg('future-1', 'c', 'a', 'b', 'hi', Date.now() + 3 * 86_400_000)]);
        assert.equal(res.statusCode, 400);
        assert.match(res.json().problems[0], /^events\[0\]\.time: is more than 24 hours in the future/);
      });

      it('rejects a "__proto__" key', async () => {
        const res = await s.call('POST', '/v1/events', s.keys.ingest, '{"events":[{"__proto__":{"admin":true}}]}');
        assert.equal(res.statusCode, 400);
      });
    });

    describe('ingestion: text no store can keep', () => {
      it('refuses U+0000 in a message text with 400 naming the field, and stores nothing', async () => {
        const res = await s.ingest([
          msg('nul-ok', 'c-nul', 'nul-a', 'nul-b', 'fine'),
          msg('nul-1', 'c-nul', 'nul-a', 'nul-b', 'hi\u0000there'),
        ]);
        assert.equal(res.statusCode, 400, 'a NUL is a client error, never 503 (which a client retries for ever)');
        assert.equal(res.json().code, 'invalid_request');
        assert.deepEqual(res.json().problems, ['events[1].text: contains U+0000 (NUL), which is not accepted']);
        const again = await s.ingest([msg('nul-ok', 'c-nul', 'nul-a', 'nul-b', 'fine')]);
        assert.equal(again.json().accepted, 1, 'the valid event of the refused batch was not stored');
      });

      it('refuses an id holding an unpaired surrogate instead of answering duplicate for a new event', async () => {
        const first = await s.ingest([msg('lone-\ud800', 'c-lone', 'lone-a', 'lone-b', 'hello')]);
        assert.equal(first.statusCode, 400, 'unpaired surrogate refused');
        assert.deepEqual(first.json().problems, [
          'events[0].id: contains an unpaired UTF-16 surrogate, which is not valid Unicode',
        ]);
        const second = await s.ingest([msg('lone-\udbff', 'c-lone', 'lone-a', 'lone-b', 'hello')]);
        assert.equal(second.statusCode, 400, 'a second unpaired surrogate is refused too, not taken for the first');
        const paired = await s.ingest([
          msg('pair-\ud83d\ude00', 'c-lone', 'lone-a', 'lone-b', 'hello'),
          msg('pair-\ud83d\ude01', 'c-lone', 'lone-a', 'lone-b', 'hello'),
        ]);
        assert.equal(paired.statusCode, 200, 'ids with emoji are fine');
        assert.equal(paired.json().accepted, 2, 'two different emoji ids are two events');
      });

      it('refuses NUL in a contact decision with 400, not 500', async () => {
        const res = await s.call('POST', '/v1/decisions/contact', s.keys.decide, {
          senderId: 'x\u0000',
          recipientId: 'y',
        });
        assert.equal(res.statusCode, 400, `status ${res.statusCode}: ${res.body}`);
        assert.match(res.json().problems[0], /^senderId: contains U\+0000/);
      });

      it('refuses a body that is not UTF-8 instead of replacing its bytes', async () => {
        const bytes = Buffer.concat([
          Buffer.from('{"events":[{"type":"message","id":"utf","time":0,"conversationId":"c","senderId":"a","text":"'),
          Buffer.from([0xff, 0xfe]),
          Buffer.from('"}]}'),
        ]);
        const res = await s.app.inject({
          method: 'POST',
          url: '/v1/events',
          headers: { authorization: `Bearer ${s.keys.ingest}`, 'content-type': 'application/json' },
          payload: bytes,
        });
        assert.equal(res.statusCode, 400, 'invalid UTF-8 refused');
        assert.equal(res.json().code, 'malformed_json');
        assert.match(res.json().error, /not valid UTF-8/);
      });

      it('reads back by path every id it accepts, up to the one 256-character limit, and refuses longer ones alike', async () => {
        const longest = 'c'.repeat(128) + '€'.repeat(128); // 256 characters, 640 bytes of UTF-8, 1,152 percent-encoded
        const res = await s.ingest([msg('long-id-msg', longest, 'long-sender', 'long-recipient', 'hello there')]);
        assert.equal(res.statusCode, 200, res.body);
        const read = await s.call('GET', `/v1/conversations/${encodeURIComponent(longest)}/risk`, s.keys.reader);
        assert.equal(read.statusCode, 200, `a 256-character id reads back: ${read.body}`);
        const over = 'x'.repeat(257);
        assert.match(
          (await s.ingest([msg('over-id', over, 'a', 'b', 'hi')])).json().problems[0],
          /^events\[0\]\.conversationId: must be at most 256 characters/,
        );
        const path = await s.call('GET', `/v1/conversations/${over}/risk`, s.keys.reader);
        assert.equal(path.statusCode, 400, 'the same limit and words in a path');
        assert.deepEqual(path.json().problems, ['id: must be at most 256 characters']);
        const absurd = await s.call('GET', `/v1/conversations/${'y'.repeat(5000)}/risk`, s.keys.reader);
        assert.equal(absurd.statusCode, 414, 'an absurd path segment');
        assert.equal(absurd.json().code, 'invalid_request', 'in the one error shape');
        const badEncoding = await s.call('GET', '/v1/conversations/%E0%A4%A/risk', s.keys.reader);
        assert.equal(
          badEncoding.json().code,
          'invalid_request',
          `a broken percent-encoding answers in the one shape: ${badEncoding.body}`,
        );
      });

      it('stores every valid batch sent alongside refused ones', async () => {
        const sends = Array.from({ length: 40 }, (_, i) =>
          i % 4 === 0
            ? s.ingest([msg(`mix-bad-${i}`, 'c-mix', 'mix-a', 'mix-b', 'bad\u0000')])
            : s.ingest([msg(`mix-${i}`, `c-mix-${i}`, 'mix-a', 'mix-b', 'hello there')]),
        );
        const answers = await Promise.all(sends);
        answers.forEach((res, i) => {
          assert.equal(res.statusCode, i % 4 === 0 ? 400 : 200, `batch ${i}: ${res.body}`);
        });
      });
    });

    describe('decisions', () => {
      it('decides on a message and records it in one call when asked, needing both scopes', async () => {
        const both = (
          await s.call('POST', '/v1/keys', s.keys.admin, { name: 'chat server', scopes: ['decide', 'ingest'] })
        ).json().key;
        const body = {
          senderId: 'rec-a',
          recipientId: 'rec-b',
          conversationId: 'rec-conv',
          text: 'hello, how was school',
          record: { id: 'rec-m1', time: NOW() },
        };
        const denied = await s.call('POST', '/v1/decisions/message', s.keys.decide, body);
        assert.equal(denied.statusCode, 403, 'a decide-only key cannot store events');
        assert.match(denied.json().error, /"ingest" scope/);
        const first = await s.call('POST', '/v1/decisions/message', both, body);
        assert.equal(first.statusCode, 200, first.body);
        assert.ok(
          ['allow', 'allow_with_warning', 'hold', 'block'].includes(first.json().decision),
          `a decision: ${first.body}`,
        );
        assert.equal(first.json().recorded, 'accepted', 'and the message stored');
        assert.equal(
          (await s.call('POST', '/v1/decisions/message', both, body)).json().recorded,
          'duplicate',
          'idempotent by the event id',
        );
        assert.equal(
          (await s.call('GET', '/v1/conversations/rec-conv/risk', s.keys.reader)).statusCode,
          200,
          'the detector saw the recorded message',
        );
        const noConversation = await s.call('POST', '/v1/decisions/message', both, {
          ...body,
          conversationId: undefined,
          record: { id: 'rec-m2', time: NOW() },
        });
        assert.equal(noConversation.statusCode, 400);
        assert.deepEqual(noConversation.json().problems, [
          'conversationId: required with record (the event belongs to a conversation)',
        ]);
        const plain = await s.call('POST', '/v1/decisions/message', s.keys.decide, { ...body, record: undefined });
        assert.equal(plain.json().recorded, undefined, 'without record nothing is stored');
      });

      before(async () => {
        const t = NOW();
        const res = await s.ingest([
          ...setupEvents(t),
          { type: 'account', id: 'acc-lena', time: t, userId: 'lena', age: 14, country: 'DE' },
          { type: 'account', id: 'acc-bob', time: t, userId: 'bob', age: 30, country: 'DE' },
          { type: 'contact', id: 'block-rick', time: t + 5, action: 'block', actorId: 'sam', targetId: 'dana' },
          ...messageEvents(FRIENDS_CHAT, FRIENDS_CONVERSATION, 'friends', t + 10_000),
        ]);
        assert.equal(res.statusCode, 200, res.body);
      });

      it('blocks a direct message from an unconnected adult to a child, citing the UK profile', async () => {
        const res = await s.call('POST', '/v1/decisions/contact', s.keys.decide, {
          senderId: 'rick',
          recipientId: 'maya',
        });
        assert.equal(res.statusCode, 200);
        const body = res.json();
        assert.equal(body.decision, 'block');
        assert.equal(body.profile, 'uk');
        assert.equal(body.reasons[0].code, 'child_unconnected_message');
        assert.ok(
          body.nudges.every((n: { audience: string }) => n.audience === 'sender'),
          'every nudge is for the sender',
        );
      });

      it('lets a stranger friend request through with supportive prompts to the child', async () => {
        const body = (
          await s.call('POST', '/v1/decisions/contact', s.keys.decide, {
            senderId: 'rick',
            recipientId: 'maya',
            kind: 'friend_request',
          })
        ).json();
        assert.equal(body.decision, 'allow_with_warning');
        const codes = body.nudges.map((n: { code: string }) => n.code);
        assert.ok(codes.includes('no_mutual_friends'), codes.join());
        const support = body.nudges.find((n: { code: string }) => n.code === 'stranger_contact');
        assert.equal(support.audience, 'recipient');
        assert.ok(
          support.help.some((h: { name: string; phone?: string }) => h.name === 'Childline' && h.phone === '0800 1111'),
          'Childline and its number are offered',
        );
      });

      it('applies the EU profile to a child in Germany, with EU help resources', async () => {
        const body = (
          await s.call('POST', '/v1/decisions/contact', s.keys.decide, {
            senderId: 'bob',
            recipientId: 'lena',
            kind: 'friend_request',
          })
        ).json();
        assert.equal(body.profile, 'eu');
        const help = body.nudges
          .flatMap((n: { help?: { name: string }[] }) => n.help ?? [])
          .map((h: { name: string }) => h.name);
        assert.ok(help.includes('Child helpline 116 111'), help.join());
        assert.ok(!help.includes('Childline'), 'the UK helpline is not offered in Germany');
      });

      it('allows friends to message each other', async () => {
        const body = (
          await s.call('POST', '/v1/decisions/contact', s.keys.decide, { senderId: 'sam', recipientId: 'maya' })
        ).json();
        assert.equal(body.decision, 'allow');
        assert.equal(body.reasons[0].code, 'connected');
      });

      it('blocks contact from an account the recipient blocked', async () => {
        const body = (
          await s.call('POST', '/v1/decisions/contact', s.keys.decide, { senderId: 'dana', recipientId: 'sam' })
        ).json();
        assert.equal(body.decision, 'block');
        assert.equal(body.reasons[0].code, 'blocked_by_recipient');
      });

      it('nudges a child who is asked for a photo, with where to get help', async () => {
        const body = (
          await s.call('POST', '/v1/decisions/message', s.keys.decide, {
            senderId: 'sam',
            recipientId: 'maya',
            conversationId: FRIENDS_CONVERSATION,
            text: 'can you send me a pic of yourself',
          })
        ).json();
        assert.equal(body.decision, 'allow_with_warning');
        assert.equal(body.deliver, true);
        const photo = body.nudges.find((n: { code: string }) => n.code === 'photo_request');
        assert.match(photo.text, /never have to send a photo/);
        assert.ok(photo.helpUrl.startsWith('https://'), 'the help link is https');
      });

      it('holds a message that threatens to share images, and points the child to help', async () => {
        const body = (
          await s.call('POST', '/v1/decisions/message', s.keys.decide, {
            senderId: 'sam',
            recipientId: 'maya',
            text: "if you don't pay $200 i'll send your pics to all your friends. you have 10 minutes",
          })
        ).json();
        assert.equal(body.decision, 'hold');
        assert.equal(body.deliver, false);
        const support = body.nudges.find((n: { code: string }) => n.code === 'threat_support');
        const urls = support.help.map((h: { url: string }) => h.url);
        assert.ok(urls.includes('https://takeitdown.ncmec.org'), urls.join());
        assert.ok(urls.includes('https://www.ceop.police.uk'), urls.join());
      });

      it('delivers an ordinary message between friends without prompts', async () => {
        const body = (
          await s.call('POST', '/v1/decisions/message', s.keys.decide, {
            senderId: 'maya',
            recipientId: 'sam',
            conversationId: FRIENDS_CONVERSATION,
            text: 'see you at school tomorrow',
          })
        ).json();
        assert.equal(body.decision, 'allow');
        assert.deepEqual(body.nudges, []);
      });

      it('keeps a child out of friend suggestions and connection lists of unconnected accounts', async () => {
        const sugg = (
          await s.call('POST', '/v1/decisions/visibility', s.keys.decide, {
            viewerId: 'rick',
            subjectIds: ['maya', 'dana'],
            surface: 'friend_suggestions',
          })
        ).json();
        assert.deepEqual(
          sugg.results.map((r: { subjectId: string; visible: boolean }) => [r.subjectId, r.visible]),
          [
            ['maya', false],
            ['dana', true],
          ],
        );
        assert.equal(sugg.results[0].reasons[0].code, 'child_not_suggested');
        const lists = (
          await s.call('POST', '/v1/decisions/visibility', s.keys.decide, {
            viewerId: 'rick',
            subjectIds: ['sam'],
            surface: 'connection_lists',
          })
        ).json();
        assert.equal(lists.results[0].visible, false);
        const friend = (
          await s.call('POST', '/v1/decisions/visibility', s.keys.decide, {
            viewerId: 'maya',
            subjectIds: ['sam'],
            surface: 'connection_lists',
          })
        ).json();
        assert.equal(friend.results[0].visible, true);
      });

      it('rejects a decision request with a missing or unknown field, naming it', async () => {
        const res = await s.call('POST', '/v1/decisions/contact', s.keys.decide, {
          senderId: 'rick',
          recipient: 'maya',
        });
        assert.equal(res.statusCode, 400);
        assert.deepEqual(res.json().problems.sort(), [
          'recipient: unknown field',
          'recipientId: required field is missing',
        ]);
        const bad = await s.call('POST', '/v1/decisions/visibility', s.keys.decide, {
          viewerId: 'rick',
          subjectIds: [],
          surface: 'everywhere',
        });
        assert.equal(bad.statusCode, 400);
        assert.equal(bad.json().problems.length, 2);
      });
    });

    describe('cases', () => {
      let caseId = '';
      before(async () => {
        await s.ingest([
          {
            type: 'contact',
            id: 'rick-request',
            time: NOW() + 20_000,
            action: 'friend_request',
            actorId: 'rick',
            targetId: 'maya',
          },
          {
            type: 'contact',
            id: 'maya-accepts',
            time: NOW() + 21_000,
            action: 'friend_accept',
            actorId: 'maya',
            targetId: 'rick',
          },
        ]);
        // One event per request, as a platform streaming messages would send them.
        for (const event of messageEvents(STRANGER_CHAT, STRANGER_CONVERSATION, 'stranger', NOW() + 30_000)) {
          assert.equal((await s.ingest([event])).statusCode, 200);
        }
      });

      it('opens one case against the adult when the conversation crosses the threshold', async () => {
        const res = await s.call('GET', '/v1/cases?status=open', s.keys.reader);
        assert.equal(res.statusCode, 200);
        const cases = res.json().cases.filter((c: { accusedId: string }) => c.accusedId === 'rick');
        assert.equal(cases.length, 1, 'later alerts update the same case');
        assert.deepEqual(cases[0].conversationIds, [STRANGER_CONVERSATION]);
        caseId = cases[0].id;
      });

      it('keeps the evidence in the case: explanation, surrounding messages with text, participants and ages', async () => {
        const res = await s.call('GET', `/v1/cases/${caseId}`, s.keys.reader);
        assert.equal(res.statusCode, 200);
        const { case: c, history } = res.json();
        const conversation = c.evidence.conversations[STRANGER_CONVERSATION];
        assert.ok(conversation.report.reasons.length > 0, 'the case keeps the explanation');
        assert.ok(
          conversation.messages.some((m: { text: string }) => /how old are you/.test(m.text)),
          'the case keeps the message text',
        );
        assert.ok(
          conversation.messages.some((m: { text: string }) => /gift card/.test(m.text)),
          'messages after the alert are folded in when the case is read',
        );
        assert.equal(conversation.report.messageCount, STRANGER_CHAT.length);
        const maya = c.evidence.participants.find((p: { userId: string }) => p.userId === 'maya');
        assert.equal(maya.declaredAge, 13);
        const rick = c.evidence.participants.find((p: { userId: string }) => p.userId === 'rick');
        assert.equal(rick.declaredAge, 34);
        assert.equal(history[0].action, 'opened');
        assert.equal(history[0].actor, 'lifeguard');
      });

      it('now treats the adult as a risky sender: contact with another child is blocked even when connected', async () => {
        await s.ingest([
          {
            type: 'contact',
            id: 'rick-sam',
            time: NOW() + 40_000,
            action: 'friend_accept',
            actorId: 'sam',
            targetId: 'rick',
          },
        ]);
        const body = (
          await s.call('POST', '/v1/decisions/contact', s.keys.decide, { senderId: 'rick', recipientId: 'sam' })
        ).json();
        assert.equal(body.decision, 'block');
        assert.equal(body.reasons[0].code, 'sender_risk');
        const vis = (
          await s.call('POST', '/v1/decisions/visibility', s.keys.decide, {
            viewerId: 'sam',
            subjectIds: ['rick'],
            surface: 'friend_suggestions',
          })
        ).json();
        assert.equal(vis.results[0].visible, false, 'a risky adult is not suggested to a child');
      });

      it('moves through review with a history of who did what; escalation needs a note', async () => {
        let res = await s.call('POST', `/v1/cases/${caseId}/transitions`, s.keys.reviewer, {
          to: 'in_review',
          reviewer: 'alex@acme',
        });
        assert.equal(res.statusCode, 200);
        assert.equal(res.json().status, 'in_review');
        res = await s.call('POST', `/v1/cases/${caseId}/transitions`, s.keys.reviewer, { to: 'escalated' });
        assert.equal(res.statusCode, 400);
        assert.deepEqual(res.json().problems, ['note: required when escalating']);
        res = await s.call('POST', `/v1/cases/${caseId}/transitions`, s.keys.reviewer, {
          to: 'escalated',
          note: 'referred to the platform law-enforcement liaison',
        });
        assert.equal(res.statusCode, 200);
        const history = (await s.call('GET', `/v1/cases/${caseId}`, s.keys.reader)).json().history;
        const transitions = history.filter((h: { action: string }) => h.action === 'transition');
        assert.deepEqual(
          transitions.map((h: { toStatus: string; actor: string }) => [h.toStatus, h.actor]),
          [
            ['in_review', 'alex@acme'],
            ['escalated', 'trust and safety'],
          ],
        );
      });

      it('refuses an impossible transition and a stale version with 409', async () => {
        let res = await s.call('POST', `/v1/cases/${caseId}/transitions`, s.keys.reviewer, { to: 'open' });
        assert.equal(res.statusCode, 409);
        assert.match(res.json().error, /cannot move from escalated to open/);
        res = await s.call('POST', `/v1/cases/${caseId}/transitions`, s.keys.reviewer, {
          to: 'actioned',
          expectedVersion: 1,
        });
        assert.equal(res.statusCode, 409);
        res = await s.call('POST', `/v1/cases/${caseId}/transitions`, s.keys.reviewer, {
          to: 'actioned',
          note: 'account removed',
        });
        assert.equal(res.json().status, 'actioned');
        res = await s.call('POST', `/v1/cases/${caseId}/transitions`, s.keys.reviewer, {
          to: 'open',
          note: 'appeal received',
        });
        assert.equal(res.json().status, 'open', 'a closed case can be reopened');
      });

      it('does not let a reader change a case, or another tenant see it', async () => {
        assert.equal(
          (await s.call('POST', `/v1/cases/${caseId}/transitions`, s.keys.reader, { to: 'dismissed' })).statusCode,
          403,
        );
        assert.equal((await s.call('GET', `/v1/cases/${caseId}`, s.keys.otherAdmin)).statusCode, 404);
        assert.deepEqual((await s.call('GET', '/v1/cases', s.keys.otherAdmin)).json().cases, []);
        const risk = await s.call('GET', `/v1/conversations/${STRANGER_CONVERSATION}/risk`, s.keys.otherAdmin);
        assert.equal(risk.statusCode, 404);
      });

      it('pages through cases with a cursor and rejects a forged one', async () => {
        const page = await s.call('GET', '/v1/cases?limit=1', s.keys.reader);
        assert.equal(page.json().cases.length, 1);
        const bad = await s.call('GET', '/v1/cases?cursor=not-a-cursor', s.keys.reader);
        assert.equal(bad.statusCode, 400);
        const badLimit = await s.call('GET', '/v1/cases?limit=0', s.keys.reader);
        assert.equal(badLimit.statusCode, 400);
        assert.match(badLimit.json().problems[0], /^limit: /);
      });
    });

    describe('retention', () => {
      it('removes old message text outside cases and keeps case evidence and case conversations', async () => {
        const old = Date.now() - 45 * 86_400_000;
        await s.ingest([msg('old-plain-1', 'old-plain', 'dana', 'sam', 'see you at the match on saturday', old)]);
        const res = await s.call('POST', '/v1/maintenance/retention', s.keys.admin);
        assert.equal(res.statusCode, 200);
        assert.ok(res.json().messagesPurged >= 1, 'old message text was removed');
        const [plain] = await s.storage.getEventsByIds('acme', ['old-plain-1']);
        assert.equal(plain!.textPurged, true);
        assert.equal(plain!.event.type === 'message' && plain!.event.text, '');
        const [evidence] = await s.storage.getEventsByIds('acme', ['stranger-1']);
        assert.equal(evidence!.textPurged, false);
        const cases = (await s.call('GET', '/v1/cases?accusedId=rick', s.keys.reader)).json().cases;
        const detail = (await s.call('GET', `/v1/cases/${cases[0].id}`, s.keys.reader)).json();
        assert.ok(
          detail.case.evidence.conversations[STRANGER_CONVERSATION].messages.every(
            (m: { text: string }) => m.text.length > 0,
          ),
          'the case evidence keeps its message text',
        );
      });

      it("removes the detector's excerpts of that text too, from memory and from the stored snapshot", async () => {
        const old = Date.now() - 45 * 86_400_000;
        const text = 'add me on snap its easier';
        await s.ingest([msg('old-signal-1', 'old-signal', 'pat', 'lee', text, old)]); // no ages known: risk too low for a case
        const before = (await s.call('GET', '/v1/conversations/old-signal/risk', s.keys.reader)).json();
        const quoted = (before.evidence as { excerpt: string }[])
          .map((e) => e.excerpt)
          .find((x) => x !== '' && text.includes(x));
        assert.ok(quoted, 'the detector quoted it');
        // Stored first, so no new event is what makes retention store the next one.
        assert.equal((await s.call('POST', '/v1/maintenance/snapshot', s.keys.admin)).statusCode, 200);
        type Stored = { conversations: { id: string; evidence: { excerpt: string }[] | null }[] };
        const storedExcerpts = async () => {
          const snap = JSON.parse((await s.storage.latestSnapshot('acme'))!.data) as Stored;
          return (snap.conversations.find((c) => c.id === 'old-signal')?.evidence ?? []).map((e) => e.excerpt);
        };
        assert.ok((await storedExcerpts()).includes(quoted), 'the snapshot holds the excerpt before retention');
        const res = await s.call('POST', '/v1/maintenance/retention', s.keys.admin);
        assert.equal(res.statusCode, 200);
        assert.ok(res.json().excerptsRemoved >= 1, `excerpts removed: ${res.body}`);
        const after = (await s.call('GET', '/v1/conversations/old-signal/risk', s.keys.reader)).json();
        assert.equal(after.evidence.length, before.evidence.length, 'the evidence itself stays');
        assert.ok(
          after.evidence.every(
            (e: { excerpt: string; textRemoved?: boolean }) => e.excerpt === '' && e.textRemoved === true,
          ),
          JSON.stringify(after.evidence),
        );
        assert.equal(after.score, before.score, 'and so does the risk');
        const stored = await storedExcerpts();
        assert.ok(
          stored.length > 0 && stored.every((x) => x === ''),
          `the stored snapshot no longer holds it: ${JSON.stringify(stored)}`,
        );
        // A conversation a case holds keeps its excerpts, as it keeps its text.
        const held = (await s.call('GET', `/v1/conversations/${STRANGER_CONVERSATION}/risk`, s.keys.reader)).json();
        assert.ok(
          held.evidence.some((e: { excerpt: string }) => e.excerpt !== ''),
          'a held conversation keeps its excerpts',
        );
      });
    });

    describe('docs', () => {
      it('serves the OpenAPI document and the docs page without a key', async () => {
        const spec = await s.app.inject({ method: 'GET', url: '/openapi.json' });
        assert.equal(spec.statusCode, 200);
        assert.ok(spec.json().paths['/v1/events'].post, 'the document describes POST /v1/events');
        const docs = await s.app.inject({ method: 'GET', url: '/docs/' });
        assert.equal(docs.statusCode, 200);
        assert.match(docs.body, /swagger/i);
      });
    });
  });
}
