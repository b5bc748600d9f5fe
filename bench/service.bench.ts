// Service benchmark: ingestion throughput over HTTP (batches of 100 messages, durably stored) and the
// latency of the contact decision while that load runs, on SQLite and on PostgreSQL.
//
//   node --expose-gc --import tsx bench/service.bench.ts [seconds-per-run]
//
// The server is the real `serve` command in its own process; the load generator is autocannon in this
// process, so on a 2-core machine each gets about one core. Message text comes from the benign chat
// corpora in ../shared/corpora (synthetic sentences if they are absent).
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, type Storage } from '@lifeguard/storage';
import { postgresUnavailable, testSchemaName, dropSchema, TEST_PG_URL } from '@lifeguard/storage/testing';
import { createKey } from '@lifeguard/service';
import type { LifeguardEvent } from '@lifeguard/core';
import { corporaRoot, loadTopicalChat, topicalChatEvents } from './corpora.ts';

// autocannon ships no type declarations; this is the part of its API used here.
interface CannonRequest {
  method: 'POST' | 'GET';
  path: string;
  headers: Record<string, string>;
  setupRequest?: (req: Record<string, unknown>) => Record<string, unknown>;
}
interface CannonResult {
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p99: number; mean: number; max: number };
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string;
  connections: number;
  duration: number;
  overallRate?: number;
  requests: CannonRequest[];
}) => Promise<CannonResult>;

const root = new URL('..', import.meta.url).pathname;
const SECONDS = Number(process.argv[2] ?? 15);
const BATCH = 100;
const INGEST_CONNECTIONS = 8;
const DECISION_RATE = 200; // contact decisions per second while ingesting
const GOAL_RATE = 20_000; // messages per second, the throughput goal
const USERS = 2_000;

function log(line: string) {
  process.stderr.write(`${line}\n`);
}

function corpusTexts(): string[] {
  const dir = corporaRoot();
  if (dir) {
    const texts = topicalChatEvents(loadTopicalChat(dir))
      .map((e) => e.text)
      .filter((t) => t.length > 0 && t.length < 2000);
    if (texts.length > 1000) return texts.slice(0, 20_000);
  }
  return Array.from(
    { length: 1000 },
    (_, i) => `ordinary message number ${i} about school, football and what is for dinner`,
  );
}

/** Accounts (half children) and a friendship graph, written straight to the store before the server starts. */
async function seed(storage: Storage): Promise<void> {
  const t = Date.now() - 86_400_000;
  const events: LifeguardEvent[] = [];
  for (let u = 0; u < USERS; u++)
    events.push({
      type: 'account',
      id: `acc-${u}`,
      time: t,
      userId: `u${u}`,
      age: u % 2 ? 14 : 30,
      country: u % 3 ? 'GB' : 'DE',
    });
  for (let u = 0; u < USERS; u++) {
    for (const d of [1, 2, 7])
      events.push({
        type: 'contact',
        id: `f-${u}-${d}`,
        time: t + 1,
        action: 'friend_accept',
        actorId: `u${u}`,
        targetId: `u${(u + d * 2) % USERS}`,
      });
  }
  for (let i = 0; i < events.length; i += 1000) await storage.appendEvents('bench', events.slice(i, i + 1000), t);
}

interface Server {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
}

async function startServer(database: string, sqliteSync: 'full' | 'normal'): Promise<Server> {
  // LIFEGUARD_BENCH_NODE_ARGS passes extra flags to the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env.LIFEGUARD_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [
      ...extra,
      '--import',
      'tsx',
      join(root, 'packages/service/bin/lifeguard-service.ts'),
      'serve',
      '--database',
      database,
      '--port',
      '0',
      '--log-level',
      'error',
      '--no-webhooks',
      '--sqlite-sync',
      sqliteSync,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  return { child, url, exited };
}

interface RunResult {
  store: string;
  /** Run A: unthrottled. */
  messagesPerSecond: number;
  ingestP50: number;
  ingestP99: number;
  decisionP50: number;
  decisionP99: number;
  /** Run B: ingestion held at GOAL_RATE. */
  goalMessagesPerSecond: number;
  goalDecisionP50: number;
  goalDecisionP99: number;
  idleDecisionP50: number;
  idleDecisionP99: number;
  acked: number;
  stored: number;
  ingestErrors: number;
  decisionErrors: number;
  /** Server event-loop delay p99 over the whole session (ms). */
  loopDelayP99: number;
}

async function measure(
  label: string,
  database: string,
  sqliteSync: 'full' | 'normal',
  texts: string[],
): Promise<RunResult> {
  const setup = await openStorage({ database });
  await seed(setup);
  const ingestKey = (await createKey(setup, 'bench', 'bench ingest', ['ingest'])).key;
  const decideKey = (await createKey(setup, 'bench', 'bench decide', ['decide'])).key;
  const before = await setup.countEvents('bench');
  await setup.close();

  const server = await startServer(database, sqliteSync);
  let batchNo = 0;
  let textNo = 0;
  const base = Date.now() - 3_600_000;
  const ingestBody = () => {
    const b = batchNo++;
    const parts: string[] = new Array(BATCH);
    for (let i = 0; i < BATCH; i++) {
      const sender = (b * 7 + i) % USERS;
      const recipient = (sender + 2) % USERS;
      const text = texts[textNo++ % texts.length]!;
      parts[i] =
        `{"type":"message","id":"${label}-${b}-${i}","time":${base + b * 10 + (i % 10)},"conversationId":"c${Math.min(sender, recipient)}-${Math.max(sender, recipient)}","senderId":"u${sender}","recipientIds":["u${recipient}"],"text":${JSON.stringify(text)}}`;
    }
    return `{"events":[${parts.join(',')}]}`;
  };
  let pair = 0;
  const decisionBody = () => {
    const s = (pair * 13) % USERS;
    const r = (s + (pair++ % 3 === 0 ? 2 : 501)) % USERS; // a third connected, the rest strangers
    return `{"senderId":"u${s}","recipientId":"u${r}"}`;
  };
  const decisionRequest: CannonRequest = {
    method: 'POST',
    path: '/v1/decisions/contact',
    headers: { authorization: `Bearer ${decideKey}`, 'content-type': 'application/json' },
    setupRequest: (req) => ({ ...req, body: decisionBody() }),
  };

  const ingestRequest: CannonRequest = {
    method: 'POST',
    path: '/v1/events',
    headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
    setupRequest: (req) => ({ ...req, body: ingestBody() }),
  };
  // Warm-up (JIT, connection pools, caches), not counted; then decision latency with no other load.
  await autocannon({
    url: server.url,
    connections: 2,
    duration: 2,
    overallRate: DECISION_RATE,
    requests: [decisionRequest],
  });
  const warm = await autocannon({
    url: server.url,
    connections: INGEST_CONNECTIONS,
    duration: 3,
    requests: [ingestRequest],
  });
  const idle = await autocannon({
    url: server.url,
    connections: 2,
    duration: 4,
    overallRate: DECISION_RATE,
    requests: [decisionRequest],
  });

  // A: as fast as the server takes it, with decisions alongside (throughput; latency at saturation).
  log(
    `${label}: ingesting flat out for ${SECONDS} s with ${INGEST_CONNECTIONS} connections, ${DECISION_RATE} contact decisions/s alongside`,
  );
  const [ingest, decide] = await Promise.all([
    autocannon({ url: server.url, connections: INGEST_CONNECTIONS, duration: SECONDS, requests: [ingestRequest] }),
    autocannon({
      url: server.url,
      connections: 4,
      duration: SECONDS,
      overallRate: DECISION_RATE,
      requests: [decisionRequest],
    }),
  ]);
  // B: ingestion held at the goal rate (20,000 messages/s), decisions alongside (latency at that load).
  log(
    `${label}: ingesting at ${GOAL_RATE} messages/s for ${SECONDS} s, ${DECISION_RATE} contact decisions/s alongside`,
  );
  const [goalIngest, goalDecide] = await Promise.all([
    autocannon({
      url: server.url,
      connections: INGEST_CONNECTIONS,
      duration: SECONDS,
      overallRate: GOAL_RATE / BATCH,
      requests: [ingestRequest],
    }),
    autocannon({
      url: server.url,
      connections: 4,
      duration: SECONDS,
      overallRate: DECISION_RATE,
      requests: [decisionRequest],
    }),
  ]);
  const health = (await (await fetch(`${server.url}/healthz`)).json()) as {
    eventLoopDelayMs: { p50: number; p99: number; max: number };
  };
  server.child.kill('SIGTERM');
  await server.exited;

  const check = await openStorage({ database });
  const stored = (await check.countEvents('bench')) - before;
  await check.close();
  const acked = (ingest['2xx'] + goalIngest['2xx'] + warm['2xx']) * BATCH;
  const result: RunResult = {
    store: label,
    messagesPerSecond: Math.round((ingest['2xx'] * BATCH) / SECONDS),
    ingestP50: ingest.latency.p50,
    ingestP99: ingest.latency.p99,
    acked,
    stored,
    ingestErrors:
      ingest.non2xx + ingest.errors + ingest.timeouts + goalIngest.non2xx + goalIngest.errors + goalIngest.timeouts,
    decisionP50: decide.latency.p50,
    decisionP99: decide.latency.p99,
    goalMessagesPerSecond: Math.round((goalIngest['2xx'] * BATCH) / SECONDS),
    goalDecisionP50: goalDecide.latency.p50,
    goalDecisionP99: goalDecide.latency.p99,
    decisionErrors:
      decide.non2xx + decide.errors + decide.timeouts + goalDecide.non2xx + goalDecide.errors + goalDecide.timeouts,
    idleDecisionP50: idle.latency.p50,
    idleDecisionP99: idle.latency.p99,
    loopDelayP99: health.eventLoopDelayMs.p99,
  };
  log(JSON.stringify(result));
  return result;
}

const texts = corpusTexts();
const results: RunResult[] = [];
const dir = mkdtempSync(join(tmpdir(), 'lifeguard-bench-'));
const only = process.env.LIFEGUARD_BENCH_STORES; // e.g. "sqlite" to measure one store while tuning
const wanted = (store: string) => !only || only.split(',').includes(store);
try {
  if (wanted('sqlite'))
    results.push(await measure('SQLite (synchronous=FULL, default)', join(dir, 'full.db'), 'full', texts));
  if (wanted('sqlite-normal'))
    results.push(await measure('SQLite (synchronous=NORMAL)', join(dir, 'normal.db'), 'normal', texts));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const pgUnavailable = wanted('postgres') ? await postgresUnavailable() : 'not selected';
if (pgUnavailable) {
  log(`skipping PostgreSQL: ${pgUnavailable}`);
} else {
  const schema = testSchemaName();
  try {
    results.push(await measure('PostgreSQL 15 (localhost)', `${TEST_PG_URL}?schema=${schema}`, 'full', texts));
  } finally {
    await dropSchema(schema);
  }
}

const n = (x: number) => x.toLocaleString('en-US');
const markdown = [
  '### Service: ingestion over HTTP and contact-decision latency',
  '',
  '| store | messages/s ingested, flat out (batches of 100) | ingest request p50 / p99 (ms) | contact decision p50 / p99 at that load (ms) | contact decision p50 / p99 with ingestion at 20,000 messages/s (ms) | decision p50 / p99 with no ingestion (ms) | acknowledged events found stored | errors |',
  '|---|---:|---:|---:|---:|---:|---|---:|',
  ...results.map(
    (r) =>
      `| ${r.store} | ${n(r.messagesPerSecond)} | ${r.ingestP50} / ${r.ingestP99} | ${r.decisionP50} / ${r.decisionP99} | ${r.goalDecisionP50} / ${r.goalDecisionP99} (at ${n(r.goalMessagesPerSecond)}/s) | ${r.idleDecisionP50} / ${r.idleDecisionP99} | ${r.stored >= r.acked ? `all ${n(r.acked)}` : `${n(r.stored)} of ${n(r.acked)}`} | ${r.ingestErrors + r.decisionErrors} |`,
  ),
  '',
  'Goals: ≥ 20,000 messages/s durably stored, in batches of 100, on SQLite and on PostgreSQL; contact decision p99 < 10 ms under that load.',
  '',
  `Method: the real \`serve\` process (detector, case handling and storage; webhooks off) with ${n(USERS)} seeded accounts and ${n(USERS * 3)} friendships; ` +
    `load generator autocannon 9 in a second process on the same 2-core machine, ${INGEST_CONNECTIONS} connections posting batches of 100 messages of real chat text (Topical-Chat) with time-ordered ids, ` +
    `plus ${DECISION_RATE} contact decisions/s on 4 more connections. Per store: warm-up, ${SECONDS} s flat out, then ${SECONDS} s with ingestion held at 20,000 messages/s. ` +
    'A request counts only when answered 2xx, which the server sends after the commit; the stored count is read back from the database afterwards. ' +
    `Server event-loop delay p99 over the session: ${results.map((r) => `${r.store.split(' ')[0]} ${r.loopDelayP99} ms`).join(', ')}.`,
].join('\n');
console.log(JSON.stringify({ title: 'Service: ingestion and decisions', markdown }));
