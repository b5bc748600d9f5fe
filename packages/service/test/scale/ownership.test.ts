// Ownership: one owner per lease, a clear refusal naming the holder, takeover with a new epoch once a
// lease expires, and fencing of a previous owner's writes (results log, snapshot pointer) whatever it
// believes about its lease. Against the machine's NATS JetStream, in a namespace of the test's own.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ScaleContext } from '../../src/scale/context.ts';
import { FencedError, FencedLog } from '../../src/scale/fencedLog.ts';
import { LeaseHeldError, LeaseLostError, LeaseStore } from '../../src/scale/lease.ts';
import { SnapshotStore } from '../../src/scale/snapshotStore.ts';
import { TenantLock } from '../../src/scale/tenantLock.ts';
import { ScaleWorker } from '../../src/scale/worker.ts';
import { NATS_SERVERS, natsSkip, removeNamespace, scaleContext, testNamespace } from './natsTestEnv.ts';

describe('ownership by lease, with fencing', { skip: natsSkip }, () => {
  const ns = testNamespace();
  let ctx: ScaleContext;
  let clock = Date.now();
  let leases: LeaseStore;
  /** Every connection a test opens: an open NATS connection would keep the test process alive. */
  const opened: ScaleContext[] = [];
  const open = async (name: string) => {
    const c = await scaleContext(ns, name);
    opened.push(c);
    return c;
  };
  before(async () => {
    ctx = await scaleContext(ns, 'test');
    const kv = await ctx.js.views.kv(ctx.names.leaseBucket, { history: 1 });
    leases = new LeaseStore(kv, () => clock);
  });
  after(async () => {
    for (const c of opened) if (!c.nc.isClosed()) await c.nc.close();
    await ctx?.nc.close();
    await removeNamespace(ns);
  });

  it('refuses a second owner, naming the holder and its epoch', async () => {
    const first = await leases.acquire('detector.acme.p0', 'worker-a', 5_000);
    assert.equal(first.epoch, 1, 'the first lease has epoch 1');
    await assert.rejects(
      leases.acquire('detector.acme.p0', 'worker-b', 5_000),
      (err: Error) =>
        err instanceof LeaseHeldError &&
        /owned by worker-a \(epoch 1\)/.test(err.message) &&
        /refusing/.test(err.message),
      'the second owner is refused with the holder named',
    );
  });

  it('lets another take an expired lease with a higher epoch, and the old holder cannot renew it', async () => {
    const a = await leases.acquire('detector.acme.p1', 'worker-a', 5_000);
    clock += 6_000; // worker-a paused past its expiry
    const b = await leases.acquire('detector.acme.p1', 'worker-b', 5_000);
    assert.equal(b.epoch, a.epoch + 1, 'the takeover raises the epoch');
    clock -= 6_000; // worker-a wakes believing its lease is still valid by its clock
    await assert.rejects(
      leases.renew(a, 5_000),
      (err: Error) => err instanceof LeaseLostError && /now held by worker-b/.test(err.message),
      'the old holder learns it lost the lease and to whom',
    );
    clock += 6_000;
  });

  it('a released lease is free at once', async () => {
    const a = await leases.acquire('detector.acme.p2', 'worker-a', 60_000);
    await leases.release(a);
    const b = await leases.acquire('detector.acme.p2', 'worker-b', 60_000);
    assert.equal(b.holder, 'worker-b', 'taken straight after release');
  });

  it("fences the previous owner's results once the new owner claims the subject", async () => {
    const subject = ctx.names.resultSubject('acme', 9);
    const old = await FencedLog.claim(ctx.js, ctx.jsm, ctx.names.resultStream, subject, 1, 'worker-a', 0);
    await old.append({ n: 1 });
    const fresh = await FencedLog.claim(ctx.js, ctx.jsm, ctx.names.resultStream, subject, 2, 'worker-b', 0);
    await assert.rejects(old.append({ n: 2 }), FencedError, "the old owner's append is refused");
    await fresh.append({ n: 3 });
    const last = await ctx.jsm.streams.getMessage(ctx.names.resultStream, { last_by_subj: subject });
    assert.deepEqual(JSON.parse(new TextDecoder().decode(last.data)), { n: 3 }, "only the new owner's result follows");
  });

  it("fences the previous owner's snapshots: its pointer update fails and the new owner's stays current", async () => {
    const oldStore = new SnapshotStore(ctx.pointers, ctx.objects, 'acme.p9');
    await oldStore.claim(1, 'worker-a');
    await oldStore.save(1, 'worker-a', 10, new TextEncoder().encode('state at 10'));
    const newStore = new SnapshotStore(ctx.pointers, ctx.objects, 'acme.p9');
    const { pointer, data } = await newStore.claim(2, 'worker-b');
    assert.equal(pointer.seq, 10, 'the new owner restores the last snapshot');
    assert.equal(new TextDecoder().decode(data!), 'state at 10', 'with its data');
    await assert.rejects(
      oldStore.save(1, 'worker-a', 20, new TextEncoder().encode('stale state')),
      FencedError,
      "the old owner's snapshot is refused",
    );
    const again = await new SnapshotStore(ctx.pointers, ctx.objects, 'acme.p9').claim(3, 'worker-c');
    assert.equal(new TextDecoder().decode(again.data!), 'state at 10', 'the stale snapshot never became current');
  });

  it('refuses a worker that owns fixed partitions when one is held, naming the holder', async () => {
    const a = new ScaleWorker(await open('fixed-a'), {
      tenant: 'globex',
      partitions: 2,
      fixed: [0],
      accountStage: false,
    });
    await a.start();
    const ctxB = await open('fixed-b');
    const b = new ScaleWorker(ctxB, { tenant: 'globex', partitions: 2, fixed: [0, 1], accountStage: false });
    await assert.rejects(
      b.start(),
      (err: Error) => err instanceof LeaseHeldError && /detector\.globex\.p0 is owned by fixed-a/.test(err.message),
      'the second owner of partition 0 is refused',
    );
    await a.stop();
    await ctxB.nc.close();
  });

  it('refuses partitioned workers for a tenant a single process detects, and a single process for a partitioned tenant', async () => {
    const kv = await ctx.js.views.kv(ctx.names.leaseBucket, { history: 1 });
    const single = new TenantLock(kv, 'serve-1', 5_000);
    await single.acquire(['initech']);
    const worker = new ScaleWorker(await open('w-initech'), { tenant: 'initech', partitions: 2 });
    await assert.rejects(
      worker.start(),
      (err: Error) => err instanceof LeaseHeldError && /detector\.initech is owned by serve-1/.test(err.message),
      'a worker is refused while one process detects the tenant',
    );
    await assert.rejects(
      new TenantLock(kv, 'serve-2', 5_000).acquire(['initech']),
      (err: Error) => err instanceof LeaseHeldError && /owned by serve-1/.test(err.message),
      'a second single process is refused',
    );
    await single.release();
    const w = new ScaleWorker(await open('w-initech-2'), { tenant: 'initech', partitions: 1 });
    await w.start();
    await assert.rejects(
      new TenantLock(kv, 'serve-3', 5_000).acquire(['initech']),
      (err: Error) =>
        err instanceof LeaseHeldError && /detector\.initech\.(p0|accounts) is owned by w-initech-2/.test(err.message),
      'a single process is refused while partitions are owned',
    );
    await w.stop();
  });

  it('`lifeguard serve --role worker --own` exits with status 2 naming the holder when the partition is held', async () => {
    const held = await leases.acquire('detector.hooli.p0', 'the-other-worker', 60_000);
    const cli = fileURLToPath(new URL('../../../cli/bin/lifeguard.mjs', import.meta.url));
    const run = spawnSync(
      process.execPath,
      [
        cli,
        'serve',
        '--role',
        'worker',
        '--nats',
        NATS_SERVERS,
        '--tenant',
        'hooli',
        '--partitions',
        '2',
        '--own',
        '0',
        '--namespace',
        ns,
        '--port',
        '0',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(run.status, 2, `exit status 2 (stderr: ${run.stderr})`);
    assert.match(
      run.stderr,
      /detector\.hooli\.p0 is owned by the-other-worker \(epoch 1\)/,
      'the error names the holder',
    );
    await leases.release(held);
  });
});
