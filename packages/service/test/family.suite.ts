// Family Centre over HTTP on a real store: consented links, the metadata-only view (identical for the
// parent and the teen), refusals with reasons, signed notifications to a real receiver, and the
// promise that no message text ever appears in any Family Centre answer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestStoreKind } from '@lifeguard/storage/testing';
import { startTestService, NOW, type TestService } from './helpers.ts';
import { SIGNATURE_HEADER, verifySignature } from '../src/index.ts';
import { messageEvents, setupEvents, STRANGER_CHAT, STRANGER_CONVERSATION } from '../src/demo/scenario.ts';

const SECRET = 'family-centre-test-secret';
// Message text that must never leave the message store through Family Centre: it even names the parent.
const PRIVATE_TEXT = 'secret plan: dont tell Helen Parker about the party at 9';

interface Hook {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

async function receiver(): Promise<{ server: Server; url: string; got: Hook[] }> {
  const got: Hook[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ path: req.url ?? '/', headers: req.headers, body });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got };
}

async function waitFor<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function familySuite(kind: TestStoreKind, skip?: string): void {
  describe(`Family Centre API on ${kind}`, { skip, timeout: 120_000 }, () => {
    let s: TestService;
    let hooks: Awaited<ReturnType<typeof receiver>>;
    const answers: string[] = []; // every Family Centre response body, for the no-content check
    const family = async (method: string, url: string, payload?: unknown, key?: string) => {
      const res = await s.call(method, url, key ?? s.keys.decide, payload);
      answers.push(res.body);
      return res;
    };
    const notifications = () =>
      hooks.got
        .filter((h) => h.path === '/family')
        .map((h) => ({ ...h, data: JSON.parse(h.body).data as Record<string, unknown> }));
    const t0 = NOW();

    before(async () => {
      hooks = await receiver();
      s = await startTestService(kind, {
        webhooks: {
          pollMs: 10,
          baseDelayMs: 20,
          maxDelayMs: 60,
          maxAttempts: 3,
          timeoutMs: 2000,
          allow: ['127.0.0.1'],
        },
      });
      assert.equal(
        (
          await s.call('POST', '/v1/webhooks', s.keys.admin, {
            url: `${hooks.url}/family`,
            events: ['family.*'],
            secret: SECRET,
          })
        ).statusCode,
        201,
        'webhook registered',
      );
      const res = await s.ingest([
        ...setupEvents(t0),
        { type: 'account', id: 'acc-helen', time: t0, userId: 'helen', age: 44, country: 'GB' },
        { type: 'account', id: 'acc-tom', time: t0, userId: 'tom', age: 39, country: 'DE', locale: 'de' },
        { type: 'account', id: 'acc-lena', time: t0, userId: 'lena', age: 14, country: 'DE', locale: 'de' },
        { type: 'account', id: 'acc-kai', time: t0, userId: 'kai', age: 16, country: 'DE', locale: 'sw' },
        { type: 'account', id: 'acc-zoe', time: t0, userId: 'zoe', age: 11, country: 'GB' },
        { type: 'account', id: 'acc-ghost', time: t0, userId: 'noage' },
        { type: 'contact', id: 'f-sam', time: t0 + 5, action: 'friend_accept', actorId: 'maya', targetId: 'sam' },
      ]);
      assert.equal(res.statusCode, 200, `setup ingested: ${res.body}`);
    });
    after(async () => {
      await s?.close();
      hooks?.server.close();
    });

    let link = '';
    it('invites: the teen is told what the parent can and cannot see, and is notified by a signed webhook', async () => {
      const res = await family('POST', '/v1/family/links', { parentId: 'helen', teenId: 'maya' });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json();
      link = body.link.id;
      assert.equal(body.link.status, 'pending', 'waits for the teen');
      assert.match(body.explanation.canSee, /who you are connected with/, 'says what the parent sees');
      assert.match(body.explanation.cannotSee, /will not see what you write/, 'says what the parent cannot see');
      assert.match(
        body.explanation.ending,
        /talk to them/,
        'a 13-year-old cannot end it alone under the default policy',
      );
      const invited = await waitFor('the invitation webhook', () =>
        notifications().find((n) => n.data.kind === 'invited'),
      );
      assert.ok(
        verifySignature(SECRET, invited.headers[SIGNATURE_HEADER] as string, invited.body),
        'signed with the endpoint secret',
      );
      assert.equal(invited.data.notify, 'maya', 'addressed to the teen');
    });

    it('refuses bad link requests with a reason', async () => {
      const cases: [unknown, number, RegExp][] = [
        [{ parentId: 'helen', teenId: 'maya' }, 409, /already have a pending or active link/],
        [{ parentId: 'helen', teenId: 'dana' }, 400, /both accounts are adults/],
        [{ parentId: 'helen', teenId: 'nobody' }, 404, /no account "nobody" \(teen\) on this platform/],
        [{ parentId: 'sam', teenId: 'maya' }, 400, /is a child account: only an adult/],
        [{ parentId: 'noage', teenId: 'maya' }, 400, /has no declared age/],
        [{ parentId: 'helen', teenId: 'helen' }, 400, /are the same account/],
        [{ parentId: 'tom', teenId: 'lena', basis: 'platform_age_rule' }, 400, /only for children under 13/],
        [{ parentId: 'helen' }, 400, /teenId/],
      ];
      for (const [payload, status, message] of cases) {
        const res = await family('POST', '/v1/family/links', payload);
        assert.equal(res.statusCode, status, `${JSON.stringify(payload)} -> ${res.body}`);
        const body = res.json();
        assert.match(
          `${body.error} ${(body.problems ?? []).join('; ')}`,
          message,
          `reason for ${JSON.stringify(payload)}`,
        );
      }
      const other = await family('POST', '/v1/family/links', { parentId: 'helen', teenId: 'maya' }, s.keys.otherAdmin);
      assert.equal(other.statusCode, 404, "another tenant cannot link this tenant's users");
      assert.match(other.body, /accounts of other platforms cannot be linked/, 'and is told why');
      assert.equal(
        (await family('GET', `/v1/family/links/${link}`, undefined, s.keys.otherAdmin)).statusCode,
        404,
        'nor read its links',
      );
    });

    it('only the teen accepts, and only once; the parent is told', async () => {
      const byParent = await family('POST', `/v1/family/links/${link}/accept`, { teenId: 'helen' });
      assert.equal(byParent.statusCode, 403, 'the parent cannot accept for the teen');
      assert.equal(
        (await family('GET', `/v1/family/links/${link}/view?viewerId=helen`)).statusCode,
        409,
        'no view before the teen accepts',
      );
      // Contacts are counted from the invitation on (none are kept for accounts without a link).
      assert.equal(
        (
          await s.ingest([
            {
              type: 'message',
              id: 'p1',
              time: t0 + 10,
              conversationId: 'dm-maya-sam',
              senderId: 'maya',
              recipientIds: ['sam'],
              text: PRIVATE_TEXT,
            },
            {
              type: 'message',
              id: 'p2',
              time: t0 + 20,
              conversationId: 'dm-maya-sam',
              senderId: 'sam',
              recipientIds: ['maya'],
              text: `ok ${PRIVATE_TEXT}`,
            },
          ])
        ).statusCode,
        200,
        'messages ingested',
      );
      const ok = await family('POST', `/v1/family/links/${link}/accept`, { teenId: 'maya' });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().status, 'active', 'active after accepting');
      assert.equal(
        (await family('POST', `/v1/family/links/${link}/accept`, { teenId: 'maya' })).statusCode,
        409,
        'accepting twice is refused',
      );
      const told = await waitFor('the accepted webhook', () => notifications().find((n) => n.data.kind === 'accepted'));
      assert.equal(told.data.notify, 'helen', 'the parent is told');
    });

    it('shows the parent who the teen talks to, without content, and the teen exactly the same', async () => {
      await s.call('POST', '/v1/decisions/message', s.keys.decide, {
        senderId: 'sam',
        recipientId: 'maya',
        text: 'add me on snap, its easier to talk there',
      });
      // The prompt kinds are recorded after the decision is answered.
      let recorded = 0;
      await waitFor('the warning to be recorded', () => {
        void s.storage.safetyWarnings('acme', 'maya', 0, 10).then((w) => {
          recorded = w.length;
        });
        return recorded > 0;
      });
      const parent = await family('GET', `/v1/family/links/${link}/view?viewerId=helen`);
      assert.equal(parent.statusCode, 200, parent.body);
      const p = parent.json();
      assert.equal(p.viewer.role, 'parent', 'the parent view');
      const sam = p.data.recentContacts.find((c: { userId: string }) => c.userId === 'sam');
      assert.deepEqual([sam?.messages, sam?.connected], [2, true], 'two messages with sam, a connection');
      assert.deepEqual(
        p.data.connections.accounts.map((c: { userId: string }) => c.userId),
        ['sam'],
        'connections',
      );
      assert.ok(
        p.data.warnings.some(
          (w: { kind: string; accountId: string }) => w.kind === 'platform_move' && w.accountId === 'sam',
        ),
        'the warning shown to the teen, by kind',
      );
      assert.equal(p.data.settings.state, 'unknown', 'no settings reported yet');
      assert.ok(
        p.help.some((h: { phone?: string }) => h.phone === '0800 1111'),
        'Childline for a UK teen',
      );
      const teen = await family('GET', `/v1/family/links/${link}/view?viewerId=maya`);
      assert.equal(teen.json().viewer.role, 'teen', 'the teen view');
      assert.deepEqual(
        { ...teen.json().data, since: 0 },
        { ...p.data, since: 0 },
        'the teen sees exactly what the parent sees',
      );
      assert.equal(
        (await family('GET', `/v1/family/links/${link}/view?viewerId=sam`)).statusCode,
        403,
        'nobody else sees it',
      );
      const audit = await s.storage.listAudit('acme', { action: 'family.view', limit: 10 });
      assert.ok(audit.filter((a) => a.details.linkId === link).length >= 2, 'every view is in the audit log');
    });

    it("names accounts with the platform's display names, refuses bad names, and keeps each platform's to itself", async () => {
      const put = await family('PUT', '/v1/family/names', {
        names: [
          { userId: 'sam', name: '  Sam Okafor ' },
          { userId: 'helen', name: 'Mum' },
          { userId: 'constructor', name: 'Not in this view' },
        ],
      });
      assert.equal(put.statusCode, 200, put.body);
      assert.deepEqual(put.json(), { stored: 3, removed: 0 }, 'three names stored');
      const elsewhere = await s.call('PUT', '/v1/family/names', s.keys.otherAdmin, {
        names: [{ userId: 'maya', name: 'A name from another platform' }],
      });
      assert.equal(elsewhere.statusCode, 200, elsewhere.body);
      const view = async (viewerId: string) =>
        (await family('GET', `/v1/family/links/${link}/view?viewerId=${viewerId}&names=true`)).json().data.names;
      assert.deepEqual(
        await view('helen'),
        { helen: 'Mum', sam: 'Sam Okafor' },
        'the names of accounts in the view, trimmed, from this platform only',
      );
      assert.deepEqual(await view('maya'), await view('helen'), 'the teen sees the same names');
      assert.equal(
        (await family('GET', `/v1/family/links/${link}/view?viewerId=helen`)).json().data.names,
        undefined,
        'names only when asked for',
      );
      const removed = await family('PUT', '/v1/family/names', { names: [{ userId: 'helen', name: null }] });
      assert.deepEqual(removed.json(), { stored: 0, removed: 1 }, 'a null name removes it');
      assert.deepEqual(await view('helen'), { sam: 'Sam Okafor' }, 'the removed name is gone');

      const cases: [unknown, RegExp][] = [
        [{ names: [] }, /must name at least one account/],
        [{ names: [{ userId: 'sam', name: '   ' }] }, /must not be empty/],
        [{ names: [{ userId: 'sam', name: 'x'.repeat(101) }] }, /at most 100 characters/],
        [{ names: [{ userId: 'sam', name: 'Sam\u0007' }] }, /control characters/],
        [
          {
            names: [
              { userId: 'sam', name: 'A' },
              { userId: 'sam', name: 'B' },
            ],
          },
          /"sam" is named twice/,
        ],
        [{ names: Array.from({ length: 1001 }, (_, i) => ({ userId: `u${i}`, name: 'N' })) }, /at most 1000 accounts/],
        [{ names: [{ userId: 'sam' }] }, /name/],
      ];
      for (const [payload, message] of cases) {
        const res = await family('PUT', '/v1/family/names', payload);
        assert.equal(res.statusCode, 400, `${JSON.stringify(payload).slice(0, 80)} -> ${res.body.slice(0, 300)}`);
        const body = res.json();
        assert.match(
          `${body.error} ${(body.problems ?? []).join('; ')}`,
          message,
          `reason for ${JSON.stringify(payload).slice(0, 80)}`,
        );
      }
      assert.deepEqual(await view('helen'), { sam: 'Sam Okafor' }, 'a refused request changes nothing');
    });

    it('tells the parent about a new adult connection, a settings change and a high-risk case about someone who contacted the teen', async () => {
      await s.ingest([
        { type: 'contact', id: 'f-rick', time: NOW(), action: 'friend_accept', actorId: 'maya', targetId: 'rick' },
      ]);
      const adult = await waitFor('the adult-connection webhook', () =>
        notifications().find((n) => n.data.kind === 'adult_connection'),
      );
      assert.deepEqual(
        [adult.data.otherId, adult.data.otherAge, adult.data.notify],
        ['rick', 'adult', 'helen'],
        'names the adult, tells the parent',
      );
      assert.equal(
        notifications().filter((n) => n.data.kind === 'adult_connection' && n.data.otherId === 'sam').length,
        0,
        'a child friend is not an alert',
      );

      assert.equal(
        (
          await family('PUT', '/v1/family/settings/maya', {
            settings: { profile_private: true, stranger_messages_off: true },
          })
        ).statusCode,
        200,
      );
      const changed = await family('PUT', '/v1/family/settings/maya', {
        settings: { profile_private: false, stranger_messages_off: true },
      });
      assert.deepEqual(changed.json().changed, ['profile_private'], 'the change is named');
      const settings = await waitFor('the settings webhook', () =>
        notifications().find((n) => n.data.kind === 'settings_changed'),
      );
      assert.match(String(settings.data.message), /1 setting is now off/, 'a plural-aware message for the parent');
      assert.equal(
        (await family('PUT', '/v1/family/settings/maya', { settings: {} })).statusCode,
        400,
        'an empty report is refused',
      );

      await s.ingest(messageEvents(STRANGER_CHAT, STRANGER_CONVERSATION, 'st', NOW() + 1000));
      const risk = await waitFor(
        'the high-risk case webhook',
        () => notifications().find((n) => n.data.kind === 'high_risk_case'),
        20_000,
      );
      assert.deepEqual([risk.data.otherId, risk.data.notify], ['rick', 'helen'], 'names the account, tells the parent');
    });

    it("reports an account to the platform's moderators from the view", async () => {
      const res = await family('POST', `/v1/family/links/${link}/report`, { reporterId: 'helen', accountId: 'rick' });
      assert.equal(res.statusCode, 202, res.body);
      const report = await waitFor('the report webhook', () =>
        hooks.got.map((h) => JSON.parse(h.body)).find((b) => b.type === 'family.report'),
      );
      assert.deepEqual([report.data.accountId, report.data.reporterRole], ['rick', 'parent'], 'who and by whom');
    });

    it('never puts message text in any Family Centre answer or notification', async () => {
      const all = [...answers, ...hooks.got.map((h) => h.body)];
      assert.ok(all.length > 15, `checked ${all.length} bodies`);
      for (const body of all) {
        assert.ok(
          !body.includes('secret plan') && !body.includes('party at 9') && !body.includes('snap'),
          `no message text in: ${body.slice(0, 200)}`,
        );
      }
    });

    it('lets a 13-year-old not end the link alone, lets the parent end it, and tells the teen', async () => {
      const teen = await family('POST', `/v1/family/links/${link}/end`, { userId: 'maya' });
      assert.equal(teen.statusCode, 403, 'a teen under 16 cannot end it alone');
      assert.match(teen.body, /from age 16/, 'and is told why');
      const ended = await family('POST', `/v1/family/links/${link}/end`, { userId: 'helen' });
      assert.equal(ended.json().status, 'ended', ended.body);
      const told = await waitFor('the ended webhook', () => notifications().find((n) => n.data.kind === 'ended'));
      assert.equal(told.data.notify, 'maya', 'the teen is told');
      assert.equal(
        (await family('GET', `/v1/family/links/${link}/view?viewerId=helen`)).statusCode,
        409,
        'no view after the end',
      );
    });

    it('lets a 16-year-old end a link alone, and speaks German to a German teen', async () => {
      const res = await family('POST', '/v1/family/links', { parentId: 'tom', teenId: 'kai' });
      assert.equal(res.statusCode, 201, res.body);
      const { explanation, link: l } = res.json();
      assert.equal(explanation.locale.used, 'de', 'an unsupported locale falls back to the country language');
      assert.equal(explanation.locale.fallback, 'country', 'and says so');
      assert.match(explanation.ending, /jederzeit beenden/, 'a 16-year-old may end it alone (in German)');
      await family('POST', `/v1/family/links/${l.id}/accept`, { teenId: 'kai' });
      const ended = await family('POST', `/v1/family/links/${l.id}/end`, { userId: 'kai' });
      assert.equal(ended.json().status, 'ended', ended.body);
      const told = await waitFor('the ended webhook to the parent', () =>
        notifications().find((n) => n.data.kind === 'ended' && n.data.notify === 'tom'),
      );
      assert.equal(told.data.locale, 'de', "in the parent's language");
    });

    it("links a child under 13 under the platform's own age rules without the child accepting", async () => {
      const res = await family('POST', '/v1/family/links', {
        parentId: 'helen',
        teenId: 'zoe',
        basis: 'platform_age_rule',
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().link.status, 'active', 'active at once');
      assert.equal(res.json().link.basis, 'platform_age_rule', 'the basis is recorded');
    });
  });
}
