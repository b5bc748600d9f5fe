// Family Centre benchmark: the parent view for a busy teen (2,000 connections, 50,000 messages in the
// last 7 days, safety prompts and settings) over the real HTTP route (auth, storage, audit entry, JSON),
// on SQLite (file, durable commits) and on PostgreSQL when one is reachable. In the same run and on the
// same data, requests alternate with the view as it was computed before migration 15 (previousView.ts),
// so the speed-up is a ratio measured under the same load.
//
//   node --expose-gc --import tsx bench/family.bench.ts [requests]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LifeguardEvent } from '@lifeguard/core';
import { openStorage, type Storage } from '@lifeguard/storage';
import { dropSchema, postgresUnavailable, testSchemaName, TEST_PG_URL } from '@lifeguard/storage/testing';
import { buildServer, createKey } from '@lifeguard/service';
import { previousView } from './family/previousView.ts';

const REQUESTS = Number(process.argv[2] ?? 400);
const CONNECTIONS = 2_000;
const MESSAGES = 50_000;
const DAY = 86_400_000;
const GOAL_MS = 50;

function log(line: string) {
  process.stderr.write(`${line}\n`);
}

/** The teen, the parent, 2,000 friends and 50,000 messages spread over the last 7 days. */
async function seed(storage: Storage, now: number): Promise<void> {
  await storage.createTenant('bench', 'Bench');
  const events: LifeguardEvent[] = [
    { type: 'account', id: 'a-teen', time: now - 30 * DAY, userId: 'teen', age: 15, country: 'GB' },
    { type: 'account', id: 'a-parent', time: now - 30 * DAY, userId: 'parent', age: 45, country: 'GB' },
  ];
  for (let i = 0; i < CONNECTIONS; i++) {
    events.push({
      type: 'account',
      id: `a-${i}`,
      time: now - 30 * DAY,
      userId: `friend${i}`,
      age: i % 10 === 0 ? 30 : 15,
      country: 'GB',
    });
    // A tenth of the connections are new this week.
    events.push({
      type: 'contact',
      id: `f-${i}`,
      time: now - (i % 10 === 0 ? 2 : 20) * DAY + i,
      action: 'friend_accept',
      actorId: 'teen',
      targetId: `friend${i}`,
    });
  }
  for (let i = 0; i < MESSAGES; i++) {
    const friend = `friend${(i * 7919) % CONNECTIONS}`;
    const out = i % 2 === 0;
    events.push({
      type: 'message',
      id: `m-${i}`,
      time: now - 7 * DAY + 60_000 + Math.floor((i / MESSAGES) * (7 * DAY - 120_000)),
      conversationId: `dm-${friend}`,
      senderId: out ? 'teen' : friend,
      recipientIds: [out ? friend : 'teen'],
      text: `see you at practice ${i}`,
    });
  }
  // Contacts are counted for teens with a link: the parent invites before the week's messages arrive.
  await storage.createFamilyLink('bench', {
    parentId: 'parent',
    teenId: 'teen',
    status: 'active',
    basis: 'consent',
    createdAt: now - 8 * DAY,
    acceptedAt: now - 8 * DAY,
    endedAt: null,
    endedBy: null,
  });
  for (let i = 0; i < events.length; i += 2_000) await storage.appendEvents('bench', events.slice(i, i + 2_000), now);
  await storage.recordSafetyWarnings(
    'bench',
    Array.from({ length: 150 }, (_, i) => ({
      userId: 'teen',
      kind: i % 2 ? 'platform_move' : 'stranger_contact',
      counterpartId: `friend${i}`,
      at: now - (i % 7) * DAY,
    })),
  );
  // The platform reports the names it shows, so the view carries a name for every account in it.
  await storage.putDisplayNames(
    'bench',
    [
      { userId: 'teen', name: 'Teen Example' },
      { userId: 'parent', name: 'Parent Example' },
      ...Array.from({ length: CONNECTIONS }, (_, i) => ({ userId: `friend${i}`, name: `Friend Number ${i}` })),
    ],
    now,
  );
  await storage.putAccountSettings(
    'bench',
    'teen',
    {
      profile_private: true,
      not_discoverable: true,
      connection_list_hidden: true,
      precise_location_off: true,
      location_not_offered_to_strangers: true,
      stranger_messages_off: true,
    },
    now,
  );
}

interface Timing {
  p50: number;
  p99: number;
  max: number;
  cpuMs: number;
}

interface Result {
  store: string;
  now: Timing;
  before: Timing;
  bytes: number;
  contacts: number;
  connections: number;
}

function summary(times: number[], cpuMicros: number): Timing {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
  return {
    p50: at(0.5),
    p99: at(0.99),
    max: Math.round(sorted.at(-1)! * 10) / 10,
    cpuMs: Math.round((cpuMicros / 1000 / times.length) * 10) / 10,
  };
}

async function measure(store: string, database: string): Promise<Result> {
  const storage = await openStorage({ database });
  try {
    const now = Date.now();
    log(`${store}: seeding ${CONNECTIONS} connections and ${MESSAGES} messages`);
    await seed(storage, now);
    const key = (await createKey(storage, 'bench', 'bench', ['decide'])).key;
    const app = await buildServer({
      storage,
      webhooks: false,
      docs: false,
      console: false,
      retention: { messageTextDays: 30, intervalMs: 0 },
    });
    // The earlier computation behind a plain route (no API-key check: a cached hash lookup, which only
    // favours the earlier side).
    app.get('/bench/previous-view/:id', async (request) => {
      const { id } = request.params as { id: string };
      const { viewerId } = request.query as { viewerId: string };
      return previousView(storage, 'bench', id, viewerId, Date.now());
    });
    await app.ready();
    try {
      const headers = { authorization: `Bearer ${key}` };
      const linkId = (await storage.listFamilyLinks('bench', 'teen'))[0]!.id;
      const urls = {
        now: `/v1/family/links/${linkId}/view?viewerId=parent`,
        before: `/bench/previous-view/${linkId}?viewerId=parent`,
      };
      const request = async (which: 'now' | 'before') => {
        const res = await app.inject({ method: 'GET', url: urls[which], headers });
        if (res.statusCode !== 200) throw new Error(`${which} view failed: ${res.body}`);
        return res;
      };
      const current = (await request('now')).json();
      const earlier = (await request('before')).json();
      // Both sides must compute the same view, or the comparison means nothing.
      const same = (d: { since?: number }) => JSON.stringify({ ...d, since: 0 });
      if (same(earlier.data) !== same(current.data)) throw new Error('the earlier and the current view differ');
      for (let i = 0; i < 30; i++) {
        await request('now');
        await request('before');
      }
      const times = { now: [] as number[], before: [] as number[] };
      const cpu = { now: 0, before: 0 };
      let last = await request('now');
      for (let i = 0; i < REQUESTS; i++) {
        // Alternating order, so neither side always follows the other.
        for (const which of i % 2 ? (['now', 'before'] as const) : (['before', 'now'] as const)) {
          const used = process.cpuUsage();
          const t = process.hrtime.bigint();
          const res = await request(which);
          times[which].push(Number(process.hrtime.bigint() - t) / 1e6);
          const spent = process.cpuUsage(used);
          cpu[which] += spent.user + spent.system;
          if (which === 'now') last = res;
        }
      }
      const data = last.json().data;
      const r: Result = {
        store,
        now: summary(times.now, cpu.now),
        before: summary(times.before, cpu.before),
        bytes: last.body.length,
        contacts: data.recentContacts.length,
        connections: data.connections.total,
      };
      log(
        `${store}: p50 ${r.now.p50} ms (before ${r.before.p50}), p99 ${r.now.p99} ms (before ${r.before.p99}), ${r.now.cpuMs} ms CPU per view (before ${r.before.cpuMs})`,
      );
      return r;
    } finally {
      await app.close();
    }
  } finally {
    await storage.close();
  }
}

const results: Result[] = [];
const dir = mkdtempSync(join(tmpdir(), 'lifeguard-family-bench-'));
try {
  results.push(await measure('SQLite (file, synchronous=FULL)', join(dir, 'bench.db')));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const unavailable = await postgresUnavailable();
if (unavailable) log(`skipping PostgreSQL: ${unavailable}`);
else {
  const schema = testSchemaName();
  try {
    results.push(await measure('PostgreSQL (localhost)', `${TEST_PG_URL}?schema=${schema}`));
  } finally {
    await dropSchema(schema);
  }
}

const n = (x: number) => x.toLocaleString('en-US');
const ratio = (before: number, now: number) => `${(before / now).toFixed(1)}×`;
const markdown = [
  '### Family Centre: parent view',
  '',
  '| store | parent view p50 (ms) | p99 (ms) | max (ms) | service CPU per view (ms) | accounts messaged in 7 days | connections | response size |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.store} | ${r.now.p50} | ${r.now.p99} ${r.now.p99 < GOAL_MS ? '✓' : '✗'} | ${r.now.max} | ${r.now.cpuMs} | ${n(r.contacts)} | ${n(r.connections)} | ${n(Math.round(r.bytes / 1024))} KiB |`,
  ),
  '',
  'The same run, requests alternating with the view as computed before migration 15 (`bench/family/previousView.ts`):',
  '',
  '| store | before: p50 / p99 (ms) | now: p50 / p99 (ms) | p50 ratio | p99 ratio | CPU per view before / now (ms) | CPU ratio |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.store} | ${r.before.p50} / ${r.before.p99} | ${r.now.p50} / ${r.now.p99} | ${ratio(r.before.p50, r.now.p50)} | ${ratio(r.before.p99, r.now.p99)} | ${r.before.cpuMs} / ${r.now.cpuMs} | ${ratio(r.before.cpuMs, r.now.cpuMs)} |`,
  ),
  '',
  `Goal: parent view p99 < ${GOAL_MS} ms for a teen with ${n(CONNECTIONS)} connections and ${n(MESSAGES)} messages in the last 7 days.`,
  '',
  `Method: \`npm run bench -- family\` (\`node --expose-gc --import tsx bench/family.bench.ts ${REQUESTS}\`). \`GET /v1/family/links/{id}/view?viewerId=parent\` through Fastify's inject (API-key auth, storage reads, the audit entry every view writes, JSON), ` +
    `${n(REQUESTS)} requests after 30 warm-up requests, in one process, each followed or preceded (alternately) by one request for the earlier computation on the same data, ` +
    'which must give the same `data`. The view is asked for as an app asks for it, without `names=true` (the display names the embeddable page adds; not measured here). The teen has ' +
    `${n(CONNECTIONS)} connections (a tenth made this week, a tenth adults), ` +
    `${n(MESSAGES)} messages with them spread over 7 days (stored through appendEvents, which keeps the linked teen's message counts per contact and day), 150 safety prompts, reported settings and a display name for every account. ` +
    'The view reads one row per contact (counts for the last eight days and the last time), never the messages. ' +
    'What changed: the two lists of thousands of rows are read as arrays, not an object per row; the view builds each item field by field (a spread per row cost several milliseconds); ' +
    "the audit entry is written alongside the reads rather than after them (still awaited before the view is returned); migration 15's partial indexes give a teen's current connections newest first from the index alone. " +
    "On PostgreSQL the earlier connections SQL is the same text, so the earlier side also uses migration 15's indexes there. " +
    "Service CPU per view is the process's user + system CPU time over each request (it includes the SQLite writer thread; not the PostgreSQL server). " +
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; load average when the run ended: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')}, shared with other work: wall-clock times are inflated by waiting for a core.`,
].join('\n');
console.log(JSON.stringify({ title: 'Family Centre', markdown }));
