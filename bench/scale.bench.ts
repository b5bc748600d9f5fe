// Partitioned detection of one tenant: end-to-end throughput with 1, 2 and 4 worker processes
// (`lifeguard serve --role worker`, 4 partitions), as a ratio to one; end-to-end lag p99 (event published
// to applied by its partition, sampled from /v1/health); and read-model decision lookups while ingesting.
// Runs on a private nats-server when one is installed, else on 127.0.0.1:4222.
import { cpus, loadavg } from 'node:os';
import type { LifeguardEvent } from '@lifeguard/core';
import { ensureBuilt } from '../scripts/ensure-built.mjs';
import { connectScale } from '../packages/service/src/scale/context.ts';
import { RiskReadModel } from '../packages/service/src/scale/readModel.ts';
import { PartitionRouter } from '../packages/service/src/scale/router.ts';
import { lastSubjectSeq } from '../packages/service/src/scale/fencedLog.ts';
import { NATS_BINARY, PrivateNats } from '../packages/service/test/scale/privateNats.ts';
import { startRoleProcess, type RoleProcess } from '../packages/service/test/scale/workerProcess.ts';
import { workload } from '../packages/service/test/scale/workload.ts';

const PARTITIONS = 4;
const COPIES = Number(process.env.SCALE_COPIES ?? 24);
const BATCH = 200;
const loadAtStart = loadavg()[0] as number;
await ensureBuilt();

const nats = NATS_BINARY ? await PrivateNats.start() : null;
const servers = nats?.servers ?? '127.0.0.1:4222';
const quiet = { info() {}, error() {} };

const events: LifeguardEvent[] = [];
for (let c = 0; c < COPIES; c++)
  events.push(...workload({ seed: 100 + c, prefix: `c${c}-`, children: 60, adults: 20, childMessages: 600 }));
const messages = events.filter((e) => e.type === 'message').length;

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number) : 0;
};

interface Run {
  workers: number;
  seconds: number;
  eventsPerSecond: number;
  lagP99Ms: number;
  lookupP99Us: number;
}

async function run(workers: number): Promise<Run> {
  const ns = `bench${workers}${Date.now() % 100000}`;
  const ctx = await connectScale({ servers, namespace: ns, holder: 'bench', log: quiet });
  const procs: RoleProcess[] = [];
  const args = ['--nats', servers, '--tenant', 'acme', '--partitions', String(PARTITIONS), '--namespace', ns];
  for (let i = 0; i < workers; i++) procs.push(startRoleProcess('worker', `bench-w${i}`, args));
  const owned = async () => {
    let n = 0;
    for (const p of procs)
      n += ((await p.health().catch(() => null))?.owned ?? []).filter(
        (o: { partition: unknown }) => o.partition !== 'accounts',
      ).length;
    return n;
  };
  // Wait until the partitions are spread (each worker its share).
  for (;;) {
    const shares = await Promise.all(
      procs.map(
        async (p) =>
          ((await p.health().catch(() => null))?.owned ?? []).filter(
            (o: { partition: unknown }) => o.partition !== 'accounts',
          ).length,
      ),
    );
    if (shares.reduce((a, b) => a + b, 0) === PARTITIONS && shares.every((s) => s >= Math.floor(PARTITIONS / workers)))
      break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const model = await RiskReadModel.open(ctx.nc, 'acme', ns);
  const router = new PartitionRouter(ctx.js, ctx.names, PARTITIONS);
  const lags: number[] = [];
  const lookups: number[] = [];
  let publishing = true;
  const accounts = [...new Set(events.flatMap((e) => (e.type === 'account' ? [e.userId] : [])))];
  // Decisions on this instance read actor risk from the replicated read model while ingestion runs.
  const decide = (async () => {
    let i = 0;
    while (publishing) {
      const t = process.hrtime.bigint();
      model.risk(accounts[i++ % accounts.length]!);
      lookups.push(Number(process.hrtime.bigint() - t) / 1000);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  const sampleLag = (async () => {
    while (publishing) {
      for (const p of procs) {
        const h = await p.health().catch(() => null);
        for (const o of h?.owned ?? []) if (o.partition !== 'accounts' && o.applied > 0) lags.push(o.lagMs);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const started = Date.now();
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < events.length; i += BATCH) {
    inflight.push(router.route('acme', events.slice(i, i + BATCH), `b${i}`));
    if (inflight.length >= 8) await inflight.shift();
  }
  await Promise.all(inflight);
  for (;;) {
    let done = true;
    for (const p of procs) {
      const h = await p.health().catch(() => null);
      for (const o of h?.owned ?? []) {
        if (o.partition === 'accounts') continue;
        if (
          o.appliedSeq <
          (await lastSubjectSeq(ctx.jsm, ctx.names.partStream, ctx.names.partSubject('acme', o.partition)))
        )
          done = false;
      }
    }
    if (done && (await owned()) === PARTITIONS) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (Date.now() - started) / 1000;
  publishing = false;
  await Promise.all([decide, sampleLag]);
  await model.close();
  for (const p of procs) p.kill('SIGTERM');
  await Promise.all(procs.map((p) => p.exited));
  await ctx.nc.close();
  return {
    workers,
    seconds,
    eventsPerSecond: events.length / seconds,
    lagP99Ms: percentile(lags, 99),
    lookupP99Us: percentile(lookups, 99),
  };
}

const runs: Run[] = [];
for (const w of [1, 2, 4]) {
  runs.push(await run(w));
  process.stderr.write(`${JSON.stringify(runs.at(-1))}\n`);
}
await nats?.close();

const one = runs[0]!;
const perCore = one.eventsPerSecond;
const cores = (rate: number) => Math.ceil(rate / perCore);
const lines = [
  '### Partitioned detection of one tenant (scale)',
  '',
  `${events.length.toLocaleString('en')} events (${messages.toLocaleString('en')} messages) of one tenant routed to ${PARTITIONS} partitions on NATS JetStream and detected by N worker processes ` +
    '(`lifeguard serve --role worker`), from the first publish until every partition has applied everything:',
  '',
  '| workers | seconds | events/s | × one worker | end-to-end lag p99 (ms) | read-model lookup p99 while ingesting (µs) |',
  '|---:|---:|---:|---:|---:|---:|',
  ...runs.map(
    (r) =>
      `| ${r.workers} | ${r.seconds.toFixed(1)} | ${Math.round(r.eventsPerSecond).toLocaleString('en')} | ${(r.eventsPerSecond / one.eventsPerSecond).toFixed(2)}× | ${Math.round(r.lagP99Ms)} | ${r.lookupP99Us.toFixed(1)} |`,
  ),
  '',
  `Per worker process (one core) the measured rate is about ${Math.round(perCore).toLocaleString('en')} events/s end to end; at that rate 70,000 messages/s needs about ${cores(70_000)} worker cores and 300,000 about ${cores(300_000)} (docs/operations.md has the sizing table).`,
  '',
  'Method: `node --expose-gc --import tsx bench/scale.bench.ts` (`npm run bench -- scale`); ' +
    `${NATS_BINARY ? 'a private nats-server (file store in a temporary directory)' : 'the NATS server at 127.0.0.1:4222'}; the benchmark process itself routes (the ingest role's work) and samples lag from each worker's /v1/health every 100 ms ` +
    "(lag: age of the last applied message when it was applied). The decision column times a lookup of an account's risk in the replicated read model, which is what a decision on any instance adds for partitioned detection; HTTP and policy time are in the service section. " +
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, load average ${loadAtStart.toFixed(2)} at start; the router, NATS and the workers share these cores, so with more workers than cores the ratio measures contention, not the design.`,
];
console.log(JSON.stringify({ title: 'Partitioned detection (scale)', markdown: `${lines.join('\n')}\n` }));
