// Cross-partition account facts: an adult's conversation with one child lives in one partition, its
// conversations with three more children in the other. One process sees the fan-out over four
// children and raises every one of those conversations; partitioned, the first partition learns the
// fan-out from the read model and raises its conversation the same way.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LifeguardEvent } from '@lifeguard/core';
import { ScaleWorker } from '../../src/scale/worker.ts';
import { RiskReadModel } from '../../src/scale/readModel.ts';
import { partitionOf } from '../../src/scale/names.ts';
import type { ScaleContext } from '../../src/scale/context.ts';
import { serviceScaleParts } from '../../src/scale/serveOptions.ts';
import { startTestService } from '../helpers.ts';
import { NATS_SERVERS, natsSkip, removeNamespace, scaleContext, testNamespace, waitFor } from './natsTestEnv.ts';
import { routeAll, singleProcess, waitCaughtUp } from './cluster.ts';

const PARTITIONS = 2;
const TENANT = 'acme';
const owner = { leaseTtlMs: 3_000, snapshotEveryMessages: 50, snapshotEveryMs: 60_000, batch: 5 };

/** Conversation ids: the first in partition 0, the other three in partition 1. */
function conversationIds(): string[] {
  const ids: string[] = [];
  const want = [0, 1, 1, 1];
  for (let n = 0; ids.length < want.length; n++)
    if (partitionOf(`fan-${n}`, PARTITIONS) === want[ids.length]) ids.push(`fan-${n}`);
  return ids;
}

/** An adult complimenting four children and asking their ages; the first child is 16. */
function fanOutEvents(conversations: string[]): LifeguardEvent[] {
  const start = Date.parse('2026-03-01T16:00:00Z');
  let t = start;
  let n = 0;
  const events: LifeguardEvent[] = [
    { type: 'account', id: 'acct-adult', time: t, userId: 'adult', age: 27, createdAt: start - 400 * 86_400_000 },
  ];
  const say = (conversationId: string, from: string, to: string, text: string, minutes = 1) => {
    t += minutes * 60_000;
    events.push({ type: 'message', id: `m${++n}`, time: t, conversationId, senderId: from, recipientIds: [to], text });
  };
  const lines = [
    ['your drawings are amazing honestly', 'how old r u?', '16'],
    ['ur edits r so good', 'what age are you', '13'],
    ['you are so pretty in that video', 'how old are u btw', '14'],
    ['ur voice is beautiful', 'how old r u', '12'],
  ];
  lines.forEach(([compliment, probe, age], i) => {
    const c = conversations[i]!;
    say(c, 'adult', `kid${i}`, compliment!, 30);
    say(c, 'adult', `kid${i}`, probe!);
    say(c, `kid${i}`, 'adult', age!);
  });
  return events;
}

describe('partitions learn an account’s facts from each other', { skip: natsSkip }, () => {
  const namespaces: string[] = [];
  const contexts: ScaleContext[] = [];
  const workers: ScaleWorker[] = [];
  const conversations = conversationIds();
  const events = fanOutEvents(conversations);
  let ns = '';
  after(async () => {
    for (const w of workers) await w.stop().catch(() => {});
    for (const c of contexts) await c.nc.close().catch(() => {});
    for (const ns of namespaces) await removeNamespace(ns);
  });

  it('raises a conversation in partition 0 when the account’s fan-out was seen in partition 1, as one process does', async () => {
    const reference = singleProcess(events);
    const first = conversations[0]!;
    const alone = singleProcess(events.filter((e) => e.type !== 'message' || e.conversationId === first));
    assert.ok(
      alone.conversationScore(first) < reference.conversationScore(first),
      `seen alone, ${first} scores lower (${alone.conversationScore(first)}) than in one process (${reference.conversationScore(first)})`,
    );

    ns = testNamespace();
    namespaces.push(ns);
    const publisher = await scaleContext(ns, 'publisher');
    contexts.push(publisher);
    const ctx = await scaleContext(ns, 'worker');
    contexts.push(ctx);
    const worker = new ScaleWorker(ctx, { tenant: TENANT, partitions: PARTITIONS, owner });
    workers.push(worker);
    await worker.start();
    const readModel = await RiskReadModel.open(publisher.nc, TENANT, ns);
    // The first conversation (partition 0) comes first, as in the event order; its facts reach the
    // read model (milliseconds) before partition 1 sees the rest, as they would between live chats.
    const split = events.findIndex((e) => e.type === 'message' && e.conversationId !== first);
    await routeAll(publisher, TENANT, PARTITIONS, events.slice(0, split), 3, 'early');
    await waitFor('partition 0 to publish what it learnt about the adult', () =>
      (readModel.risk('adult')?.facts?.fanOut ?? []).some((e) => e.childId === 'kid0'),
    );
    await routeAll(publisher, TENANT, PARTITIONS, events.slice(split), 3, 'late');
    await waitCaughtUp(publisher, TENANT, PARTITIONS, [worker]);
    const p0 = worker.owners.get(0)!;
    await waitFor(
      `${first} in partition 0 to rise to its one-process score`,
      () => p0.engine.conversationScore(first) === reference.conversationScore(first),
      15_000,
    );
    assert.deepEqual(
      p0.engine.conversationReport(first)!.reasons,
      reference.conversationReport(first)!.reasons,
      `${first} is explained by the fan-out over four children, as in one process`,
    );
    await waitFor(
      'the read model to hold the account at its one-process score',
      () => readModel.risk('adult')?.score === reference.actorScore('adult'),
      15_000,
    );
    assert.deepEqual(
      [...(readModel.risk('adult')!.report!.fanOut?.children ?? [])].sort(),
      ['kid0', 'kid1', 'kid2', 'kid3'],
      'the account report names all four children, from both partitions',
    );
    await waitFor(
      `the read model to hold ${first}'s raised report`,
      async () => (await readModel.conversation(first))?.score === reference.conversationReport(first)!.score,
      15_000,
    );
    await readModel.close();
  });

  it('`--role api` answers account and conversation risk from the read model as the single-process service does', async () => {
    assert.ok(ns, 'the partitioned run above went first');
    const fail = (message: string): never => {
      throw new Error(message);
    };
    const parts = await serviceScaleParts(
      {
        role: 'api',
        nats: NATS_SERVERS,
        tenant: TENANT,
        namespace: ns,
        partitions: PARTITIONS,
        host: '127.0.0.1',
        port: 0,
      },
      async () => [],
      fail,
    );
    const api = await startTestService('sqlite', {
      ...(parts.outsideRisk ? { outsideRisk: parts.outsideRisk } : {}),
      ...(parts.outsideReports ? { outsideReports: parts.outsideReports } : {}),
    });
    const single = await startTestService('sqlite');
    try {
      const ingested = await single.ingest(events);
      assert.equal(ingested.statusCode, 200, `the single-process service takes the events: ${ingested.body}`);
      const urls = ['/v1/accounts/adult/risk', ...conversations.map((c) => `/v1/conversations/${c}/risk`)];
      for (const url of urls) {
        // The single process feeds its engine after acknowledging; its answer settles shortly.
        let expected: unknown = null;
        await waitFor(`the single-process answer to ${url}`, async () => {
          const r = await single.call('GET', url, single.keys.reader);
          if (r.statusCode !== 200) return false;
          const same = JSON.stringify(r.json()) === JSON.stringify(expected);
          expected = r.json();
          return same;
        });
        const answer = await api.call('GET', url, api.keys.reader);
        assert.equal(answer.statusCode, 200, `the api role answers ${url}: ${answer.body}`);
        assert.deepEqual(answer.json(), expected, `${url}: the api role gives the single-process answer`);
      }
      const unknown = await api.call('GET', '/v1/accounts/nobody/risk', api.keys.reader);
      assert.equal(unknown.statusCode, 404, 'an account no partition has seen is not found, as in one process');
    } finally {
      await api.close();
      await single.close();
      await parts.close();
    }
  });
});
