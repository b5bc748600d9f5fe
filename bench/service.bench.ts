// Service benchmark: ingestion throughput over HTTP (batches of 100 messages, durably stored) and the
// latency of the contact decision while that load runs, on SQLite and on PostgreSQL.
//
//   node --expose-gc --import tsx bench/service.bench.ts [seconds-per-run]
//
// The load run itself is in serviceLoad.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresUnavailable, testSchemaName, dropSchema, TEST_PG_URL } from '@lifeguard/storage/testing';
import { corpusTexts, DECISION_RATE, INGEST_CONNECTIONS, log, measure, USERS, type RunResult } from './serviceLoad.ts';

const SECONDS = Number(process.argv[2] ?? 15);

const texts = corpusTexts();
const results: RunResult[] = [];
const dir = mkdtempSync(join(tmpdir(), 'lifeguard-bench-'));
const only = process.env.LIFEGUARD_BENCH_STORES; // e.g. "sqlite" to measure one store while tuning
const wanted = (store: string) => !only || only.split(',').includes(store);
try {
  if (wanted('sqlite'))
    results.push(await measure('SQLite (synchronous=FULL, default)', join(dir, 'full.db'), 'full', texts, SECONDS));
  if (wanted('sqlite-normal'))
    results.push(await measure('SQLite (synchronous=NORMAL)', join(dir, 'normal.db'), 'normal', texts, SECONDS));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const pgUnavailable = wanted('postgres') ? await postgresUnavailable() : 'not selected';
if (pgUnavailable) {
  log(`skipping PostgreSQL: ${pgUnavailable}`);
} else {
  const schema = testSchemaName();
  try {
    results.push(await measure('PostgreSQL 15 (localhost)', `${TEST_PG_URL}?schema=${schema}`, 'full', texts, SECONDS));
  } finally {
    await dropSchema(schema);
  }
}

const n = (x: number) => x.toLocaleString('en-US');
const markdown = [
  '### Service: ingestion over HTTP and contact-decision latency',
  '',
  '| store | messages/s ingested, flat out (batches of 100) | ingest request p50 / p99 (ms) | contact decision p50 / p99 at that load (ms) | contact decision p50 / p99 with ingestion at 20,000 messages/s (ms) | decision p50 / p99 with no ingestion (ms) | service CPU per 1,000 messages flat out (ms) | acknowledged events found stored | errors |',
  '|---|---:|---:|---:|---:|---:|---:|---|---:|',
  ...results.map(
    (r) =>
      `| ${r.store} | ${n(r.messagesPerSecond)} | ${r.ingestP50} / ${r.ingestP99} | ${r.decisionP50} / ${r.decisionP99} | ${r.goalDecisionP50} / ${r.goalDecisionP99} (at ${n(r.goalMessagesPerSecond)}/s) | ${r.idleDecisionP50} / ${r.idleDecisionP99} | ${r.cpuMsPer1000} | ${r.stored >= r.acked ? `all ${n(r.acked)}` : `${n(r.stored)} of ${n(r.acked)}`} | ${r.ingestErrors + r.decisionErrors} |`,
  ),
  '',
  'Goals: ≥ 20,000 messages/s durably stored, in batches of 100, on SQLite and on PostgreSQL; contact decision p99 < 10 ms under that load. Issue 12 raises them to ≥ 50,000 messages/s and a decision p99 < 5 ms while ingesting flat out.',
  '',
  `Method: the real \`serve\` process (detector, case handling and storage; webhooks off) with ${n(USERS)} seeded accounts and ${n(USERS * 3)} friendships; ` +
    `load generator autocannon 9 in a second process on the same 2-core machine, ${INGEST_CONNECTIONS} connections posting batches of 100 messages of real chat text (Topical-Chat) with time-ordered ids, ` +
    `plus ${DECISION_RATE} contact decisions/s on 4 more connections. Per store: warm-up, ${SECONDS} s flat out, then ${SECONDS} s with ingestion held at 20,000 messages/s. ` +
    'A request counts only when answered 2xx, which the server sends after the commit; the stored count is read back from the database afterwards. ' +
    'Service CPU: user + system time of the `serve` process (all its threads; not the PostgreSQL server) during the flat-out run, per 1,000 messages acknowledged. ' +
    `Server event-loop delay p99 over the session: ${results.map((r) => `${r.store.split(' ')[0]} ${r.loopDelayP99} ms`).join(', ')}.`,
].join('\n');
console.log(JSON.stringify({ title: 'Service: ingestion and decisions', markdown }));
