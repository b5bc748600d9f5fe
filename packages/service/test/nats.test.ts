// Ingestion from NATS JetStream against the local server (skipped, saying why, when it is not there).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, JSONCodec, type NatsConnection } from 'nats';
import { environmentSkip } from '@lifeguard/storage/testing';
import { startTestService, NOW, type TestService } from './helpers.ts';

const SERVERS = process.env.LIFEGUARD_TEST_NATS ?? '127.0.0.1:4222';

async function natsUnavailable(): Promise<string | null> {
  try {
    const nc = await connect({ servers: SERVERS, timeout: 2_000 });
    await (await nc.jetstreamManager()).getAccountInfo();
    await nc.close();
    return null;
  } catch (err) {
    return (
      `NATS JetStream unreachable at ${SERVERS} (${(err as Error).message}). Start nats-server with JetStream ` +
      '(`nats-server -js`, from https://github.com/nats-io/nats-server/releases) or point LIFEGUARD_TEST_NATS at one to run these tests'
    );
  }
}

const natsSkip = environmentSkip('NATS JetStream', await natsUnavailable());

describe('ingestion from NATS JetStream', { skip: natsSkip }, () => {
  const run = randomBytes(4).toString('hex');
  const stream = `LG_TEST_${run}`;
  const prefix = `lgtest${run}`;
  const codec = JSONCodec();
  let s: TestService;
  let nc: NatsConnection;
  const rejected: { problems: string[] }[] = [];

  before(async () => {
    s = await startTestService('sqlite', {
      nats: { servers: SERVERS, stream, subjectPrefix: prefix, tenants: ['acme'] },
    });
    nc = await connect({ servers: SERVERS });
    const sub = nc.subscribe(`${prefix}.acme.rejected`);
    void (async () => {
      for await (const m of sub) rejected.push(codec.decode(m.data) as { problems: string[] });
    })();
  });
  after(async () => {
    await s?.close();
    if (nc) {
      await (await nc.jetstreamManager()).streams.delete(stream).catch(() => {});
      await nc.close();
    }
  });

  const waitFor = async (what: string, check: () => Promise<boolean> | boolean) => {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const msg = (id: string, text: string) => ({
    type: 'message',
    id,
    time: NOW(),
    conversationId: 'nats-conv',
    senderId: 'a',
    recipientIds: ['b'],
    text,
  });

  it('stores published events (single and batched) and acknowledges them only once stored', async () => {
    const js = nc.jetstream();
    await js.publish(`${prefix}.acme.events`, codec.encode(msg('n1', 'hello')));
    await js.publish(`${prefix}.acme.events`, codec.encode([msg('n2', 'how was school'), msg('n3', 'fine')]));
    await waitFor(
      'three stored events',
      async () => (await s.storage.getEventsByIds('acme', ['n1', 'n2', 'n3'])).length === 3,
    );
    const jsm = await nc.jetstreamManager();
    await waitFor('all messages acknowledged', async () => {
      const info = await jsm.consumers.info(stream, 'lifeguard-service-acme');
      return info.num_pending === 0 && info.num_ack_pending === 0;
    });
    const report = await s.call('GET', '/v1/conversations/nats-conv/risk', s.keys.reader);
    assert.equal(report.json().messageCount, 3, 'the detector read them');
  });

  it('stores a redelivered or republished event once', async () => {
    await nc.jetstream().publish(`${prefix}.acme.events`, codec.encode(msg('n1', 'hello')));
    await nc.jetstream().publish(`${prefix}.acme.events`, codec.encode(msg('n4', 'bye')));
    await waitFor('the next event', async () => (await s.storage.getEventsByIds('acme', ['n4'])).length === 1);
    // Storage commits a group before the engine is fed it, so wait for the engine to catch up,
    // then check the republished n1 was not counted again.
    const count = async () =>
      (await s.call('GET', '/v1/conversations/nats-conv/risk', s.keys.reader)).json().messageCount;
    await waitFor('the engine to read n4', async () => (await count()) >= 4);
    assert.equal(await count(), 4, 'n1 republished is counted once: three earlier messages and n4');
  });

  it('sends invalid messages to the rejected subject with their problems, and goes on', async () => {
    await nc.jetstream().publish(`${prefix}.acme.events`, codec.encode({ ...msg('bad', 'x'), colour: 'red' }));
    await nc.jetstream().publish(`${prefix}.acme.events`, new TextEncoder().encode('{not json'));
    await nc.jetstream().publish(`${prefix}.acme.events`, codec.encode(msg('n5', 'still flowing')));
    await waitFor('two rejections', () => rejected.length >= 2);
    assert.deepEqual(rejected[0]!.problems, ['colour: unknown field']);
    assert.match(rejected[1]!.problems[0]!, /not valid JSON/);
    await waitFor('the event after them', async () => (await s.storage.getEventsByIds('acme', ['n5'])).length === 1);
    assert.equal((await s.storage.getEventsByIds('acme', ['bad'])).length, 0);
  });
});
