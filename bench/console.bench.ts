// Moderator console benchmark: server time of the review queue and the case view on PostgreSQL with
// 100,000 cases and 10,000,000 messages.
//
//   node --expose-gc --import tsx bench/console.bench.ts [requests-per-measurement]
//
// Seeds a fresh database (lifeguard_console_bench on the local server, dropped at the end). Messages are
// generated inside PostgreSQL (INSERT ... SELECT generate_series, secondary indexes built afterwards), cases
// in multi-row inserts from here. Then the real service (buildServer) answers console requests through
// app.inject, one at a time: the time is the server's own (routing, session check, queries, JSON), with
// no network in between. The goal is a queue page under 200 ms.
import pg from 'pg';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DetectionEngine } from '@lifeguard/core';
import { caseQueueFacts, openStorage, urgencyKey, type Storage } from '@lifeguard/storage';
import { postgresUnavailable, TEST_PG_URL } from '@lifeguard/storage/testing';
import { buildServer } from '@lifeguard/service';
import { createStaff } from '../packages/service/src/console/api.ts';

const REQUESTS = Number(process.argv[2] ?? 200);
const CASES = Number(process.env.LIFEGUARD_BENCH_CASES ?? 100_000);
const MESSAGES = Number(process.env.LIFEGUARD_BENCH_MESSAGES ?? 10_000_000);
const PER_CONVERSATION = 20;
const CONVERSATIONS = Math.ceil(MESSAGES / PER_CONVERSATION);
const DB = 'lifeguard_console_bench';
const TENANT = 'bench';
const HOUR = 3_600_000;
const T0 = Date.now() - 30 * 24 * HOUR;

function log(line: string) {
  process.stderr.write(`${line}\n`);
}

/** Benign chat lines with the kinds of indicators the detector looks for (no explicit text). */
const LINES = [
  'hey whats up',
  'not much, just finished homework',
  'how old are you',
  'im 13',
  'you seem really mature for your age',
  'do you play fortnite',
  'yeah every day after school',
  'i can get you vbucks if you want',
  'really? thanks',
  'dont tell your parents about us ok',
  'ok',
  'add me on snap its easier',
  'what is your snap',
  'are your parents home right now',
  'no they are at work',
  'you can trust me',
  'i like talking to you',
  'me too',
  'send me a pic of you',
  'i have to go now',
];
const SPANS: Record<number, { kind: string; stage: string; end: number }> = {
  2: { kind: 'age_probe', stage: 'risk_assessment', end: 15 },
  7: { kind: 'gift', stage: 'trust', end: 32 },
  9: { kind: 'secrecy', stage: 'isolation', end: 22 },
  11: { kind: 'platform_move', stage: 'platform_move', end: 14 },
  13: { kind: 'isolation', stage: 'isolation', end: 30 },
};

const adult = (c: number) => `adult${c}`;
const kid = (c: number) => `kid${c}`;
const messageTime = (c: number, k: number) => T0 + c * 20_000 + k * 60_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function seedMessages(db: pg.Client): Promise<void> {
  // Secondary indexes are built once after the load: far faster than maintaining them row by row.
  await db.query('ALTER TABLE events DROP CONSTRAINT events_tenant_id_id_key');
  await db.query('DROP INDEX events_tenant_seq, events_conversation, events_retention');
  const lines = `ARRAY[${LINES.map((l) => `'${l.replace(/'/g, "''")}'`).join(',')}]`;
  const chunk = 1_000_000;
  for (let from = 0; from < MESSAGES; from += chunk) {
    const to = Math.min(MESSAGES, from + chunk) - 1;
    const started = Date.now();
    await db.query(`
      INSERT INTO events (tenant_id, id, type, time_ms, received_at, conversation_id, body, text)
      SELECT '${TENANT}', 'm' || g, 'message', t, t, 'c' || c,
        '{"type":"message","id":"m' || g || '","time":' || t || ',"conversationId":"c' || c || '","senderId":"' || s || '","recipientIds":["' || r || '"]}',
        (${lines})[k + 1]
      FROM generate_series(${from}::bigint, ${to}::bigint) AS g,
        LATERAL (SELECT g::bigint / ${PER_CONVERSATION} AS c, g::bigint % ${PER_CONVERSATION} AS k) AS x,
        LATERAL (SELECT ${T0}::bigint + c * 20000 + k * 60000 AS t,
                        CASE WHEN k % 2 = 0 THEN 'adult' || c ELSE 'kid' || c END AS s,
                        CASE WHEN k % 2 = 0 THEN 'kid' || c ELSE 'adult' || c END AS r) AS y`);
    log(
      `  messages ${((to + 1) / 1e6).toFixed(0)}M of ${(MESSAGES / 1e6).toFixed(0)}M (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  }
  const started = Date.now();
  await db.query("SET maintenance_work_mem = '256MB'");
  await db.query('ALTER TABLE events ADD CONSTRAINT events_tenant_id_id_key UNIQUE (tenant_id, id)');
  await db.query('CREATE INDEX events_tenant_seq ON events(tenant_id, seq)');
  await db.query(
    'CREATE INDEX events_conversation ON events(tenant_id, conversation_id, time_ms) WHERE conversation_id IS NOT NULL',
  );
  await db.query(
    "CREATE INDEX events_retention ON events(tenant_id, time_ms) WHERE type = 'message' AND text IS NOT NULL",
  );
  log(`  message indexes built (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** Case i holds conversation i: the evidence the case manager would have copied (messages, report, ages). */
function caseRow(i: number, now: number) {
  const c = i;
  const childAge = 10 + (i % 8);
  const sextortion = i % 10 === 0;
  const messages = Array.from({ length: PER_CONVERSATION }, (_, k) => ({
    id: `m${c * PER_CONVERSATION + k}`,
    time: messageTime(c, k),
    senderId: k % 2 === 0 ? adult(c) : kid(c),
    recipientIds: [k % 2 === 0 ? kid(c) : adult(c)],
    text: LINES[k]!,
    textPurged: false,
    ...(k === 18 ? { attachments: [{ kind: 'image', ref: `media://bench/${c}` }] } : {}),
  }));
  const score = 0.5 + ((i * 7919) % 500) / 1000;
  const report = {
    conversationId: `c${c}`,
    score,
    level: score >= 0.8 ? 'critical' : score >= 0.65 ? 'high' : 'medium',
    stage: sextortion ? 'sextortion' : 'platform_move',
    stagesReached: ['trust', 'risk_assessment', 'isolation', 'platform_move'],
    sextortion: { leverage: sextortion, threat: sextortion, payment: sextortion, deadline: sextortion && i % 20 === 0 },
    suspectId: adult(c),
    targetId: kid(c),
    participants: [],
    messageCount: PER_CONVERSATION,
    firstAt: messageTime(c, 0),
    lastAt: messageTime(c, PER_CONVERSATION - 1),
    reasons: ['asks a child to keep the conversation secret', 'asks to move to another app', 'offers gifts to a child'],
    evidence: Object.entries(SPANS).map(([k, s]) => ({
      messageId: `m${c * PER_CONVERSATION + Number(k)}`,
      conversationId: `c${c}`,
      senderId: adult(c),
      time: messageTime(c, Number(k)),
      stage: s.stage,
      kind: s.kind,
      start: 0,
      end: s.end,
      excerpt: LINES[Number(k)]!.slice(0, s.end),
    })),
  };
  const evidence = {
    alerts: [],
    actor: null,
    conversations: { [`c${c}`]: { report, messages } },
    participants: [
      {
        userId: adult(c),
        age: 30 + (i % 20),
        ageSource: 'declared',
        isMinor: false,
        declaredAge: 30 + (i % 20),
        declaredAgeBand: null,
        country: 'GB',
      },
      {
        userId: kid(c),
        age: childAge,
        ageSource: 'declared',
        isMinor: true,
        declaredAge: childAge,
        declaredAgeBand: null,
        country: 'GB',
      },
    ],
  };
  // 60% open, 5% escalated, 2% appeals, the rest closed; opened over the last 30 days.
  const bucket = i % 100;
  const status = bucket < 62 ? 'open' : bucket < 67 ? 'escalated' : bucket < 84 ? 'actioned' : 'dismissed';
  const appeal = bucket >= 60 && bucket < 62;
  const openedAt = now - ((i * 104_729) % (30 * 24 * HOUR));
  const updatedAt = Math.min(now, openedAt + ((i * 31) % 48) * HOUR);
  const facts = caseQueueFacts({ score, accusedId: adult(c), evidence });
  const queue = status === 'open' ? (appeal ? 'appeals' : 'open') : status === 'escalated' ? 'escalated' : 'closed';
  const queueKey = queue === 'closed' ? updatedAt / HOUR : urgencyKey(facts.urgencyBase, openedAt);
  return [
    TENANT,
    `case${i}`,
    adult(c),
    status,
    report.level,
    score,
    JSON.stringify([`c${c}`]),
    JSON.stringify(evidence),
    openedAt,
    updatedAt,
    1,
    facts.urgencyBase,
    openedAt,
    queue,
    queueKey,
    facts.childAge,
    facts.sextortion ? 1 : 0,
    facts.sextortionDeadline ? 1 : 0,
    0,
    facts.stage,
    appeal ? 1 : 0,
    appeal ? 'staff_someone_else' : null,
    status === 'actioned' || status === 'dismissed' || appeal ? 'staff_someone_else' : null,
  ];
}

async function seedCases(db: pg.Client, now: number): Promise<void> {
  const columns = [
    'tenant_id',
    'id',
    'accused_id',
    'status',
    'level',
    'score',
    'conversation_ids',
    'evidence',
    'opened_at',
    'updated_at',
    'version',
    'urgency_base',
    'waiting_since',
    'queue',
    'queue_key',
    'child_age',
    'sextortion',
    'sextortion_deadline',
    'bank_match',
    'stage',
    'appeal',
    'excluded_reviewer',
    'decided_by',
  ];
  const batch = 1000;
  const started = Date.now();
  for (let from = 0; from < CASES; from += batch) {
    const rows = Array.from({ length: Math.min(batch, CASES - from) }, (_, j) => caseRow(from + j, now));
    const params: unknown[] = [];
    const tuples = rows.map((row) => `(${row.map((v) => `$${params.push(v)}`).join(', ')})`);
    await db.query(`INSERT INTO cases (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, params);
    await db.query(
      `INSERT INTO case_conversations (tenant_id, conversation_id, case_id) SELECT $1, 'c' || g, 'case' || g FROM generate_series($2::int, $3::int) g`,
      [TENANT, from, from + rows.length - 1],
    );
    if ((from + batch) % 20_000 === 0)
      log(`  cases ${from + batch} of ${CASES} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  await db.query(
    `INSERT INTO accounts (tenant_id, user_id, age, country, created_at, updated_at)
    SELECT $1, 'adult' || g, 30 + g % 20, 'GB', $2::bigint, $2::bigint FROM generate_series(0, $3::int - 1) g
    UNION ALL SELECT $1, 'kid' || g, 10 + g % 8, 'GB', $2::bigint, $2::bigint FROM generate_series(0, $3::int - 1) g`,
    [TENANT, T0 - 90 * 24 * HOUR, CASES],
  );
}

async function timed(
  n: number,
  fn: (i: number) => Promise<void>,
  before?: (i: number) => Promise<void>,
): Promise<{ p50: number; p99: number; mean: number }> {
  for (let i = 0; i < Math.min(10, n); i++) await fn(i); // warm-up
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    await before?.(i);
    const t = process.hrtime.bigint();
    await fn(i);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    p50: round(percentile(times, 50)),
    p99: round(percentile(times, 99)),
    mean: round(times.reduce((a, b) => a + b, 0) / n),
  };
}

const unavailable = await postgresUnavailable();
if (unavailable) {
  console.log(
    JSON.stringify({
      title: 'Moderator console',
      markdown: `### Moderator console: queue and case view at 100,000 cases\n\nNot measured: ${unavailable}.`,
    }),
  );
  process.exit(0);
}

const adminUrl = new URL(TEST_PG_URL);
adminUrl.pathname = '/postgres';
const benchUrl = new URL(TEST_PG_URL);
benchUrl.pathname = `/${DB}`;
const admin = new pg.Client({ connectionString: adminUrl.toString() });
await admin.connect();
// LIFEGUARD_BENCH_REUSE=1 (while working on the console) measures a database left by an earlier run
// and keeps it; the default seeds afresh and drops it.
const reuse =
  process.env.LIFEGUARD_BENCH_REUSE === '1' &&
  (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB])).rowCount === 1;
if (!reuse) {
  await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.query(`CREATE DATABASE ${DB}`);
}

const uiDir = mkdtempSync(join(tmpdir(), 'lifeguard-console-bench-'));
writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>console</title>');
let storage: Storage | null = null;
let db: pg.Client | null = null;
let markdown = '';
try {
  storage = await openStorage({ database: benchUrl.toString() });
  db = new pg.Client({ connectionString: benchUrl.toString() });
  await db.connect();
  const seedStarted = Date.now();
  if (!reuse) {
    await storage.createTenant(TENANT, 'Bench Social');
    await db.query('SET synchronous_commit = off');
    const now = Date.now();
    log(
      `seeding ${MESSAGES.toLocaleString('en-US')} messages in ${CONVERSATIONS.toLocaleString('en-US')} conversations`,
    );
    await seedMessages(db);
    log(`seeding ${CASES.toLocaleString('en-US')} cases`);
    await seedCases(db, now);
    // What autovacuum does after a bulk load (statistics, visibility map for index-only counts).
    await db.query('VACUUM (ANALYZE) cases');
    await db.query('ANALYZE');
  }
  const seedSeconds = reuse ? 0 : Math.round((Date.now() - seedStarted) / 1000);
  const size = (await db.query('SELECT pg_size_pretty(pg_database_size(current_database())) AS s')).rows[0].s as string;
  log(`seeded in ${seedSeconds} s; database ${size}`);
  // The live detector's state is not what is measured: start it from an empty snapshot at the stream's end
  // (in production it restores from its own latest snapshot instead of replaying 10 million messages).
  const maxSeq = await storage.maxSeq(TENANT);
  await storage.saveSnapshot(TENANT, {
    seq: maxSeq,
    createdAt: Date.now(),
    data: JSON.stringify(new DetectionEngine().snapshot()),
  });

  if (!(await storage.staffCredentials(TENANT, 'bench@bench.example'))) {
    await createStaff(
      { storage },
      TENANT,
      { email: 'bench@bench.example', name: 'Bench Specialist', role: 'specialist', password: 'bench password 123' },
      { system: 'bench' },
    );
  }
  const app = await buildServer({
    storage,
    webhooks: false,
    retention: { messageTextDays: 30, intervalMs: 0 },
    console: { dir: uiDir },
  });
  await app.ready();
  try {
    const signin = await app.inject({
      method: 'POST',
      url: '/console/api/session',
      payload: { tenant: TENANT, email: 'bench@bench.example', password: 'bench password 123' },
    });
    const cookie = String(signin.headers['set-cookie']).split(';')[0]!;
    const get = async (url: string) => {
      const res = await app.inject({ method: 'GET', url, headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      return res;
    };
    const counts = (await get('/console/api/queue?view=open&limit=1')).json().counts as Record<string, number>;
    const deepRow = (
      await db.query(
        "SELECT queue_key, id FROM cases WHERE tenant_id = $1 AND queue = 'open' ORDER BY queue_key DESC, id DESC OFFSET $2 LIMIT 1",
        [TENANT, Math.floor(counts.open! * 0.8)],
      )
    ).rows[0];
    const deepCursor = Buffer.from(JSON.stringify([Number(deepRow.queue_key), String(deepRow.id)])).toString(
      'base64url',
    );
    const plan =
      (
        await db.query(
          `EXPLAIN SELECT id FROM cases WHERE tenant_id = 'bench' AND queue = 'open' AND (queue_key, id) < (${Number(deepRow.queue_key)}, '${deepRow.id}') ORDER BY queue_key DESC, id DESC LIMIT 50`,
        )
      ).rows
        .map((r) => String(r['QUERY PLAN']))
        .find((l) => /Index/.test(l))
        ?.trim() ?? 'no index in the plan';

    log(`measuring ${REQUESTS} requests each`);
    const first = await timed(REQUESTS, async () => void (await get('/console/api/queue?view=open&limit=50')));
    // A change made through the console clears the cached counts: the next page counts every view again.
    const csrf = signin.json().csrfToken as string;
    const anyCase = (await db.query("SELECT id FROM cases WHERE tenant_id = $1 AND queue = 'open' LIMIT 1", [TENANT]))
      .rows[0].id as string;
    const recount = await timed(
      Math.min(REQUESTS, 100),
      async () => void (await get('/console/api/queue?view=open&limit=50')),
      async () => {
        await app.inject({
          method: 'POST',
          url: `/console/api/cases/${anyCase}/notes`,
          headers: { cookie, 'x-csrf-token': csrf },
          payload: { note: 'bench note' },
        });
      },
    );
    const deep = await timed(
      REQUESTS,
      async () => void (await get(`/console/api/queue?view=open&limit=50&cursor=${deepCursor}`)),
    );
    const closed = await timed(REQUESTS, async () => void (await get('/console/api/queue?view=closed&limit=50')));
    const openIds = (
      await db.query("SELECT id FROM cases WHERE tenant_id = $1 AND queue = 'open' ORDER BY random() LIMIT $2", [
        TENANT,
        REQUESTS + 10,
      ])
    ).rows.map((r) => String(r.id));
    let caseBytes = 0;
    const view = await timed(REQUESTS, async (i) => {
      caseBytes = (await get(`/console/api/cases/${openIds[i % openIds.length]}`)).body.length;
    });
    const n = (x: number) => x.toLocaleString('en-US');
    markdown = [
      '### Moderator console: queue and case view at 100,000 cases',
      '',
      '| request | p50 (ms) | p99 (ms) | mean (ms) |',
      '|---|---:|---:|---:|',
      `| queue, first page (50 most urgent open cases) | ${first.p50} | ${first.p99} | ${first.mean} |`,
      `| queue, first page right after a change (all counts recomputed) | ${recount.p50} | ${recount.p99} | ${recount.mean} |`,
      `| queue, deep page (cursor 80% down the ${n(counts.open!)} open cases) | ${deep.p50} | ${deep.p99} | ${deep.mean} |`,
      `| queue, closed cases (most recent first) | ${closed.p50} | ${closed.p99} | ${closed.mean} |`,
      `| case view (random open case; evidence, timeline replay, people, audit; writes its case.read entry) | ${view.p50} | ${view.p99} | ${view.mean} |`,
      '',
      'Goal: a queue page under 200 ms of server time.',
      '',
      `Method: PostgreSQL 15 on localhost, a fresh database holding ${n(CASES)} cases (62% open, 5% escalated, 2% appeals, the rest closed; ` +
        `each with the evidence the case manager copies: ${PER_CONVERSATION} messages, the report with its spans, both participants) and ${n(MESSAGES)} messages ` +
        `in ${n(CONVERSATIONS)} conversations; ${size} on disk, seeded in ${seedSeconds} s (then VACUUM ANALYZE, as autovacuum does after a bulk load). The open/escalated/appeals counts are cached for 5 s per tenant (each is a count over its queue view), so most queue pages count only the user's own claims. Each figure is ${REQUESTS} requests one after another through ` +
        "the real service (`buildServer`, signed-in specialist, session and CSRF checks included) with `app.inject`, so the time is the server's own: routing, session lookup, " +
        `queries and JSON, no network. The queue query plan: \`${plan}\`. A case view answer is about ${n(Math.round(caseBytes / 1024))} KiB. ` +
        'Command: `npm run bench -- console`. The database is dropped afterwards.',
    ].join('\n');
  } finally {
    await app.close();
  }
} finally {
  await db?.end().catch(() => {});
  await storage?.close();
  rmSync(uiDir, { recursive: true, force: true });
  if (!reuse)
    await admin
      .query(`DROP DATABASE IF EXISTS ${DB}`)
      .catch((err) => log(`could not drop ${DB}: ${(err as Error).message}`));
  await admin.end();
}
console.log(JSON.stringify({ title: 'Moderator console: queue and case view', markdown }));
