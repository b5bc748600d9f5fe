// Partitioned detection with real worker processes (`lifeguard serve --role worker|ingest`) on a private
// nats-server: a worker SIGKILLed mid-stream, a worker paused (SIGSTOP) past its lease, NATS itself
// restarted, poison messages. After each, every routed event is stored once in its partition, the
// fence held, and every conversation scores as one process scores it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LifeguardEvent } from '@lifeguard/core';
import type { ScaleContext } from '../../src/scale/context.ts';
import { partitionsFor } from '../../src/scale/names.ts';
import { routeAll, singleProcess } from './cluster.ts';
import { scaleContext, testNamespace, waitFor } from './natsTestEnv.ts';
import { PrivateNats, privateNatsSkip } from './privateNats.ts';
import { resultScores, storedEventCounts, waitCaughtUpByHealth } from './streamCheck.ts';
import { startRoleProcess, type RoleProcess } from './workerProcess.ts';
import { workload } from './workload.ts';

const TENANT = 'acme';
const PARTITIONS = 4;
const TTL = '2000';

describe('partitioned detection survives crashes of real processes', { skip: privateNatsSkip }, () => {
  let nats: PrivateNats;
  const processes: RoleProcess[] = [];
  const contexts: ScaleContext[] = [];
  before(async () => {
    nats = await PrivateNats.start();
  });
  after(async () => {
    if (process.env.LIFEGUARD_TEST_LOG)
      for (const p of processes) process.stderr.write(`--- ${p.name}\n${p.output().slice(-4000)}\n`);
    for (const p of processes) p.kill('SIGKILL');
    for (const c of contexts) await c.nc.close().catch(() => {});
    await nats?.close();
  });

  const setup = async () => {
    const ns = testNamespace();
    const ctx = await scaleContext(ns, 'test', nats.servers);
    contexts.push(ctx);
    const start = (role: 'worker' | 'ingest', name: string) => {
      const p = startRoleProcess(role, name, [
        '--nats',
        nats.servers,
        '--tenant',
        TENANT,
        '--partitions',
        String(PARTITIONS),
        '--namespace',
        ns,
        '--lease-ttl-ms',
        TTL,
      ]);
      processes.push(p);
      return p;
    };
    return { ns, ctx, start };
  };

  /** Every event in its partitions exactly once, and every conversation scored as by one process. */
  async function verify(ctx: ScaleContext, events: LifeguardEvent[]) {
    const stored = await storedEventCounts(ctx, TENANT);
    for (const e of events)
      for (const p of partitionsFor(e, PARTITIONS))
        assert.equal(stored.get(`${p}/${e.id}`), 1, `event ${e.id} stored once in partition ${p}`);
    const expected = events.reduce((n, e) => n + partitionsFor(e, PARTITIONS).length, 0);
    assert.equal(stored.size, expected, 'nothing else stored');
    const reference = singleProcess(events);
    const scores = await resultScores(ctx, TENANT);
    let risky = 0;
    for (const id of reference.conversationIds()) {
      assert.equal(scores.get(id), reference.conversationScore(id), `conversation ${id} scores as in one process`);
      if (reference.conversationScore(id) >= 0.5) risky++;
    }
    assert.ok(risky >= 2, `risky conversations were compared (${risky})`);
  }

  const owns = async (p: RoleProcess) =>
    ((await p.health().catch(() => null))?.owned ?? []).filter((o: { state: string }) => o.state === 'running').length;

  it('a worker SIGKILLed mid-stream: another takes its partitions from the snapshot, nothing lost or doubled', async () => {
    const { ctx, start } = await setup();
    const events = workload({ seed: 21, children: 30, adults: 10 });
    const w1 = start('worker', 'w1');
    const w2 = start('worker', 'w2');
    await waitFor('both workers to own partitions', async () => (await owns(w1)) >= 1 && (await owns(w2)) >= 1);
    const third = Math.floor(events.length / 3);
    await routeAll(ctx, TENANT, PARTITIONS, events.slice(0, third), 10, 'k1');
    const rest = routeAll(ctx, TENANT, PARTITIONS, events.slice(third), 5, 'k2');
    await new Promise((r) => setTimeout(r, 300));
    w1.kill('SIGKILL');
    await rest;
    await waitCaughtUpByHealth(ctx, TENANT, PARTITIONS, [w2]);
    assert.equal(await owns(w2), PARTITIONS + 1, 'the survivor owns every partition and the account stage');
    await verify(ctx, events);
    w2.kill('SIGTERM');
    await w2.exited;
  });

  it('a worker paused past its lease is fenced when it wakes, and partitions rebalance when it rejoins', async () => {
    const { ctx, start } = await setup();
    const events = workload({ seed: 33, children: 30, adults: 10 });
    const w1 = start('worker', 'p1');
    await waitFor('worker p1 to own everything', async () => (await owns(w1)) === PARTITIONS + 1);
    const half = Math.floor(events.length / 2);
    await routeAll(ctx, TENANT, PARTITIONS, events.slice(0, half), 10, 'h1');
    await waitCaughtUpByHealth(ctx, TENANT, PARTITIONS, [w1]);
    w1.kill('SIGSTOP');
    const w2 = start('worker', 'p2');
    await waitFor(
      'worker p2 to take everything once p1 lease expired',
      async () => (await owns(w2)) === PARTITIONS + 1,
    );
    // Published while p1 sleeps: p1 holds a batch in hand from before only if it was mid-fetch; either way its writes must fail.
    await routeAll(ctx, TENANT, PARTITIONS, events.slice(half), 10, 'h2');
    w1.kill('SIGCONT');
    await waitFor('p1 to notice it lost its leases', () => /lost the lease|fenced off/.test(w1.output()));
    await waitFor(
      'rebalancing to give p1 a share again',
      async () => (await owns(w1)) >= 1 && (await owns(w2)) >= 1,
      30_000,
    );
    await waitCaughtUpByHealth(ctx, TENANT, PARTITIONS, [w1, w2]);
    await verify(ctx, events);
    const epochs = (await w1.health()).owned.map((o: { epoch: number }) => o.epoch);
    assert.ok(
      epochs.every((e: number) => e >= 2),
      `p1 owns again only under new epochs (${epochs})`,
    );
    w1.kill('SIGTERM');
    w2.kill('SIGTERM');
    await Promise.all([w1.exited, w2.exited]);
  });

  it('NATS restarted mid-stream: workers reconnect and finish with nothing lost or doubled', async () => {
    const { ctx, start } = await setup();
    const events = workload({ seed: 45, children: 30, adults: 10 });
    const w1 = start('worker', 'r1');
    await waitFor('worker r1 to own everything', async () => (await owns(w1)) === PARTITIONS + 1);
    const half = Math.floor(events.length / 2);
    await routeAll(ctx, TENANT, PARTITIONS, events.slice(0, half), 10, 'n1');
    await nats.down();
    await new Promise((r) => setTimeout(r, 1_000));
    await nats.up();
    await routeAll(ctx, TENANT, PARTITIONS, events.slice(half), 10, 'n2');
    await waitCaughtUpByHealth(ctx, TENANT, PARTITIONS, [w1]);
    await verify(ctx, events);
    w1.kill('SIGTERM');
    await w1.exited;
  });

  it('poison messages go to the rejected subject and the partition goes on', async () => {
    const { ctx, start } = await setup();
    const rejected: { problems: string[] }[] = [];
    const sub = ctx.nc.subscribe(ctx.names.rejectedSubject(TENANT));
    void (async () => {
      for await (const m of sub) rejected.push(JSON.parse(new TextDecoder().decode(m.data)));
    })();
    const w1 = start('worker', 'x1');
    const ingest = start('ingest', 'i1');
    await ingest.address;
    await waitFor('worker x1 to own everything', async () => (await owns(w1)) === PARTITIONS + 1);
    const events = workload({ seed: 5, children: 8, adults: 3, childMessages: 40 });
    const raw = 'lifeguard.acme.events';
    const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
    await ctx.js.publish(raw, enc('{not json'));
    await ctx.js.publish(raw, enc({ type: 'message', id: 'bad1' }));
    await ctx.js.publish(
      raw,
      enc({ ...events.find((e) => e.type === 'message')!, id: 'huge', text: 'x'.repeat(30_000) }),
    );
    // Written straight to a partition, past the router: the worker sets it aside too.
    await ctx.js.publish(ctx.names.partSubject(TENANT, 1), enc('[{"type":"message"}]'));
    for (let i = 0; i < events.length; i += 10) await ctx.js.publish(raw, enc(events.slice(i, i + 10)));
    await waitFor(
      'the router to route every valid event',
      async () => (await ingest.health()).routedEvents === events.length,
    );
    await waitCaughtUpByHealth(ctx, TENANT, PARTITIONS, [w1]);
    await waitFor('four rejections', () => rejected.length >= 4);
    const problems = rejected.map((r) => r.problems.join('; '));
    assert.ok(
      problems.some((p) => /not valid JSON/.test(p)),
      `the broken JSON was rejected (${problems})`,
    );
    assert.ok(
      problems.some((p) => /text/.test(p)),
      `the oversized text was rejected naming the field (${problems})`,
    );
    const health = await ingest.health();
    assert.equal(health.routedEvents, events.length, 'every valid event was routed');
    assert.equal(health.rejectedMessages, 3, 'three raw messages rejected');
    const metrics = await (await fetch(`${await w1.address}/metrics`)).text();
    assert.match(
      metrics,
      /lifeguard_partition_owned\{tenant="acme",partition="0",holder="x1"\} 1/,
      'metrics show ownership',
    );
    assert.match(metrics, /lifeguard_partition_lag_seconds\{/, 'metrics show lag');
    const reference = singleProcess(events);
    const scores = await resultScores(ctx, TENANT);
    for (const id of reference.conversationIds())
      assert.equal(scores.get(id), reference.conversationScore(id), `conversation ${id} scores as in one process`);
    sub.unsubscribe();
    w1.kill('SIGTERM');
    ingest.kill('SIGTERM');
    await Promise.all([w1.exited, ingest.exited]);
  });
});
