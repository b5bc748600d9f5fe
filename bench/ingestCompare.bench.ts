// Ingestion before and after, in one run: the same service load (serviceLoad.ts) against `serve` from an
// earlier checkout and from this one, alternating, on SQLite (synchronous=FULL) and PostgreSQL. On a
// shared, noisy machine only the ratio measured side by side means much.
//
//   LIFEGUARD_BENCH_BASELINE=<checkout> node --expose-gc --import tsx bench/ingestCompare.bench.ts [seconds] [rounds]
//   LIFEGUARD_BENCH_BASELINE=<checkout> LIFEGUARD_BENCH_ROUNDS=2 npm run bench -- ingestCompare
//
// The baseline checkout needs its own node_modules (copied, so its workspace links point at its own
// packages): git worktree add --detach ../lg-before <commit> && cp -a node_modules ../lg-before/ &&
// cp -a packages/service/node_modules ../lg-before/packages/service/. Without it only this checkout runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { postgresUnavailable, testSchemaName, dropSchema, TEST_PG_URL } from '@lifeguard/storage/testing';
import { corpusTexts, DECISION_RATE, log, measure, type RunResult } from './serviceLoad.ts';

const SECONDS = Number(process.argv[2] ?? 8);
// Few clients that each wait for their answer, and many at once (where committing and feeding overlap).
const CONNECTIONS = (process.env.LIFEGUARD_BENCH_CONNECTIONS ?? '8,32').split(',').map(Number);
const ROUNDS = Number(process.argv[3] ?? process.env.LIFEGUARD_BENCH_ROUNDS ?? 1); // the env form for npm run bench
const root = new URL('..', import.meta.url).pathname;
const baseline = process.env.LIFEGUARD_BENCH_BASELINE ? resolve(process.env.LIFEGUARD_BENCH_BASELINE) : null;
const commitOf = (dir: string) =>
  execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();

type Version = 'before' | 'after';
const versions: [Version, string][] = baseline
  ? [
      ['before', baseline],
      ['after', root],
    ]
  : [['after', root]];

const texts = corpusTexts();
const runs: { store: string; version: Version; result: RunResult }[] = [];
const only = process.env.LIFEGUARD_BENCH_STORES; // "sqlite" or "postgres" to measure one store
const pgUnavailable = only && !only.includes('postgres') ? 'not selected' : await postgresUnavailable();
const sqliteWanted = !only || only.includes('sqlite');
if (pgUnavailable) log(`skipping PostgreSQL: ${pgUnavailable}`);

for (let round = 0; round < ROUNDS; round++) {
  // Alternate the order each round so neither version always runs on a warmer (or busier) machine.
  const order = round % 2 === 0 ? versions : [...versions].reverse();
  for (const connections of CONNECTIONS) {
    for (const [version, serverRoot] of order) {
      const tag = `${version}-${connections}c-${round}`;
      if (sqliteWanted) {
        const dir = mkdtempSync(join(tmpdir(), 'lifeguard-compare-'));
        try {
          const db = join(dir, 'full.db');
          const result = await measure(`sqlite-${tag}`, db, 'full', texts, SECONDS, serverRoot, connections);
          runs.push({ store: `SQLite (synchronous=FULL), ${connections} ingest clients`, version, result });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
      if (pgUnavailable) continue;
      const schema = testSchemaName();
      try {
        const url = `${TEST_PG_URL}?schema=${schema}`;
        const result = await measure(`pg-${tag}`, url, 'full', texts, SECONDS, serverRoot, connections);
        runs.push({ store: `PostgreSQL 15 (synchronous_commit=on), ${connections} ingest clients`, version, result });
      } finally {
        await dropSchema(schema);
      }
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const n = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const of = (store: string, version: Version, pick: (r: RunResult) => number) =>
  median(runs.filter((r) => r.store === store && r.version === version).map((r) => pick(r.result)));
const ratio = (after: number, before: number) => (before > 0 && after > 0 ? `${(after / before).toFixed(2)}×` : '–');
const stores = [...new Set(runs.map((r) => r.store))];
const lost = runs.filter((r) => r.result.stored < r.result.acked);
const errors = runs.reduce((sum, r) => sum + r.result.ingestErrors + r.result.decisionErrors, 0);

const markdown = [
  '### Ingestion before and after (one run, side by side)',
  '',
  '| store | messages/s flat out: before / after (ratio) | service process CPU per 1,000 messages flat out (ms): before / after (before ÷ after) | ingest request p99 (ms): before / after | contact decision p99 while ingesting flat out (ms): before / after | decision p99 with ingestion at 20,000/s (ms): before / after | decision p99, no ingestion (ms): before / after |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...stores.map((s) => {
    const mps = (v: Version) => of(s, v, (r) => r.messagesPerSecond);
    const pair = (pick: (r: RunResult) => number) => `${n(of(s, 'before', pick))} / ${n(of(s, 'after', pick))}`;
    const cpu = (v: Version) => of(s, v, (r) => r.cpuMsPer1000);
    return `| ${s} | ${n(mps('before'))} / ${n(mps('after'))} (${ratio(mps('after'), mps('before'))}) | ${cpu('before').toFixed(1)} / ${cpu('after').toFixed(1)} (${ratio(cpu('before'), cpu('after'))}) | ${pair((r) => r.ingestP99)} | ${pair((r) => r.decisionP99)} | ${pair((r) => r.goalDecisionP99)} | ${pair((r) => r.idleDecisionP99)} |`;
  }),
  '',
  `Before: \`serve\` from ${baseline ? `commit ${commitOf(baseline)}` : '(no baseline given: LIFEGUARD_BENCH_BASELINE unset)'}; after: commit ${commitOf(root)} (with any uncommitted changes). ` +
    `Medians of ${ROUNDS} round(s), each ${SECONDS} s flat out then ${SECONDS} s at 20,000 messages/s, versions alternating, on the same machine in one run; ` +
    `${CONNECTIONS.join(' and ')} ingest connections (one client each, waiting for its answer before sending again) posting batches of 100, and ${DECISION_RATE} contact decisions/s alongside (method as in the service section). ` +
    'Service process CPU: user + system time of the `serve` process (all its threads; not the PostgreSQL server) during the flat-out run per 1,000 messages acknowledged; other work on the machine disturbs it less than messages/s, though the 200 decisions/s are in it too. ' +
    `Acknowledged events found stored afterwards: ${lost.length === 0 ? 'all, in every run' : `MISSING in ${lost.map((r) => r.result.store).join(', ')}`}; errors: ${errors}.`,
  '',
  'Goals (issue 12): ≥ 50,000 messages/s durably stored on each store on this 2-core machine; contact decision p99 < 5 ms while ingesting.',
  '',
  'Command: `LIFEGUARD_BENCH_BASELINE=<checkout of the before commit> LIFEGUARD_BENCH_ROUNDS=2 npm run bench -- ingestCompare`. Profiling: `LIFEGUARD_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" LIFEGUARD_BENCH_STORES=sqlite node --expose-gc --import tsx bench/service.bench.ts 8` writes one profile per thread of the `serve` process (main thread and SQLite writer); the flat-out run is the stretch of seconds where the main thread is busiest. ' +
    "What issue 12 changed after profiling: contact decisions on SQLite read a user's connections through the partial indexes on both sides (one side scanned every connection of the tenant, about a fifth of the service thread while ingesting); safety prompts recorded by decisions share commits (one fsync'd commit per decision took a sixth of the SQLite writer thread); SQLite inserts 64 events per statement; plainly valid message and contact events skip zod; feeding the engine yields by time and takes a fair share beside busy decisions. " +
    'Tried and dropped: a PostgreSQL message batch as one statement in one round trip (0.71× as many messages/s side by side, though a lone append took no longer); events to the writer thread as JSON text rather than structured clone (no faster).',
].join('\n');
console.log(JSON.stringify({ title: 'Ingestion before and after', markdown }));
