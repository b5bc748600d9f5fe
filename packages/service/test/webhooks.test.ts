// Webhooks delivered to a real HTTP receiver: signed, retried with back-off, visible when failing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newId } from '@lifeguard/storage';
import { postgresSkip, type TestStoreKind } from '@lifeguard/storage/testing';
import { startTestService, NOW, type TestService } from './helpers.ts';
import { verifySignature, SIGNATURE_HEADER } from '../src/index.ts';
import { DestinationPolicy } from '../src/webhooks/destination.ts';
import { messageEvents, setupEvents, STRANGER_CHAT, STRANGER_CONVERSATION } from '../src/demo/scenario.ts';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A receiver whose answer is decided by `respond(path, attemptNumberOfThisDelivery)`. */
async function startReceiver(
  respond: (path: string, n: number) => number,
): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const delivery = String(req.headers['lifeguard-delivery']);
      const n = (counts.get(delivery) ?? 0) + 1;
      counts.set(delivery, n);
      received.push({ path, headers: req.headers, body });
      res.statusCode = respond(path, n);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function webhookSuite(kind: TestStoreKind, skip?: string) {
  describe(`webhooks on ${kind}`, { skip }, () => {
    let s: TestService;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    const secret = 'a-test-secret-of-enough-length';

    before(async () => {
      // /flaky fails twice then succeeds; /down always fails.
      receiver = await startReceiver((path, n) =>
        path === '/flaky' ? (n <= 2 ? 500 : 204) : path === '/down' ? 503 : 200,
      );
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
    });
    after(async () => {
      await s?.close();
      receiver?.server.close();
    });

    it('refuses a webhook without a valid URL or with an unknown event type', async () => {
      const res = await s.call('POST', '/v1/webhooks', s.keys.admin, {
        url: 'ftp://example.org',
        events: ['case.exploded'],
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().problems.length, 2);
      assert.equal((await s.call('POST', '/v1/webhooks', s.keys.reader, { url: `${receiver.url}/x` })).statusCode, 403);
    });

    it('signs case events and retries a failing receiver with back-off until it succeeds', async () => {
      const created = await s.call('POST', '/v1/webhooks', s.keys.admin, {
        url: `${receiver.url}/flaky`,
        events: ['case.*'],
        secret,
      });
      assert.equal(created.statusCode, 201);
      assert.equal(created.json().secret, secret);
      assert.ok(!(await s.call('GET', '/v1/webhooks', s.keys.admin)).body.includes(secret), 'secrets are not listed');

      const t = NOW();
      await s.ingest([
        ...setupEvents(t),
        { type: 'contact', id: 'accept', time: t + 10, action: 'friend_accept', actorId: 'maya', targetId: 'rick' },
      ]);
      await s.ingest(messageEvents(STRANGER_CHAT, STRANGER_CONVERSATION, 'st', t + 1000));

      const ok = await waitFor('a successful delivery', async () =>
        (await s.call('GET', '/v1/webhooks/deliveries?status=delivered', s.keys.admin))
          .json()
          .deliveries.find((d: { eventType: string }) => d.eventType === 'case.opened'),
      );
      assert.equal(ok.attempts, 3, 'two failures, then success');
      const flaky = receiver.received.filter((r) => r.headers['lifeguard-delivery'] === ok.id);
      assert.equal(flaky.length, 3);
      for (const r of flaky)
        assert.ok(verifySignature(secret, r.headers[SIGNATURE_HEADER] as string, r.body), 'valid HMAC signature');
      assert.equal(
        verifySignature('wrong-secret-wrong-secret', flaky[0]!.headers[SIGNATURE_HEADER] as string, flaky[0]!.body),
        false,
      );
      assert.equal(
        verifySignature(
          secret,
          flaky[0]!.headers[SIGNATURE_HEADER] as string,
          flaky[0]!.body.replace('case.opened', 'case.closed'),
        ),
        false,
        'a changed body fails',
      );
      const payload = JSON.parse(flaky[2]!.body);
      assert.equal(payload.type, 'case.opened');
      assert.equal(payload.data.accusedId, 'rick');
      assert.ok(!flaky[2]!.body.includes('snap'), 'webhooks carry no message text');
    });

    it('shows deliveries that keep failing, then marks them dead after the last attempt', async () => {
      const down = (
        await s.call('POST', '/v1/webhooks', s.keys.admin, { url: `${receiver.url}/down`, events: ['decision.made'] })
      ).json().id;
      const decision = await s.call('POST', '/v1/decisions/contact', s.keys.decide, {
        senderId: 'dana',
        recipientId: 'maya',
      });
      assert.equal(decision.json().decision, 'block');
      const toDown = async (status: string) =>
        (await s.call('GET', `/v1/webhooks/deliveries?status=${status}`, s.keys.admin))
          .json()
          .deliveries.find((d: { endpointId: string }) => d.endpointId === down);
      const failing = await waitFor('a failing delivery', () => toDown('failing'));
      assert.equal(failing.lastStatusCode, 503);
      assert.equal(failing.lastError, 'HTTP 503');
      const dead = await waitFor('a dead delivery', () => toDown('dead'));
      assert.equal(dead.attempts, 3);
      assert.equal(dead.eventType, 'decision.made');
      assert.equal(receiver.received.filter((r) => r.path === '/down').length, 3);
    });

    it('records a connection error for an unreachable endpoint', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const hook = await s.call('POST', '/v1/webhooks', s.keys.admin, {
        url: `http://127.0.0.1:${port}/gone`,
        events: ['decision.made'],
      });
      await s.call('POST', '/v1/decisions/contact', s.keys.decide, { senderId: 'rick', recipientId: 'maya' });
      const dead = await waitFor('the unreachable delivery to die', async () =>
        (await s.call('GET', '/v1/webhooks/deliveries?status=dead', s.keys.admin))
          .json()
          .deliveries.find((d: { endpointId: string }) => d.endpointId === hook.json().id),
      );
      assert.equal(dead.lastError, 'ECONNREFUSED');
      assert.equal(dead.lastStatusCode, null);
    });
  });
}

webhookSuite('sqlite');
webhookSuite('postgres', await postgresSkip());

describe('webhook destinations (SSRF)', () => {
  let s: TestService;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    receiver = await startReceiver(() => 200);
    // No allow-list: the default every deployment starts with.
    s = await startTestService('sqlite', {
      webhooks: { pollMs: 10, baseDelayMs: 20, maxDelayMs: 60, maxAttempts: 2, timeoutMs: 2000 },
    });
  });
  after(async () => {
    await s?.close();
    receiver?.server.close();
  });

  it('refuses private, loopback, link-local and metadata addresses in every spelling, and localhost', async () => {
    const port = new URL(receiver.url).port;
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://10.1.2.3/hook',
      'http://172.16.0.1/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      'http://[fd00::1]/hook',
      'http://[fe80::1]/',
      'http://[::1]/',
      'http://[::ffff:10.0.0.1]/',
      'http://0.0.0.0/',
      'http://2130706433/',
      'http://0x7f.0.0.1/',
      'http://0177.0.0.1/',
      'http://017700000001/',
      `http://localhost:${port}/hook`,
    ]) {
      const res = await s.call('POST', '/v1/webhooks', s.keys.admin, { url, events: ['*'] });
      assert.equal(res.statusCode, 400, `${url} refused: ${res.body}`);
      assert.match(res.json().problems[0], /^url: .*private, loopback, link-local or reserved address/, url);
    }
    assert.equal((await s.call('GET', '/v1/webhooks', s.keys.admin)).json().webhooks.length, 0, 'none stored');
  });

  it('checks again at each delivery, after resolving the name, and sends nothing to a refused address', async () => {
    const port = new URL(receiver.url).port;
    // As if the names had pointed elsewhere when they were registered (DNS rebinding), or were stored before this check.
    for (const url of [`http://localhost:${port}/rebound`, `http://127.0.0.1:${port}/literal`]) {
      await s.storage.createWebhook({
        id: newId('wh'),
        tenantId: 'acme',
        url,
        secret: 'a-test-secret-of-enough-length',
        events: ['decision.made'],
        enabled: true,
      });
    }
    await s.call('POST', '/v1/decisions/contact', s.keys.decide, { senderId: 'ssrf-a', recipientId: 'ssrf-b' });
    const dead = await waitFor('both deliveries to die', async () => {
      const list = (await s.call('GET', '/v1/webhooks/deliveries?status=dead', s.keys.admin)).json().deliveries as {
        lastError: string;
      }[];
      return list.length >= 2 ? list : null;
    });
    for (const d of dead)
      assert.match(d.lastError, /^refused: .*(localhost \(127\.0\.0\.1\)|127\.0\.0\.1) is a private/, d.lastError);
    assert.equal(receiver.received.length, 0, 'the receiver on localhost got nothing');
  });

  it('lets an operator allow an on-premise range or host explicitly', async () => {
    const policy = new DestinationPolicy(['10.20.0.0/16', 'hooks.corp.example']);
    assert.equal(await policy.check('http://10.20.3.4/hook'), null, 'the allowed range');
    assert.match((await policy.check('http://10.21.0.1/hook')) ?? '', /private/, 'not the next range');
    assert.equal(
      policy.refusal('hooks.corp.example', '192.168.0.9'),
      null,
      'the allowed host, whatever it resolves to',
    );
    assert.throws(() => new DestinationPolicy(['10.0.0.0/33']), /bad prefix/);
    assert.throws(() => new DestinationPolicy(['http://x']), /not an address, a range/);
  });
});
